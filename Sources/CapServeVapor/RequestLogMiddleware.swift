// A request log line a client cannot forge: Vapor's RouteLoggingMiddleware with the path escaped.
#if Vapor
import CapStd
import Vapor

/// Logs each request's method and path, as Vapor's `RouteLoggingMiddleware` does, with the path
/// escaped (``CapStd/Untrusted/printable(_:)``).
///
/// The stock middleware, which `Application.make` installs, writes the percent-decoded path as
/// it is, so a request for `/%0D%0Aforged` puts a line of the client's choosing into the log,
/// and `%1B` a terminal escape. Install this one in its place:
///
/// ```swift
/// app.middleware = Middlewares()
/// app.middleware.use(RequestLogMiddleware())
/// app.middleware.use(ErrorMiddleware.default(environment: app.environment))
/// ```
public struct RequestLogMiddleware: AsyncMiddleware {
    /// The level the line is logged at.
    public let level: Logger.Level

    /// - Parameter level: the level of each request's line; `info`, as Vapor's default.
    public init(level: Logger.Level = .info) {
        self.level = level
    }

    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path.removingPercentEncoding ?? request.url.path
        request.logger.log(level: level, "\(request.method) \(Untrusted.printable(path))")
        return try await next.respond(to: request)
    }
}
#endif
