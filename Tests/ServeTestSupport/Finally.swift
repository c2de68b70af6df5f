// An async `defer`: servers and clients on loopback must be shut down however a test ends.

/// Runs `body`, then `cleanup` whether `body` returned or threw. When both throw, `body`'s error
/// is the one that says what went wrong, so it wins.
public func running<T>(_ body: () async throws -> T, finally cleanup: () async throws -> Void) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        try? await cleanup()
        throw error
    }
    try await cleanup()
    return result
}
