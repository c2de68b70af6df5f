// Debug-only failures injected into openat2, to prove the fallback and retry paths run.
#if DEBUG
import SystemPackage
import Synchronization

/// A plan of errors that the next `openat2` calls of the current task fail with, in order.
///
/// Task-local, so tests running in parallel do not see each other's plans. Compiled only into
/// debug builds: a release build has no way to make CapStd fail on purpose.
package final class FaultInjection: Sendable {
    @TaskLocal package static var current: FaultInjection?

    private let state: Mutex<(failures: [Errno], kernelCalls: Int, userspaceCalls: Int, kernelUnavailable: Bool)>

    package init(openat2Failures: [Errno]) {
        state = Mutex((openat2Failures, 0, 0, false))
    }

    /// Whether an injected ENOSYS made this task's resolution give up on openat2.
    package var kernelMarkedUnavailable: Bool { state.withLock { $0.kernelUnavailable } }

    func markKernelUnavailable() {
        state.withLock { $0.kernelUnavailable = true }
    }

    /// How many times resolution called `openat2` (including injected failures).
    package var kernelCalls: Int { state.withLock { $0.kernelCalls } }
    /// How many times resolution ran the userspace walk.
    package var userspaceCalls: Int { state.withLock { $0.userspaceCalls } }
    /// Failures planned but not yet delivered.
    package var pendingFailures: Int { state.withLock { $0.failures.count } }

    static func nextOpenat2Failure() -> Errno? {
        guard let plan = current else { return nil }
        return plan.state.withLock { state in
            state.kernelCalls += 1
            return state.failures.isEmpty ? nil : state.failures.removeFirst()
        }
    }

    static func recordUserspaceCall() {
        current?.state.withLock { $0.userspaceCalls += 1 }
    }
}
#endif
