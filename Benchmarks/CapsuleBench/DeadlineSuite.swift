// Suite 8: time confinement. What the interrupt points cost compute-heavy guests, how long after
// its deadline a guest stops, and how Swift's cooperative pool fares while guests spin.
import CapStd
import CapWASI
import Foundation
import PluginHost
import SystemPackage
import WAT

struct DeadlineSuite {
    let rounds: Int
    let quick: Bool

    func run(into report: inout BenchReport) async throws {
        let scratch = try ScratchDirectory("deadline")
        defer { scratch.remove() }
        try cost(scratch, into: &report)
        try stopLatency(into: &report)
        try await cooperativePool(into: &report)
    }

    // MARK: Cost

    /// Each workload without and with interrupt points, unmetered, interleaved; median of rounds.
    // capsule-audit: allow ambient — opens the scratch directories the guests are given, by path
    private func cost(_ scratch: ScratchDirectory, into report: inout BenchReport) throws {
        try scratch.dir.createDir("work")
        let work = try Dir.openAmbient(FilePath(scratch.path + "/work"), ambientAuthority())
        defer { work.close() }
        let computeBytes = try checkoutFile("Benchmarks/Guests/compute.wasm")
        let scale = quick ? 10 : 1
        var workloads: [(label: String, bytes: [UInt8], arguments: [String], preopens: [Preopen])] =
            try [("sieve", 4_000_000), ("sort", 200_000), ("hash", 100_000_000), ("strings", 200_000)].map { kernel, size in
                ("compute \(kernel) \(size / scale)", computeBytes, [kernel, String(size / scale)],
                 [try Preopen(guestPath: "/work", dir: work, access: .readWrite)])
            }
        var pythonHome: Dir?
        defer { pythonHome?.close() }
        switch try FuelSuite.python(in: scratch) {
        case .success(let (_, path, home)):
            let bytes = try Dir.openAmbient(FilePath(path).removingLastComponent(), ambientAuthority())
                .read(RawPath(FilePath(path).lastComponent?.string ?? "python.wasm"))
            let lib = try Dir.openAmbient(FilePath(home), ambientAuthority())
            pythonHome = lib
            workloads.append(("python script", bytes, ["-c", FuelSuite.pythonScript], [try Preopen(guestPath: "/usr/local/lib", dir: lib, access: .readOnly)]))
        case .failure(let reason):
            report.skipped.append("deadline: python rows left out: \(reason)")
        }
        for workload in workloads {
            let plain = try WASIModule(bytes: workload.bytes, interruptPoints: false)
            let checked = try WASIModule(bytes: workload.bytes)
            let configuration = WASIConfiguration(
                arguments: ["guest.wasm"] + workload.arguments, preopens: workload.preopens,
                limits: WASILimits(maxDescriptors: 64, fuel: nil, maxMemoryBytes: 1 << 30, timeout: nil))
            var outputs: Set<[UInt8]> = []
            func run(_ module: WASIModule, _ limits: WASILimits) throws -> Double {
                var configuration = configuration
                configuration.limits = limits
                var result: WASIRunResult?
                let time = try timed { result = try WASIRunner.run(module, configuration: configuration, denialSink: nil) }
                guard let result, result.exitCode == 0 else { throw BenchError("deadline: \(workload.label) failed") }
                outputs.insert(result.stdout)
                return time
            }
            var deadlined = configuration.limits
            deadlined.timeout = .seconds(3600)
            let contenders = [
                { try run(plain, configuration.limits) }, { try run(checked, configuration.limits) }, { try run(checked, deadlined) },
            ]
            for contender in contenders { _ = try contender() }
            let samples = try interleave(rounds: rounds, contenders)
            guard workload.label.hasPrefix("python") || outputs.count == 1 else {
                throw BenchError("deadline: \(workload.label) printed different output with and without interrupt points")
            }
            let suite = "deadline cost: \(workload.label)"
            report.add([
                BenchRow(suite: suite, name: "without interrupt points", value: median(samples[0]) / 1e6, unit: "ms"),
                BenchRow(suite: suite, name: "interrupt points, no deadline", value: median(samples[1]) / 1e6, unit: "ms"),
                BenchRow(suite: suite, name: "interrupt points, deadline set", value: median(samples[2]) / 1e6, unit: "ms"),
            ], baseline: "without interrupt points")
        }
        let ratios = report.rows.filter { $0.suite.hasPrefix("deadline cost:") && $0.name == "interrupt points, deadline set" }
            .compactMap(\.ratio)
        let worst = ratios.max() ?? .infinity
        report.targets.append(BenchTarget(
            suite: "deadline cost", target: "interrupt points ≤ 1.15× the unchecked time on compute.c and CPython",
            measured: "at most \(format(worst, decimals: 2))× (\(ratios.count) workloads)", met: worst <= 1.15))
    }

    // MARK: Stop latency

    /// Guests that never end, each stopped by a 50 ms deadline: how long after it they stopped.
    private func stopLatency(into report: inout BenchReport) throws {
        let deadline = Duration.milliseconds(50)
        let samples = quick ? 5 : 15
        let component = try WASIComponent(bytes: checkoutFile("Tests/CapWASITests/Components/limits.wasm"))
        var rows: [BenchRow] = []
        var worst = 0.0
        for shape in ["spin", "recurse", "fill", "sleep"] {
            let module = try WASIModule(bytes: wat2wasm(Self.neverEnding(shape)))
            let limits = WASILimits(fuel: nil, maxMemoryBytes: (1 << 30) + (1 << 20), timeout: deadline)
            let configuration = WASIConfiguration(limits: limits)
            for (kind, run) in [
                ("module", { _ = try WASIRunner.run(module, configuration: configuration, denialSink: nil) }),
                ("component", { _ = try WASIRunner.run(component, entry: .function(shape), configuration: configuration, denialSink: nil) }),
            ] as [(String, () throws -> Void)] {
                var late: [Double] = []
                for _ in 0..<samples {
                    let start = ContinuousClock.now
                    do {
                        try run()
                        throw BenchError("deadline: the \(shape) \(kind) ended by itself")
                    } catch WASIRunError.timeout {
                        late.append(nanoseconds(start.duration(to: .now) - deadline) / 1e6)
                    }
                }
                worst = max(worst, late.max() ?? 0)
                rows.append(BenchRow(
                    suite: "deadline stop latency", name: "\(kind) \(shape): median", value: median(late), unit: "ms",
                    note: "after a 50 ms deadline; max \(format(late.max() ?? 0, decimals: 2)) ms of \(samples)"))
            }
        }
        report.add(rows)
        report.targets.append(BenchTarget(
            suite: "deadline stop latency", target: "`capsule run --timeout 1` stops within 1.5 s (latency < 500 ms)",
            measured: "max \(format(worst, decimals: 2)) ms after the deadline", met: worst < 500))
    }

    /// A `_start` that never ends: a loop, 2^60 calls, 1 GiB fills, an hour's sleep.
    static func neverEnding(_ shape: String) -> String {
        let body =
            switch shape {
            case "spin": "(loop $forever (br $forever))"
            case "recurse": "(call $recurse (i32.const 60))"
            case "fill": "(loop $again (memory.fill (i32.const 0) (i32.const 7) (i32.const 0x40000000)) (br $again))"
            default:
                """
                (i64.store (i32.const 0x118) (i64.const 3600000000000))
                (drop (call $poll_oneoff (i32.const 0x100) (i32.const 0x200) (i32.const 1) (i32.const 0x300)))
                """
            }
        return """
            (module
              (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") \(shape == "fill" ? 16384 : 1))
              (func $recurse (param $depth i32)
                (if (local.get $depth)
                  (then
                    (call $recurse (i32.sub (local.get $depth) (i32.const 1)))
                    (call $recurse (i32.sub (local.get $depth) (i32.const 1))))))
              (func (export "_start") \(body)))
            """
    }

    // MARK: Cooperative pool

    /// 100 sleeps of 10 ms on the cooperative pool: idle, while 8 spinning plugins are awaited
    /// (guest code on Capsule's executor), and the control: the same 8 plugins run synchronously
    /// inside cooperative tasks, as `PluginHost.run(tenants:)` used to.
    private func cooperativePool(into report: inout BenchReport) async throws {
        let module = try WASIModule(bytes: wat2wasm(Self.neverEnding("spin")))
        let spinFor = Duration.seconds(2)
        let host = PluginHost(module: module, maxConcurrentRuns: 8, reuse: nil)
        let scratch = try ScratchDirectory("pool")
        defer { scratch.remove() }
        for name in ["config", "output"] { try scratch.dir.createDir(RawPath(name)) }
        let tenants = try (0..<8).map { index in
            PluginCapabilities(
                tenant: "t\(index)", config: try scratch.dir.openDir("config"), output: try scratch.dir.openDir("output"),
                limits: WASILimits(fuel: nil, timeout: spinFor))
        }
        // Detached, so that it runs on the cooperative pool whatever the caller's executor.
        func probe() async throws -> Double {
            try await Task.detached {
                let start = ContinuousClock.now
                for _ in 0..<100 {
                    try await Task.sleep(for: .milliseconds(10))
                    // A sleep resumes on a Dispatch timer thread on Linux; a new task runs on the pool.
                    await Task.detached {}.value
                }
                return nanoseconds(start.duration(to: .now)) / 1e6
            }.value
        }
        func whileSpinning(_ spin: @escaping @Sendable () async -> Void) async throws -> Double {
            let spinning = Task { await spin() }
            try await Task.sleep(for: .milliseconds(50))
            let time = try await probe()
            await spinning.value
            return time
        }
        var idle: [Double] = []
        var awaited: [Double] = []
        var control: [Double] = []
        for _ in 0..<(quick ? 1 : 3) {
            idle.append(try await probe())
            awaited.append(try await whileSpinning { _ = await host.run(tenants: tenants) })
            control.append(try await whileSpinning {
                await withTaskGroup(of: Void.self) { group in
                    for tenant in tenants { group.addTask { _ = host.run(tenant, interrupter: nil) } }
                }
            })
        }
        let suite = "cooperative pool: 100 sleeps of 10 ms"
        report.add([
            BenchRow(suite: suite, name: "idle", value: median(idle), unit: "ms"),
            BenchRow(suite: suite, name: "8 spinning plugins awaited", value: median(awaited), unit: "ms",
                     note: "guest code on GuestExecutor.shared (\(GuestExecutor.shared.threadLimit) threads)"),
            BenchRow(suite: suite, name: "control: 8 run synchronously in tasks", value: median(control), unit: "ms",
                     note: "each spins until its 2 s deadline on a cooperative thread"),
        ], baseline: "idle")
        let ratio = report.row(suite, "8 spinning plugins awaited")?.ratio ?? .infinity
        report.targets.append(BenchTarget(
            suite: "cooperative pool", target: "probe latency with 8 spinning plugins ≤ 1.2× idle",
            measured: "\(format(ratio, decimals: 2))× idle", met: ratio <= 1.2))
    }
}
