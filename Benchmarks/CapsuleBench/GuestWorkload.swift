// Suites 2 and 3a: the same C guest (Benchmarks/Guests/file-io.c) doing file work and trivial
// WASI calls under each host, interleaved round by round in one process run; the file work and
// the instance start also with the guest as a WASI 0.2 component (file-io-component.wasm).
import CapStd
import CapWASI

/// The hosts of one run, sharing a scratch directory that the guest sees as /work.
struct GuestHosts {
    let capsule: CapsuleGuestHost
    let wasmKit: WasmKitGuestHost
    let wasmtime: WasmtimeGuestHost?
    /// The same guest as a WASI 0.2 component, under Capsule and (where it is there) Wasmtime.
    let capsuleComponent: CapsuleComponentGuestHost
    let wasmtimeComponent: WasmtimeGuestHost?
    let scratch: ScratchDirectory

    static let componentPath = "Benchmarks/Guests/file-io-component.wasm"
    static let reusedHost = "Capsule WASI, reused instance"
    static let reusedComponentHost = "Capsule WASI 0.2 (component), reused instance"

    init(report: inout BenchReport, wasmtime useWasmtime: Bool) throws {
        let bytes = try checkoutFile("Benchmarks/Guests/file-io.wasm")
        capsule = CapsuleGuestHost(module: try WASIModule(bytes: bytes))
        wasmKit = try WasmKitGuestHost(bytes: bytes)
        capsuleComponent = CapsuleComponentGuestHost(component: try WASIComponent(bytes: try checkoutFile(Self.componentPath)))
        scratch = try ScratchDirectory("guest")
        guard useWasmtime else {
            wasmtime = nil
            wasmtimeComponent = nil
            report.skipped.append("Wasmtime reference: left out (--no-wasmtime)")
            return
        }
        let (wasmtime, reason) = WasmtimeGuestHost.available(
            modulePath: packageRoot.appending("Benchmarks/Guests/file-io.wasm").string, scratch: scratch.path)
        self.wasmtime = wasmtime
        let componentOutput = scratch.path + "/wasmtime-component-stdout"
        wasmtimeComponent = wasmtime.map {
            WasmtimeGuestHost(
                modulePath: packageRoot.appending(Self.componentPath).string, runnerPath: $0.runnerPath,
                outputPath: componentOutput)
        }
        if let reason { report.skipped.append(reason) }
    }

    /// One run per host per round, in the same order each round; the component hosts after the
    /// module ones, unless `components` is false; with `reused`, Capsule's warm instances too.
    func interleaved(
        rounds: Int, _ arguments: [String], components: Bool = true, reused: WASIInstancePool? = nil,
        reusedComponent: WASIComponentPool? = nil
    ) throws
        -> [(host: String, runs: [GuestRun])]
    {
        var hosts: [(String, () throws -> GuestRun)] = [
            ("Capsule WASI", { try capsule.run(arguments, work: scratch.dir) }),
            ("WasmKit WASI", { try wasmKit.run(arguments, workPath: scratch.path) }),
        ]
        if let reused {
            let warm = CapsuleGuestHost(module: capsule.module, pool: reused)
            hosts.insert((Self.reusedHost, { try warm.run(arguments, work: scratch.dir) }), at: 1)
        }
        if let wasmtime { hosts.append(("Wasmtime (reference)", { try wasmtime.run(arguments, workPath: scratch.path) })) }
        if components {
            hosts.append(("Capsule WASI 0.2 (component)", { try capsuleComponent.run(arguments, work: scratch.dir) }))
            if let reusedComponent {
                let warm = CapsuleComponentGuestHost(component: capsuleComponent.component, pool: reusedComponent)
                hosts.append((Self.reusedComponentHost, { try warm.run(arguments, work: scratch.dir) }))
            }
            if let wasmtimeComponent {
                hosts.append(("Wasmtime component (reference)", { try wasmtimeComponent.run(arguments, workPath: scratch.path) }))
            }
        }
        for host in hosts { _ = try host.1() }
        var runs = Array(repeating: [GuestRun](), count: hosts.count)
        for _ in 0..<rounds {
            for (index, host) in hosts.enumerated() { runs[index].append(try host.1()) }
        }
        return zip(hosts, runs).map { ($0.0, $1) }
    }

    /// For a component host, the module host it is set beside (the same engine, the same guest
    /// code) and what a note calls it.
    static let moduleHost = [
        "Capsule WASI 0.2 (component)": ("Capsule WASI", "Capsule"),
        "Capsule WASI 0.2 (component), reused instance": ("Capsule WASI, reused instance", "Capsule, reused"),
        "Wasmtime component (reference)": ("Wasmtime (reference)", "Wasmtime"),
    ]

    /// For a component row, its ratio to its module row in `values` ("1.23× the module under
    /// Capsule") and, given a `unit`, the difference ("+45 ms"); nil for any other row.
    static func componentNote(_ host: String, _ values: [String: Double], unit: String? = nil) -> String? {
        guard let (module, label) = moduleHost[host], let value = values[host], let moduleValue = values[module], moduleValue > 0
        else { return nil }
        let ratio = "\(format(value / moduleValue, decimals: 2))× the module under \(label)"
        return unit.map { ratio + ", " + String(format: "%+.0f ", value - moduleValue) + $0 } ?? ratio
    }
}

/// Small-file and streaming work: each phase's median time per host, as a ratio to WasmKit's WASI.
struct GuestFileIOSuite {
    let rounds: Int
    let files: Int
    let streamMiB: Int

    func run(hosts: GuestHosts, into report: inout BenchReport) throws {
        let smallFiles = try hosts.interleaved(rounds: rounds, ["files", String(files)])
        let streaming = try hosts.interleaved(rounds: rounds, ["stream", String(streamMiB)])
        var totals: [String: Double] = [:]
        for (suite, phases, perHost, perOperation) in [
            ("guest \(files) files", ["create+write", "open+read", "stat", "unlink"], smallFiles, true),
            ("guest stream \(streamMiB) MiB", ["stream-write", "stream-read"], streaming, false),
        ] {
            for phase in phases {
                var rows: [BenchRow] = []
                let times = Dictionary(uniqueKeysWithValues: perHost.map { host, runs in
                    (host, median(runs.map { $0.phases[phase]?.nanoseconds ?? .nan }))
                })
                for (host, _) in perHost {
                    let time = times[host] ?? .nan
                    totals[host, default: 0] += time
                    let note = perOperation
                        ? "\(format(time / Double(files) / 1000, decimals: 1)) µs/file"
                        : "\(format(Double(streamMiB) / (time / 1e9), decimals: 0)) MiB/s"
                    let component = GuestHosts.componentNote(host, times).map { "; " + $0 } ?? ""
                    rows.append(BenchRow(suite: "\(suite): \(phase)", name: host, value: time / 1e6, unit: "ms", note: note + component))
                }
                report.add(rows, baseline: "WasmKit WASI")
            }
        }
        try measureWriteFloor(hosts.scratch.dir, into: &report)
        let totalsInMilliseconds = totals.mapValues { $0 / 1e6 }
        let totalRows = smallFiles.map(\.host).map {
            BenchRow(
                suite: "guest file I/O: all phases", name: $0, value: totalsInMilliseconds[$0] ?? .nan, unit: "ms",
                note: GuestHosts.componentNote($0, totalsInMilliseconds, unit: "ms"))
        }
        report.add(totalRows, baseline: "WasmKit WASI")
        let ratio = report.row("guest file I/O: all phases", "Capsule WASI")?.ratio ?? .infinity
        report.targets.append(BenchTarget(
            suite: "guest file I/O", target: "Capsule ≥ WasmKit's WASI speed on the same work (time ratio ≤ 1.00)",
            measured: "\(format(ratio, decimals: 2))× WasmKit's time", met: ratio <= 1.0))
    }
}

extension GuestFileIOSuite {
    static let floorSuite = "host pwrite floor"

    /// What the kernel alone charges for the component's stream-write: the preview 1 adapter
    /// turns the guest's 64 KiB writes into 4 KiB `blocking-write-and-flush` calls, each one
    /// `pwrite` for any host that honours it, where the module makes one 64 KiB `pwrite`. The
    /// host writes the same `streamMiB` MiB at offsets through CapStd in both sizes, interleaved;
    /// the 4 KiB row's ratio is the floor under "component stream-write ÷ module stream-write".
    func measureWriteFloor(_ scratch: Dir, into report: inout BenchReport) throws {
        let total = streamMiB << 20
        let data = [UInt8](repeating: 0x5A, count: 64 << 10)
        // A new file each time, as the guest's stream-write makes one: writing over pages a file
        // already has costs the kernel less than allocating them.
        func writeAll(in piece: Int) throws -> Double {
            try? scratch.removeFile("write-floor")
            let file = try scratch.open("write-floor", options: .writeTruncating)
            defer { file.close() }
            return try timed {
                try data.withUnsafeBytes { bytes in
                    let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<piece])
                    var offset = 0
                    while offset < total {
                        offset += try file.write(chunk, at: Int64(offset))
                    }
                }
            }
        }
        defer { try? scratch.removeFile("write-floor") }
        let samples = try interleave(rounds: rounds, [{ try writeAll(in: 64 << 10) }, { try writeAll(in: 4 << 10) }])
        let suite = "\(Self.floorSuite): \(streamMiB) MiB"
        let rows = zip(["in 64 KiB pwrites (the module's)", "in 4 KiB pwrites (the adapter's)"], samples).map { name, times in
            let time = median(times)
            return BenchRow(
                suite: suite, name: name, value: time / 1e6, unit: "ms",
                note: "\(format(Double(streamMiB) / (time / 1e9), decimals: 0)) MiB/s, CapStd File.write(_:at:)")
        }
        report.add(rows, baseline: rows[0].name)
        let component = report.row("guest stream \(streamMiB) MiB: stream-write", "Capsule WASI 0.2 (component)")?.value ?? .nan
        let module = report.row("guest stream \(streamMiB) MiB: stream-write", "Capsule WASI")?.value ?? .nan
        let floor = report.row(suite, rows[1].name)?.ratio ?? .nan
        report.targets.append(BenchTarget(
            suite: "guest stream-write",
            target: "component stream-write ≤ 2× the module's under Capsule (issue 26)",
            measured: "\(format(component / module, decimals: 2))× (the kernel's own 4 KiB ÷ 64 KiB pwrite floor: \(format(floor, decimals: 2))×)",
            met: component / module <= 2))
    }
}

/// The per-call cost of trivial WASI calls in a tight guest loop.
struct WASICallSuite {
    let rounds: Int
    let calls: Int

    func run(hosts: GuestHosts, into report: inout BenchReport) throws {
        let perHost = try hosts.interleaved(rounds: rounds, ["calls", String(calls)], components: false)
        for call in ["fd_fdstat_get", "clock_time_get"] {
            let rows = perHost.map { host, runs in
                BenchRow(
                    suite: "WASI call: \(call)", name: host,
                    value: median(runs.map { ($0.phases[call]?.nanoseconds ?? .nan) / Double(calls) }), unit: "ns/call")
            }
            report.add(rows, baseline: "WasmKit WASI")
        }
    }
}
