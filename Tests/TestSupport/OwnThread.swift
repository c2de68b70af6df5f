// Long synchronous work in a test, off Swift's cooperative pool.
import Foundation

/// Runs `body` on a thread of its own and awaits its result. Swift Testing runs synchronous
/// tests on the cooperative pool (as many threads as cores: 2 on CI): a test that computes or
/// waits there for seconds holds back every other test's awaits (servers time out, awaited runs
/// resume late). Measured in platform facts.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
