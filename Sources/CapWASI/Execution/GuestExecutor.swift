// Threads of Capsule's own for guest code, so that awaiting a run never holds a cooperative thread.
import CapComponent
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A bounded pool of threads on which the `async` forms of the runners execute guest code.
///
/// Swift's cooperative pool has one thread per core; a guest run on it would hold that thread
/// for its whole length, and a few long runs would starve every other task of the process (a
/// server's request handling among them). The `async` runs hand the guest to an executor
/// instead and suspend the awaiting task until the run ends, so the cooperative pool stays free.
///
/// At most ``threadLimit`` guests run at once; further runs wait in order of submission, and
/// a run cancelled while it waits ends as soon as a thread takes it, without instantiating.
/// Threads are started as runs need them, up to the limit, and then kept for later runs.
///
/// Thread safety: every method may be called from any thread or task.
public final class GuestExecutor: Sendable {
    /// The executor the runners use unless given another: one thread per active core.
    public static let shared = GuestExecutor(threads: GuestExecutor.activeCores)

    /// How many guests may run at once.
    public let threadLimit: Int
    /// Each thread's stack: WasmKit keeps the guest's own stack elsewhere, but a host call that
    /// calls back into the guest (a component's lowered calls) nests native frames.
    static let stackBytes = 8 << 20

    private let threads: Threads

    /// - Parameter threads: How many guests may run at once (at least 1).
    public init(threads: Int) {
        threadLimit = max(1, threads)
        self.threads = Threads(limit: threadLimit)
    }

    /// Lets the threads end once they are idle.
    deinit {
        threads.shutDown()
    }

    /// Whether the calling thread is one of an executor's (for tests: where guest code runs).
    package static var isExecutorThread: Bool {
        pthread_getspecific(Threads.marker) != nil
    }

    /// The processors this process may run on.
    static var activeCores: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Runs `body` on one of the executor's threads and suspends the caller until it returns.
    /// Cancelling the awaiting task cancels `interrupter`, which stops the guest at its next
    /// check (or before it starts, if it is still waiting for a thread).
    package func run<Value: Sendable>(
        cancelling interrupter: Interrupter, _ body: @escaping @Sendable () throws(WASIRunError) -> Value
    ) async throws(WASIRunError) -> Value {
        let job = Job(body)
        let outcome: Result<Value, WASIRunError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                threads.submit { continuation.resume(returning: job.run()) }
            }
        } onCancel: {
            interrupter.cancel()
        }
        return try outcome.get()
    }
}

/// One run's body, let go of before its caller resumes: what it captured (a tenant's `Dir`s, say)
/// is released by the time the awaiting task sees the result. Touched by one thread at a time.
private final class Job<Value: Sendable>: @unchecked Sendable {
    private var body: (@Sendable () throws(WASIRunError) -> Value)?

    init(_ body: @escaping @Sendable () throws(WASIRunError) -> Value) {
        self.body = body
    }

    func run() -> Result<Value, WASIRunError> {
        guard let body else { return .failure(.cancelled) }
        self.body = nil
        return Result { () throws(WASIRunError) in try body() }
    }
}

/// The queue and the threads behind a ``GuestExecutor``; the threads hold it, not the executor.
private final class Threads: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var started = 0
        var idle = 0
        var shuttingDown = false

        var queued: Int { jobs.count - head }

        mutating func take() -> (@Sendable () -> Void)? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            return job
        }
    }

    private let limit: Int
    private let state = ThreadLock(State())
    /// Signalled once per queued job, and once per thread when shutting down.
    private let available = DispatchSemaphore(value: 0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Queues `job` for the next free thread, starting a thread if none is idle and the limit
    /// allows.
    func submit(_ job: @escaping @Sendable () -> Void) {
        let start = state.withLock { state in
            state.jobs.append(job)
            guard state.idle < state.queued, state.started < limit else { return false }
            state.started += 1
            return true
        }
        if start && !startThread() {
            // No thread could be made. With none at all the job runs here rather than never.
            let inline = state.withLock { state in
                state.started -= 1
                return state.started == 0 ? state.take() : nil
            }
            if let inline {
                inline()
                return
            }
        }
        available.signal()
    }

    func shutDown() {
        let started = state.withLock { state in
            state.shuttingDown = true
            return state.started
        }
        for _ in 0..<started { available.signal() }
    }

    /// Marks the threads of every executor: set to a non-nil value on them, nil elsewhere.
    static let marker: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    private func work() {
        pthread_setspecific(Self.marker, UnsafeRawPointer(bitPattern: 1))
        while true {
            state.withLock { $0.idle += 1 }
            available.wait()
            let job = state.withLock { state in
                state.idle -= 1
                return state.take()
            }
            guard let job else {
                if state.withLock({ $0.shuttingDown }) { return }
                continue
            }
            job()
        }
    }

    /// Starts a detached thread running ``work()``; `false` if the system refused.
    private func startThread() -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, GuestExecutor.stackBytes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, &attributes, { context in
            Unmanaged<Threads>.fromOpaque(context!).takeRetainedValue().work()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<Threads>.fromOpaque(context).release()
            return false
        }
        return true
    }
}
