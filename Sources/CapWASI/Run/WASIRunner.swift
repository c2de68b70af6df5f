// Compiling a guest module once and running it in a fresh, confined instance.
import CapComponent
import CapStd
import Logging
import Synchronization
import WasmKit

/// A parsed WebAssembly module, ready to be run any number of times.
public struct WASIModule: Sendable {
    let module: Module
    /// The instrumented binary, kept for a ``WASIInstancePool`` to rewrite (WasmKit's parsed
    /// module holds slices of it anyway).
    let bytes: [UInt8]

    /// Parses and validates `bytes`, with interrupt points added so that a deadline or a
    /// cancellation can stop any run (``InterruptPoints``), and a known `memcpy` given its
    /// `memory.copy` path (``MemcpyFastPath``). The engine translates functions lazily, on first
    /// call.
    ///
    /// - Throws: ``WASIRunError/invalidModule(_:)`` naming what is wrong.
    public init(bytes: [UInt8]) throws(WASIRunError) {
        try self.init(bytes: bytes, interruptPoints: true)
    }

    /// Without interrupt points (`interruptPoints: false`), only a host call can stop a run:
    /// for capsule-bench to measure what the points cost.
    package init(bytes: [UInt8], interruptPoints: Bool) throws(WASIRunError) {
        guard interruptPoints else {
            do { module = try parseWasm(bytes: bytes) } catch { throw .invalidModule("\(error)") }
            self.bytes = bytes
            return
        }
        // The same rewrite and parse as a component's core modules get.
        do { (module, self.bytes) = try InterruptPoints.parseInstrumented(bytes) } catch { throw .invalidModule("\(error)") }
    }
}

/// How a guest run ended when it did not end normally.
public enum WASIRunError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a valid WebAssembly module.
    case invalidModule(String)
    /// The bytes are not a component this runtime can run.
    case invalidComponent(String)
    /// The module imports something no host provides, or cannot be instantiated.
    case instantiation(String)
    /// The module exports neither `_start` nor a reactor's `_initialize` (nor the default
    /// export `""`).
    case missingStart
    /// The module or component does not export the function a run calls (`wasi:cli/run`, or
    /// the one named); the message lists what it does export.
    case missingExport(String)
    /// The arguments given for an invoked function do not fit its parameters (too few, or one
    /// not of its type); nothing was called but a reactor's `_initialize`.
    case invalidArguments(String)
    /// The guest trapped (unreachable, out-of-bounds access, stack exhaustion, ...). The
    /// description holds the trap and at most ``TrapDescription/maxFrames`` frames of its
    /// backtrace, then how many more there were, each line escaped.
    case trap(String)
    /// A module's WebAssembly exception reached its entry uncaught (a C++ `throw` nothing
    /// catches, under `-fwasm-exceptions`); the payload values are given.
    case uncaughtException(String)
    /// The fuel budget ran out.
    case outOfFuel(budget: UInt64)
    /// Linear memory would have grown past the limit.
    case memoryLimit(requested: Int, limit: Int)
    /// The wall-clock limit (``WASILimits/timeout``) passed, and the guest was stopped.
    case timeout(Duration)
    /// The run was cancelled (its task, or the ``Interrupter`` it was given), and the guest
    /// was stopped.
    case cancelled

    public var description: String {
        switch self {
        // The reasons quote names from the guest's bytes (imports, exports, sections), escaped
        // here; a trap's is escaped line by line where it is made (TrapDescription).
        case .invalidModule(let reason): "invalid WebAssembly module: \(Untrusted.printable(reason))"
        case .invalidComponent(let reason): "invalid WebAssembly component: \(Untrusted.printable(reason))"
        case .instantiation(let reason): "cannot instantiate the module or component: \(Untrusted.printable(reason))"
        case .missingStart: "the module exports no _start function (nor _initialize, as a reactor would)"
        case .missingExport(let message): Untrusted.printable(message)
        case .invalidArguments(let message): "invalid arguments: \(Untrusted.printable(message))"
        case .trap(let reason): "the guest trapped: \(reason)"
        case .uncaughtException(let payload): "the guest threw a WebAssembly exception that nothing caught (payload: \(payload))"
        case .outOfFuel(let budget): "the guest ran out of fuel (budget \(budget))"
        case .memoryLimit(let requested, let limit): "the guest asked for \(requested) bytes of memory (limit \(limit))"
        case .timeout(let limit): "the guest exceeded its time limit of \(limit)"
        case .cancelled: "the run was cancelled"
        }
    }

    /// How a run ended that `interrupter` stopped, or `nil` if it did not stop it.
    static func stopped(by interrupter: Interrupter, limits: WASILimits) -> WASIRunError? {
        switch interrupter.stopReason {
        case .deadline?: .timeout(limits.timeout ?? .zero)
        case .cancelled?: .cancelled
        case nil: nil
        }
    }
}

/// What a finished guest run produced.
public struct WASIRunResult: Sendable {
    /// The code passed to `proc_exit`, or 0 if the entry returned.
    public let exitCode: UInt32
    /// What an invoked function (``ModuleEntry/function(_:arguments:)``,
    /// ``ComponentEntry/invocation(_:)``) returned, as `wasmtime run --invoke` prints it: one
    /// text per core value, or one WAVE text of a component function's result (`()` for none).
    /// Empty for commands.
    public let returnedValues: [String]
    /// Standard output and error, where they were captured.
    public let stdout: [UInt8]
    public let stderr: [UInt8]
    /// Every refused operation, in order.
    public let denials: [Denial]
    /// What the run did: outcome, duration, fuel, peak memory and descriptors, denials.
    public let report: RunReport

    /// Fuel consumed, where a budget was set.
    public var fuelUsed: UInt64? { report.fuelUsed }
    /// Wall-clock time of the run, instantiation included.
    public var wallTime: Duration { report.duration }

    init(exitCode: UInt32, returnedValues: [String], stdout: [UInt8], stderr: [UInt8], denials: [Denial], report: RunReport) {
        self.exitCode = exitCode
        self.returnedValues = returnedValues
        self.stdout = stdout
        self.stderr = stderr
        self.denials = denials
        self.report = report
    }
}

/// Runs WASI preview 1 guests whose file system is CapStd.
public enum WASIRunner {
    /// The engines every run shares; stores never are. WasmKit 0.4.2 translates each function
    /// lazily per instance (measured: most of an instance start), so only the configuration is
    /// shared. Metering is a translation setting: it puts a fuel check into every straight-line
    /// region of code, which costs time even with no budget set (measured in `capsule-bench`),
    /// so only runs with a fuel budget get the metering engine. Eager translation is for
    /// instances that are reused (``WASIInstancePool``): it pays the whole translation once.
    static let meteredEngine = Engine(configuration: EngineConfiguration(fuelMetering: true))
    static let unmeteredEngine = Engine(configuration: EngineConfiguration(fuelMetering: false))
    static let eagerMeteredEngine = Engine(configuration: EngineConfiguration(compilationMode: .eager, fuelMetering: true))
    static let eagerUnmeteredEngine = Engine(configuration: EngineConfiguration(compilationMode: .eager, fuelMetering: false))

    static func engine(for limits: WASILimits, eager: Bool = false) -> Engine {
        switch (limits.fuel == nil, eager) {
        case (true, false): unmeteredEngine
        case (false, false): meteredEngine
        case (true, true): eagerUnmeteredEngine
        case (false, true): eagerMeteredEngine
        }
    }

    /// Runs `module` in a new instance with `configuration`, on the calling thread: `_start`,
    /// or a reactor's `_initialize` and default export, or the function `entry` names. Every
    /// descriptor the instance opened is closed when this returns or throws; preopened `Dir`s
    /// stay the embedder's.
    ///
    /// - Parameters:
    ///   - entry: What to call (``ModuleEntry``); by default what `wasmtime run` calls.
    ///   - denialSink: receives each refused operation as it happens (they are also in the
    ///     result); by default a `.notice` line on the `capsule.wasi` logger.
    ///   - interrupter: Cancel it from any thread to stop the run (``WASIRunError/cancelled``);
    ///     its deadline, if it has one, applies as well as ``WASILimits/timeout``.
    /// - Throws: ``WASIRunError``; ``WASIRunError/timeout(_:)`` once ``WASILimits/timeout`` has
    ///   passed, wherever the guest is (``InterruptPoints``).
    public static func run(
        _ module: WASIModule, entry: ModuleEntry = .command, configuration: WASIConfiguration,
        denialSink: DenialSink? = Denial.logging(to: Logger(label: "capsule.wasi")), interrupter: Interrupter? = nil
    ) throws(WASIRunError) -> WASIRunResult {
        try runReporting(module, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter).result.get()
    }

    /// ``run(_:entry:configuration:denialSink:interrupter:)``, with the report of a failed run too.
    package static func runReporting(
        _ module: WASIModule, entry: ModuleEntry = .command, configuration: WASIConfiguration, denialSink: DenialSink?,
        interrupter: Interrupter?
    ) -> RunEnd {
        let start = ContinuousClock.now
        let interrupter = Self.interrupter(for: configuration.limits, startingAt: start, following: interrupter)
        let instance: StartInstance
        do throws(WASIRunError) {
            instance = try StartInstance(
                module.module, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter)
        } catch {
            return RunEnd(failure: error, startedAt: start)
        }
        defer { instance.host.closeAll() }
        return instance.run(configuration: configuration, denialSink: denialSink, interrupter: interrupter, startedAt: start)
    }

    /// The interrupter of one run: its deadline the earlier of `limits.timeout` after `start`
    /// and the embedder's, cancelled with the embedder's.
    static func interrupter(for limits: WASILimits, startingAt start: ContinuousClock.Instant, following given: Interrupter?) -> Interrupter {
        let deadlines = [limits.timeout.map { start + $0 }, given?.deadline].compactMap { $0 }
        return Interrupter(deadline: deadlines.min(), following: given)
    }
}

struct MemoryLimitExceeded: Error {
    let requested: Int
    let limit: Int
}

/// Ends the instance when linear memory would grow past the limit, rather than letting the
/// guest carry on with a failed `memory.grow` it may not check.
final class MemoryLimiter: ResourceLimiter {
    private let limitBytes: Atomic<Int>
    private let refused = Mutex<MemoryLimitExceeded?>(nil)
    private let tableGrowths = Atomic<Int>(0)
    private let peak = Atomic<Int>(0)

    /// The largest size, in bytes, a memory of the instance was created with or grew to.
    var peakBytes: Int { peak.load(ordering: .relaxed) }

    /// The growth that was refused, if any: a component run sees it only wrapped in a trap.
    var exceeded: MemoryLimitExceeded? { refused.withLock { $0 } }

    /// The largest a memory may grow to; a reused instance's runs may each set their own.
    var limit: Int {
        get { limitBytes.load(ordering: .relaxed) }
        set { limitBytes.store(newValue, ordering: .relaxed) }
    }

    /// How many times a table was created or grown: a reused instance whose tables grew
    /// cannot be put back, and WasmKit shows a table's size only to the guest.
    var tableGrowthCount: Int { tableGrowths.load(ordering: .relaxed) }

    init(limit: Int) {
        limitBytes = Atomic(limit)
    }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        let limit = self.limit
        if desired > limit {
            let refusal = MemoryLimitExceeded(requested: desired, limit: limit)
            refused.withLock { $0 = refusal }
            throw refusal
        }
        _ = peak.max(desired, ordering: .relaxed)
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        tableGrowths.add(1, ordering: .relaxed)
        return desired <= 1_000_000
    }
}
