// The store a guest runs in, its limits, and how a run ends: one lifecycle for modules and components.
import CapComponent
@_spi(Fuzzing) import WasmKit

/// Ends a guest run from inside a host function: `proc_exit`, `wasi:cli/exit`.
enum GuestStop: Error, CustomStringConvertible {
    case exit(UInt32)

    var description: String {
        switch self {
        case .exit(let code): "the guest exited with status \(code)"
        }
    }
}

/// The store one guest instance runs in, module or component, with what limits its runs: the
/// engine (metered only for a fuel budget), the memory limiter, the fuel, the interrupter; and
/// how a run ends, told by the type of what stopped it.
///
/// A fresh run makes one; a reused instance keeps its own and starts each run with
/// ``begin(limits:interrupter:)``. Confined to the thread running the instance.
final class RunStore {
    let store: Store
    let limiter: MemoryLimiter
    /// The limits and interrupter of the run in progress.
    private(set) var limits: WASILimits
    private(set) var interrupter: Interrupter

    /// A store for a first run under `limits`, stopped by `interrupter`; `eager` translates
    /// every function at instantiation, for instances that are reused.
    init(limits: WASILimits, interrupter: Interrupter, eager: Bool = false) {
        self.limits = limits
        self.interrupter = interrupter
        limiter = MemoryLimiter(limit: limits.maxMemoryBytes)
        store = Store(engine: WASIRunner.engine(for: limits, eager: eager))
        store.resourceLimiter = limiter
        if let budget = limits.fuel { store.fuel = Fuel(remaining: budget) }
    }

    /// Starts another run in the same store: its own memory limit, fuel budget and interrupter.
    func begin(limits: WASILimits, interrupter: Interrupter) {
        self.limits = limits
        self.interrupter = interrupter
        limiter.limit = limits.maxMemoryBytes
        if let budget = limits.fuel { store.fuel = Fuel(remaining: budget) }
    }

    /// What the run is measured by, from `start`.
    func meter(from start: ContinuousClock.Instant) -> RunMeter {
        RunMeter(start: start, limits: limits, store: store, limiter: limiter)
    }

    /// Refuses to begin a run that was cancelled or whose deadline passed before it began.
    func checkNotStopped() throws(WASIRunError) {
        do throws(Interrupted) { try interrupter.check() } catch {
            throw stop(by: error)
        }
    }

    /// How a run ends that `error` stopped, told by its type and by the type of what caused it
    /// (``ComponentError/rootCause``): the guest's exit, a limit, a stop by the interrupter, an
    /// uncaught exception, or a trap.
    func end(_ error: any Error) -> Result<GuestFinish, WASIRunError> {
        let cause = (error as? CapComponent.ComponentError)?.rootCause ?? error
        switch cause {
        // proc_exit and wasi:cli/exit: the guest finished.
        case GuestStop.exit(let code): return .success(GuestFinish(exitCode: code))
        // Refused by the host as the run began or while it ran (a missing export, arguments).
        case let refusal as WASIRunError: return .failure(refusal)
        default: break
        }
        // A deadline or cancellation: whatever the guest was doing when the check threw.
        if let stop = WASIRunError.stopped(by: interrupter, limits: limits) { return .failure(stop) }
        // Memory grew past the limit: the limiter threw, or a trap wraps its refusal.
        if let limit = (cause as? MemoryLimitExceeded) ?? limiter.exceeded {
            return .failure(.memoryLimit(requested: limit.requested, limit: limit.limit))
        }
        if let exception = cause as? WasmKitException {
            return .failure(.uncaughtException(TrapDescription.bounded(StartInstance.payload(of: exception))))
        }
        if let budget = limits.fuel, let trap = cause as? Trap, TrapDescription.isOutOfFuel(trap) {
            return .failure(.outOfFuel(budget: budget))
        }
        return .failure(.trap(TrapDescription.bounded("\(error)")))
    }

    /// How a run ends whose instantiation `error` stopped: as ``end(_:)`` says for an exit, a
    /// limit or the interrupter's stop; a trap (or anything else that refused the instance) is
    /// ``WASIRunError/instantiation(_:)`` naming it.
    func endInstantiation(_ error: any Error) -> Result<GuestFinish, WASIRunError> {
        switch end(error) {
        case .failure(.trap), .failure(.uncaughtException): .failure(.instantiation("\(error)"))
        case let ending: ending
        }
    }

    /// The stop of a run the interrupter ended before or between guest code.
    private func stop(by interrupted: Interrupted) -> WASIRunError {
        WASIRunError.stopped(by: interrupter, limits: limits) ?? .cancelled
    }
}
