// A value behind a pthread mutex: the lock of the guest executor's queue, visible to ThreadSanitizer.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value that one thread at a time reads or changes, under a `pthread_mutex_t`.
///
/// The guest executor's queue uses this rather than `Synchronization.Mutex`, which on Linux
/// waits on futexes that ThreadSanitizer does not see: every access under it is reported as a
/// race (Documentation/platform-facts.md), so a sanitizer run could not check the executor.
///
/// Thread safety: ``withLock(_:)`` may be called from any thread; it is not reentrant.
final class ThreadLock<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` on the value with the lock held.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
