// When a running guest must stop: its deadline passed, or someone cancelled it.
import Dispatch
import Synchronization

/// The stop conditions of one guest run, checked by the guest itself and by blocking host calls.
///
/// Every core module is instrumented at load (``InterruptPoints``): it calls ``check()`` every
/// ``InterruptPoints/loopInterval`` iterations of a loop in one activation, every
/// ``InterruptPoints/entryInterval`` entries of functions that loop or call, and before each
/// 64 KiB piece of a large bulk memory operation. Host functions call ``check()`` too, and
/// sleep through ``sleep(until:)``. Once the deadline has passed or ``cancel()`` was called, the
/// next check throws ``Interrupted``, which unwinds the guest back to the embedder; ``stopReason``
/// then says why. Nothing is written into WasmKit's objects from another thread: the guest asks.
///
/// **Guarantee.** A guest passes a check after a bounded amount of work, whatever its code: the
/// bound ``InterruptPoints`` states (intervals of loop iterations and function entries, and one
/// piece of a bulk operation).
///
/// **Non-goals.** A host function that blocks without going through ``sleep(until:)`` is not
/// woken; a check cannot stop the host's own code.
///
/// Thread safety: ``cancel()`` and the properties may be used from any thread; ``check()`` and
/// ``sleep(until:)`` are called by the thread running the guest.
public final class Interrupter: Sendable {
    /// Why a guest was stopped.
    public enum Reason: UInt8, Sendable, Hashable, CustomStringConvertible {
        /// The deadline passed.
        case deadline = 1
        /// ``cancel()`` was called, on this interrupter or the one it follows.
        case cancelled = 2

        public var description: String {
            switch self {
            case .deadline: "the deadline passed"
            case .cancelled: "the run was cancelled"
            }
        }
    }

    /// When the guest must stop, or `nil` for no deadline.
    public let deadline: ContinuousClock.Instant?
    /// An interrupter whose cancellation this one shares (an embedder's handle for a run whose
    /// own interrupter carries the run's deadline).
    private let followed: Interrupter?
    private let cancelled = Atomic<Bool>(false)
    /// The reason a check threw, once it has (0 until then).
    private let raised = Atomic<UInt8>(0)
    /// Wakes a guest sleeping in ``sleep(until:)`` when this interrupter is cancelled.
    private let wake = DispatchSemaphore(value: 0)

    /// The longest a sleeping guest waits before looking again at the interrupter it follows,
    /// whose cancellation does not signal this one's semaphore.
    static let followedPollInterval: Duration = .milliseconds(10)

    /// - Parameters:
    ///   - deadline: When a check starts throwing; `nil` for never.
    ///   - following: Another interrupter whose ``cancel()`` also stops this run.
    public init(deadline: ContinuousClock.Instant? = nil, following: Interrupter? = nil) {
        self.deadline = deadline
        followed = following
    }

    /// Stops the guest at its next check, and wakes it if it sleeps. May be called from any
    /// thread, any number of times, before or during the run.
    public func cancel() {
        if !cancelled.exchange(true, ordering: .sequentiallyConsistent) { wake.signal() }
    }

    /// Whether ``cancel()`` was called here or on the interrupter this one follows.
    public var isCancelled: Bool {
        cancelled.load(ordering: .relaxed) || followed?.isCancelled == true
    }

    /// Why the guest should stop now, if it should.
    public var pendingReason: Reason? {
        if isCancelled { return .cancelled }
        if let deadline, ContinuousClock.now >= deadline { return .deadline }
        return nil
    }

    /// The reason a check stopped the guest, or `nil` if none did (a run that ended some other
    /// way, even after the deadline, was not stopped by this interrupter).
    public var stopReason: Reason? {
        Reason(rawValue: raised.load(ordering: .acquiring))
    }

    /// Throws ``Interrupted`` if the guest must stop, and remembers why.
    public func check() throws(Interrupted) {
        guard let reason = pendingReason else { return }
        raised.store(reason.rawValue, ordering: .releasing)
        throw Interrupted(reason: reason)
    }

    /// Sleeps until `instant`, or until the deadline or a cancellation, whichever comes first;
    /// then throws ``Interrupted`` if the guest must stop.
    public func sleep(until instant: ContinuousClock.Instant) throws(Interrupted) {
        while true {
            try check()
            let now = ContinuousClock.now
            var until = min(instant, deadline ?? instant)
            if followed != nil { until = min(until, now + Self.followedPollInterval) }
            guard until > now else { return }
            let (seconds, attoseconds) = now.duration(to: until).components
            let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
            _ = wake.wait(timeout: .now() + .nanoseconds(Int(clamping: max(nanoseconds, 1))))
            if ContinuousClock.now >= instant {
                try check()
                return
            }
        }
    }
}

/// Thrown by ``Interrupter/check()`` to unwind a guest that must stop.
public struct Interrupted: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: Interrupter.Reason

    public var description: String { "the guest was stopped: \(reason)" }
}
