// The interrupter a reused instance's interrupt points consult: the current run's.

/// Holds the ``Interrupter`` of the run in progress, which the `check` import of an instance's
/// interrupt points (``InterruptPoints``) consults. An instance reused for many runs keeps one
/// slot and is given each run's interrupter in turn.
///
/// Set only between runs, by the thread that holds the instance; read by its checks on that
/// same thread.
package final class InterrupterSlot: @unchecked Sendable {
    package var interrupter: Interrupter?

    package init(_ interrupter: Interrupter?) {
        self.interrupter = interrupter
    }

    /// Throws ``Interrupted`` if the current run must stop.
    package func check() throws(Interrupted) {
        try interrupter?.check()
    }
}
