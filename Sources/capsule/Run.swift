// `capsule run`: run one WASI program the way `wasmtime run` does, confined to the given directories.
import ArgumentParser
import CapStd
import CapWASI
import Logging

/// `HOST[::GUEST]`: a host directory and the name the guest sees it under (the same by default).
struct DirectoryMapping: ExpressibleByArgument {
    let host: String
    let guest: String

    init?(argument: String) {
        let parts = argument.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let host = parts.first, !host.isEmpty else { return nil }
        self.host = host
        guest = parts.count == 2 && !parts[1].isEmpty ? parts[1] : host
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a wasm32-wasip1 program or a WASI 0.2 component with only the directories you grant.",
        discussion: """
            What runs is what `wasmtime run` runs. A module: its _start (a command); or, for a \
            reactor, its _initialize and then its default export "" if it has one; or, with \
            --invoke NAME, the function NAME (after _initialize), its parameters read from the \
            arguments after the module (i32 and i64 in decimal or 0x hexadecimal, f32 and f64 as \
            decimals, inf or nan) and what it returns printed, one value per line. A component \
            (wasm32-wasip2, or a module wrapped with the preview 1 adapter): its wasi:cli/run \
            export; or, with --invoke 'NAME(ARGS)', the function NAME called with arguments in \
            WAVE (42, "text", [1, 2], {field: 1}, some(1), ok(1), red, {read, write}) and its \
            result printed in WAVE. The same flags apply to both. The guest's standard streams are the terminal's, and capsule exits with the guest's exit \
            code (a component's run returning err is 1). Errors are one line on standard error (a trap adds its first \
            frames, indented), with their own exit codes: 1 a WebAssembly exception nothing caught \
            (as under wasmtime run), 64 arguments that do not fit --invoke's \
            function, 120 the module or a directory cannot be read, 121 the module is invalid, \
            cannot be instantiated or lacks the function to call, 122 the guest trapped, 123 out of fuel, 124 memory limit, 125 time limit. Refused \
            operations are summed up in one line on standard error at exit, after the guest's own \
            output (--log-denials for each of them, on standard error or in a file).

            Like `wasmtime run`, `capsule run` sets no limit unless asked: no fuel, no time limit, \
            memory up to 4 GiB, descriptors up to the process's own limit. `capsule tenants` and \
            PluginHost, which run untrusted tenants, default to 10 billion fuel, 256 MiB, 128 \
            descriptors and 60 s per run.
            """)

    @Option(name: .customLong("dir"), help: ArgumentHelp("Preopen HOST read-write, seen by the guest as GUEST.", valueName: "HOST[::GUEST]"))
    var directories: [DirectoryMapping] = []

    @Option(name: .customLong("ro-dir"), help: ArgumentHelp("Preopen HOST read-only, seen as GUEST.", valueName: "HOST[::GUEST]"))
    var readOnlyDirectories: [DirectoryMapping] = []

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp("Set an environment variable for the guest (the host's are not passed on).", valueName: "KEY=VALUE"))
    var environment: [String] = []

    @Option(help: ArgumentHelp(
        "Fuel budget, a deterministic bound on work: the same guest and input stop at the same point, and the fuel used is reported; 0 (the default) for none, and then the guest runs unmetered. To bound time, use --timeout.",
        discussion: "WasmKit charges one unit per WebAssembly operator that generates code, billed per straight-line region on entry, so a unit is at most one operator executed: measured 1.0x the operators executed for a straight loop, 5-8x for libc string and file code, 83-107x for CPython. Metering cost up to 1.13x the unmetered time (BENCHMARKS.md, section 5)."))
    var fuel: UInt64 = 0

    @Option(name: .customLong("max-memory"), help: "Largest linear memory in bytes; 0 (the default) for the 4 GiB a wasm32 memory can address.")
    var maxMemory: Int = 0

    @Option(name: .customLong("max-descriptors"), help: "Most descriptors the guest may hold open; 0 (the default) for no limit beyond the process's own.")
    var maxDescriptors: Int = 0

    @Option(help: "Wall-clock limit in seconds: the guest is stopped wherever it is, computing or sleeping, and capsule exits 125; 0 (the default) for none.")
    var timeout: Double = 0

    @Option(
        name: .customLong("log-denials"),
        help: ArgumentHelp(
            "Where refused operations go: summary (one line at exit, the default), stderr (each as it happens, among the guest's own output), off, or a file each is appended to.",
            valueName: "summary|stderr|off|FILE"))
    var logDenials = "summary"

    @Option(help: ArgumentHelp(
        "Call this function instead: for a module NAME, its arguments after the module; for a component NAME(ARGS), in WAVE.",
        valueName: "NAME"))
    var invoke: String?

    @Argument(help: "The module or component to run.")
    var module: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the guest.")
    var arguments: [String] = []

    func validate() throws {
        guard timeout.isFinite, timeout >= 0, timeout <= Double(Int64.max / 1000) else {
            throw ValidationError("--timeout must be a number of seconds, 0 or more (got \(timeout))")
        }
        // No value is not "inherit the host's" here: the guest gets only what is named.
        for entry in environment where entry.firstIndex(of: "=").map({ $0 == entry.startIndex }) ?? true {
            throw ValidationError("--env takes KEY=VALUE with a KEY (got \"\(Untrusted.printable(entry))\")")
        }
    }

    func run() throws {
        let bytes: [UInt8]
        var preopens: [Preopen] = []
        let denials: DenialReport
        do {
            bytes = try AmbientStartup.readFile(module)
            for mapping in directories {
                preopens.append(try Preopen(guestPath: mapping.guest, dir: AmbientStartup.openDirectory(mapping.host), access: .readWrite))
            }
            for mapping in readOnlyDirectories {
                preopens.append(try Preopen(guestPath: mapping.guest, dir: AmbientStartup.openDirectory(mapping.host), access: .readOnly))
            }
            denials = try DenialReport(logDenials)
        } catch {
            printError("capsule run: \(error)")
            throw ExitCode(120)
        }
        let pairs = environment.map { entry -> (String, String) in
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return (parts[0], parts.count == 2 ? parts[1] : "")
        }
        var limits = WASILimits.unlimited
        if fuel > 0 { limits.fuel = fuel }
        if maxMemory > 0 { limits.maxMemoryBytes = maxMemory }
        if maxDescriptors > 0 { limits.maxDescriptors = maxDescriptors }
        if timeout > 0 { limits.timeout = .milliseconds(Int64(timeout * 1000)) }
        let configuration = WASIConfiguration(
            arguments: [module] + arguments, environment: pairs, preopens: preopens, stdin: .inherit, stdout: .inherit,
            stderr: .inherit, limits: limits, instanceName: module)
        do {
            let result =
                WASIComponent.isComponent(bytes)
                ? try WASIRunner.run(
                    try WASIComponent(bytes: bytes), entry: invoke.map(ComponentEntry.invocation) ?? .command,
                    configuration: configuration, denialSink: denials.sink)
                : try WASIRunner.run(
                    try WASIModule(bytes: bytes), entry: invoke.map { .function($0, arguments: arguments) } ?? .command,
                    configuration: configuration, denialSink: denials.sink)
            // Printed after the guest's own output, as `wasmtime run` prints them.
            for value in result.returnedValues { print(value) }
            denials.summarize()
            throw ExitCode(Int32(truncatingIfNeeded: result.exitCode))
        } catch let error as WASIRunError {
            printError("capsule run: \(error)")
            denials.summarize()
            throw ExitCode(Self.exitCode(for: error))
        }
    }

    static func exitCode(for error: WASIRunError) -> Int32 {
        switch error {
        case .invalidArguments: 64
        case .invalidModule, .invalidComponent, .instantiation, .missingStart, .missingExport: 121
        case .trap: 122
        // As under `wasmtime run`, which reports an uncaught exception as an error (1), not a trap.
        case .uncaughtException: 1
        case .outOfFuel: 123
        case .memoryLimit: 124
        case .timeout: 125
        case .cancelled: 130
        }
    }
}
