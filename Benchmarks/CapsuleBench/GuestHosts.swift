// The hosts a guest runs under: Capsule's WASI, WasmKit's own WASI (same engine configuration)
// and, where the PyPI package is installed, Wasmtime through a small Python runner; and the same
// guest as a WASI 0.2 component under Capsule's preview 2 host and Wasmtime's.
import CapStd
import CapWASI
import Foundation
import Glibc
import SystemPackage
import WasmKit
import WasmKitWASI

/// What one guest run reported: each phase's nanoseconds and operation count, as the guest timed
/// them, and the host-side wall time including instantiation.
struct GuestRun {
    var phases: [String: (nanoseconds: Double, operations: Int)] = [:]
    var wallNanoseconds: Double = 0

    /// Reads the guest's "<phase> <ns> <operations>" lines.
    init(output: [UInt8], wallNanoseconds: Double) throws {
        self.wallNanoseconds = wallNanoseconds
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let time = Double(fields[1]), let operations = Int(fields[2]) else {
                throw BenchError("unexpected guest output line: \(line)")
            }
            phases[String(fields[0])] = (time, operations)
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Fuel budget large enough for every workload; all hosts meter fuel, so all pay for it alike.
let benchFuel: UInt64 = 1 << 40

/// Capsule: the CapWASI runner with `work` preopened read-write as /work, in a fresh instance
/// per run, or in an instance of `pool` that earlier runs used.
struct CapsuleGuestHost {
    let module: WASIModule
    var pool: WASIInstancePool? = nil

    func run(_ arguments: [String], work: Dir) throws -> GuestRun {
        let configuration = WASIConfiguration(
            arguments: ["file-io.wasm"] + arguments,
            preopens: [try Preopen(guestPath: "/work", dir: work, access: .readWrite)],
            stdout: .capture, stderr: .inherit,
            limits: WASILimits(maxDescriptors: 64, fuel: benchFuel, timeout: nil))
        var result: WASIRunResult?
        let wall = try timed {
            result =
                if let pool { try pool.run(configuration, owner: "bench", denialSink: nil) } else {
                    try WASIRunner.run(module, configuration: configuration, denialSink: nil)
                }
        }
        guard let result, result.exitCode == 0 else { throw BenchError("Capsule: guest \(arguments) failed") }
        return try GuestRun(output: result.stdout, wallNanoseconds: wall)
    }
}

/// Capsule's WASI 0.2 host: the same guest as a component (the preview 1 adapter in front of the
/// same core module), run through `wasi:cli/run` with the same configuration as the module.
struct CapsuleComponentGuestHost {
    let component: WASIComponent
    var pool: WASIComponentPool? = nil

    func run(_ arguments: [String], work: Dir) throws -> GuestRun {
        let configuration = WASIConfiguration(
            arguments: ["file-io-component.wasm"] + arguments,
            preopens: [try Preopen(guestPath: "/work", dir: work, access: .readWrite)],
            stdout: .capture, stderr: .inherit,
            limits: WASILimits(maxDescriptors: 64, fuel: benchFuel, timeout: nil))
        var result: WASIRunResult?
        let wall = try timed {
            result =
                if let pool { try pool.run(configuration, owner: "bench", denialSink: nil) } else {
                    try WASIRunner.run(component, configuration: configuration, denialSink: nil)
                }
        }
        guard let result, result.exitCode == 0 else { throw BenchError("Capsule component: guest \(arguments) failed") }
        return try GuestRun(output: result.stdout, wallNanoseconds: wall)
    }
}

/// WasmKit's own WASI (`WasmKitWASI`), which opens host paths itself; stdout goes to a pipe.
struct WasmKitGuestHost {
    let module: WasmKit.Module
    /// One engine for every run, as Capsule's runner keeps one.
    let engine = Engine(configuration: EngineConfiguration(fuelMetering: true))

    init(bytes: [UInt8]) throws { module = try parseWasm(bytes: bytes) }

    func run(_ arguments: [String], workPath: String) throws -> GuestRun {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw BenchError("pipe failed: errno \(errno)") }
        defer {
            close(pipeEnds[0])
            close(pipeEnds[1])
        }
        var exitCode: UInt32 = 0
        let wall = try timed {
            let store = Store(engine: engine)
            store.fuel = Fuel(remaining: benchFuel)
            let bridge = try WASIBridgeToHost(
                args: ["file-io.wasm"] + arguments, preopens: [.init(guestPath: "/work", hostPath: workPath)],
                stdout: pipeEnds[1])
            var imports = Imports()
            bridge.link(to: &imports, store: store)
            let instance = try module.instantiate(store: store, imports: imports)
            exitCode = try bridge.start(instance)
            try bridge.close()
        }
        guard exitCode == 0 else { throw BenchError("WasmKit: guest \(arguments) exited \(exitCode)") }
        _ = fcntl(pipeEnds[0], F_SETFL, O_NONBLOCK)
        var output = [UInt8](repeating: 0, count: 1 << 16)
        let count = read(pipeEnds[0], &output, output.count)
        return try GuestRun(output: Array(output.prefix(max(0, count))), wallNanoseconds: wall)
    }
}

/// Wasmtime via `wasmtime_runner.py` and the PyPI `wasmtime` package, one process per run; the
/// runner times instantiation and the run, not Python's start-up or Cranelift's compilation. It
/// runs a module with Wasmtime's preview 1 and a component with its WASI 0.2 (`add_wasip2`).
struct WasmtimeGuestHost {
    let modulePath: String
    let runnerPath: String
    let outputPath: String

    /// Nil, with the reason, where python3 or the wasmtime package is missing.
    static func available(modulePath: String, scratch: String) -> (WasmtimeGuestHost?, String?) {
        let runner = packageRoot.appending("Benchmarks/CapsuleBench/wasmtime_runner.py").string
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import wasmtime"]
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
            probe.waitUntilExit()
        } catch {
            return (nil, "Wasmtime reference: python3 could not be started (\(error))")
        }
        guard probe.terminationStatus == 0 else {
            return (nil, "Wasmtime reference: the PyPI package `wasmtime` is not installed (pip install wasmtime)")
        }
        return (WasmtimeGuestHost(modulePath: modulePath, runnerPath: runner, outputPath: scratch + "/wasmtime-stdout"), nil)
    }

    func run(_ arguments: [String], workPath: String) throws -> GuestRun {
        let summary = try invoke(modulePath: modulePath, workPath: workPath, guestPath: "/work", arguments: arguments)
        guard summary.exit == 0 else { throw BenchError("Wasmtime: guest \(arguments) failed") }
        return try GuestRun(output: try stdout(), wallNanoseconds: summary.run_ns)
    }

    /// What the runner reports of one run.
    struct Summary: Decodable {
        let exit: Int
        let run_ns: Double
        /// Units of Wasmtime fuel `_start` consumed: operators executed, less the free ones.
        let fuel: UInt64
    }

    /// One run of any module: `workPath` preopened read-write as `guestPath`, `options` passed to
    /// the runner before the module (`--dir HOST::GUEST`, `--ro-dir HOST::GUEST`).
    func invoke(modulePath: String, workPath: String, guestPath: String, options: [String] = [], arguments: [String]) throws -> Summary {
        let process = Process()
        let summary = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", runnerPath] + options + [modulePath, workPath, guestPath, outputPath] + arguments
        process.standardOutput = summary
        try process.run()
        let line = summary.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("Wasmtime: \(modulePath) \(arguments) failed") }
        return try JSONDecoder().decode(Summary.self, from: line)
    }

    /// The guest's standard output from the last run.
    func stdout() throws -> [UInt8] {
        let directory = try Dir.openAmbient(FilePath(outputPath).removingLastComponent(), ambientAuthority())
        defer { directory.close() }
        return try directory.read(RawPath(FilePath(outputPath).lastComponent!.string))
    }
}
