// What one run did, however it ended: its outcome in one word and the figures an operator watches.
import WasmKit

/// What one run did, however it ended: how it ended, how long it took and what it used.
///
/// A run that finishes carries its report in ``WASIRunResult/report``. A plugin host keeps one
/// for every run, failed ones included, and emits it as metrics and a trace span
/// (`PluginHost`); ``WASIRunner`` only measures.
public struct RunReport: Sendable, Equatable {
    /// How a run ended: one word each, the `outcome` of metrics and spans.
    public enum Outcome: String, Sendable, CaseIterable {
        /// The guest finished: its entry returned or it called exit, whatever the exit code.
        case exited
        /// The guest trapped, or threw a WebAssembly exception that nothing caught.
        case trap
        /// The run passed its deadline (``WASILimits/timeout`` or its interrupter's).
        case timeout
        /// The run's interrupter was cancelled, or the task awaiting the run was.
        case cancelled
        /// The guest used up its fuel budget.
        case outOfFuel = "out-of-fuel"
        /// The guest asked for more linear memory than ``WASILimits/maxMemoryBytes``.
        case memoryLimit = "memory-limit"
        /// The guest never ran: the module or component was refused or could not be
        /// instantiated, or it lacks the entry the run calls.
        case notStarted = "not-started"

        /// The outcome a run that threw `error` had.
        public init(_ error: WASIRunError) {
            self =
                switch error {
                case .trap, .uncaughtException: .trap
                case .timeout: .timeout
                case .cancelled: .cancelled
                case .outOfFuel: .outOfFuel
                case .memoryLimit: .memoryLimit
                case .invalidModule, .invalidComponent, .instantiation, .missingStart, .missingExport, .invalidArguments:
                    .notStarted
                }
        }
    }

    /// How the run ended.
    public let outcome: Outcome
    /// The guest's exit code when it ``Outcome/exited``.
    public let exitCode: UInt32?
    /// Wall-clock time from the start of the run (instantiation included) to its end.
    public let duration: Duration
    /// Fuel consumed, where the run had a budget.
    public let fuelUsed: UInt64?
    /// The size the largest linear memory of the instance reached, in bytes (0 if the guest
    /// never got an instance). For a reused instance, memory grown by earlier runs counts, and
    /// memory a pool grew ahead of runs (``InstanceReuse/reservesGrowth``).
    public let peakMemoryBytes: Int
    /// The most descriptors open at once, counted as ``WASILimits/maxDescriptors`` counts them:
    /// standard streams and preopens included, and for WASI 0.2 every resource of the instance.
    public let peakOpenDescriptors: Int
    /// How many operations were refused (``Denial``).
    public let denials: Int

    public init(
        outcome: Outcome, exitCode: UInt32?, duration: Duration, fuelUsed: UInt64?, peakMemoryBytes: Int, peakOpenDescriptors: Int,
        denials: Int
    ) {
        self.outcome = outcome
        self.exitCode = exitCode
        self.duration = duration
        self.fuelUsed = fuelUsed
        self.peakMemoryBytes = peakMemoryBytes
        self.peakOpenDescriptors = peakOpenDescriptors
        self.denials = denials
    }
}

/// How a run ended together with its report: what the synchronous runs compute, for the
/// throwing public forms to unwrap and for a plugin host to report failed runs too.
package struct RunEnd: Sendable {
    package let result: Result<WASIRunResult, WASIRunError>
    package let report: RunReport
    /// Every refused operation, in order, however the run ended.
    package let denials: [Denial]

    /// A run that ended before it had an instance to measure (or, for a plugin host, before it
    /// had a thread).
    package init(failure error: WASIRunError, startedAt start: ContinuousClock.Instant) {
        result = .failure(error)
        report = RunReport(
            outcome: RunReport.Outcome(error), exitCode: nil, duration: start.duration(to: .now), fuelUsed: nil, peakMemoryBytes: 0,
            peakOpenDescriptors: 0, denials: 0)
        denials = []
    }

    init(result: Result<WASIRunResult, WASIRunError>, report: RunReport, denials: [Denial]) {
        self.result = result
        self.report = report
        self.denials = denials
    }
}

/// How a guest that was not stopped finished: its exit code, and what an invoked export returned.
struct GuestFinish: Equatable {
    var exitCode: UInt32
    var returnedValues: [String] = []
}

/// What a run is measured by: its start, its limits, and the store and limiter of its instance.
struct RunMeter {
    let start: ContinuousClock.Instant
    let limits: WASILimits
    let store: Store
    let limiter: MemoryLimiter

    /// The run's end: `exitCode` for a guest that finished, or the error that stopped it; with
    /// the descriptor high-water mark and the denials its host counted.
    func end(
        _ ending: Result<GuestFinish, WASIRunError>, peakOpenDescriptors: Int, denials: [Denial], stdout: [UInt8], stderr: [UInt8]
    ) -> RunEnd {
        let duration = start.duration(to: .now)
        let fuelUsed = limits.fuel.map { $0 - min($0, store.fuel?.remaining ?? 0) }
        let outcome: RunReport.Outcome
        let exitCode: UInt32?
        switch ending {
        case .success(let finish): (outcome, exitCode) = (.exited, finish.exitCode)
        case .failure(let error): (outcome, exitCode) = (RunReport.Outcome(error), nil)
        }
        let report = RunReport(
            outcome: outcome, exitCode: exitCode, duration: duration, fuelUsed: fuelUsed, peakMemoryBytes: limiter.peakBytes,
            peakOpenDescriptors: peakOpenDescriptors, denials: denials.count)
        let result = ending.map { finish in
            WASIRunResult(
                exitCode: finish.exitCode, returnedValues: finish.returnedValues, stdout: stdout, stderr: stderr, denials: denials,
                report: report)
        }
        return RunEnd(result: result, report: report, denials: denials)
    }
}
