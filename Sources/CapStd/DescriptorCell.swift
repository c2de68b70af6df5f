// One owned file descriptor that is closed exactly once, and never while an operation uses it.
import Synchronization

/// Owns a descriptor shared by concurrent operations.
///
/// A descriptor number closed while another thread is still using it can be reused by an
/// unrelated `open`, and a path resolved against the reused number would escape its `Dir`.
/// So every use holds a reference; `close()` only marks the cell, and the last user (or `close()`
/// itself when nobody is using it) releases the descriptor.
struct DescriptorCell: ~Copyable, Sendable {
    let fd: Int32
    /// Bit 0: closed. The rest: twice the number of operations using the descriptor.
    private let state = Atomic<Int>(0)

    init(_ fd: Int32) {
        self.fd = fd
    }

    /// Marks the descriptor in use, or returns false if it is closed. Pair with ``release()``.
    ///
    /// Never joins once the cell is closed: exactly one party then sees the count reach zero —
    /// `close()` itself, or the last operation that was already running — and closes the descriptor.
    @inline(__always)
    func acquire() -> Bool {
        var current = state.load(ordering: .relaxed)
        while true {
            if current & 1 != 0 { return false }
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: current + 2, ordering: .acquiring)
            if exchanged { return true }
            current = original
        }
    }

    @inline(__always)
    func release() {
        if state.subtract(2, ordering: .releasing).newValue == 1 {
            Syscalls.close(fd)
        }
    }

    /// Closes the descriptor now, or as soon as the operations using it finish. Idempotent.
    func close() {
        let previous = state.bitwiseOr(1, ordering: .acquiringAndReleasing).oldValue
        if previous == 0 { Syscalls.close(fd) }
    }

    var isClosed: Bool { state.load(ordering: .relaxed) & 1 != 0 }

    /// Called from the owner's deinit, when no operation can still hold the descriptor.
    func closeIfOpen() {
        if state.load(ordering: .relaxed) & 1 == 0 { Syscalls.close(fd) }
    }
}
