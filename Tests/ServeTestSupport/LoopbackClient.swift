// A real HTTP client on loopback that sends each path exactly as written.
#if Hummingbird || Vapor
import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One response as the client saw it.
public struct ServedResponse: Sendable, CustomStringConvertible {
    public let status: Int
    /// Header values by lowercased name (the first of each).
    public let headers: [String: String]
    public let body: [UInt8]

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The `Content-Type` without its parameters: `text/html` of `text/html; charset=utf-8`.
    public var mediaType: String? {
        header("content-type").map { String($0.prefix { $0 != ";" }.filter { $0 != " " }) }
    }

    public var description: String {
        let preview = String(decoding: body.prefix(40), as: UTF8.self).replacingNewlines
        return "\(status) \(body.count) B \(preview.isEmpty ? "" : "\"\(preview)\"")"
    }
}

extension String {
    fileprivate var replacingNewlines: String { split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "⏎") }
}

/// Sends requests to `127.0.0.1:port` with async-http-client, never following redirects.
public struct LoopbackClient: Sendable {
    public let port: Int
    let client: HTTPClient

    /// How long a response may take. Generous: the server's async handlers run on the
    /// cooperative pool, which the test process's synchronous guest runs can hold for seconds
    /// on a 2-core machine (a 10 s limit timed out there under the full suite); a server that
    /// never answers still fails.
    static let timeout = TimeAmount.seconds(60)

    public init(port: Int) {
        self.port = port
        client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: Self.timeout)))
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Runs `body` with a client for `127.0.0.1:port`, shut down however `body` ends.
    public static func with(port: Int, _ body: (LoopbackClient) async throws -> Void) async throws {
        let client = LoopbackClient(port: port)
        try await running({ try await body(client) }, finally: { try await client.shutdown() })
    }

    /// Sends `method path` with `headers`; the path goes on the wire as written (async-http-client
    /// takes the URL's percent-encoded path without normalizing `..` or `//`), unless an escape in
    /// it is not UTF-8: use ``sendRaw(_:)`` for those.
    public func send(_ path: String, method: String = "GET", headers: [(String, String)] = []) async throws -> ServedResponse {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: Self.timeout)
        var body = try await response.body.collect(upTo: 4 << 20)
        var fields: [String: String] = [:]
        for header in response.headers where fields[header.name.lowercased()] == nil { fields[header.name.lowercased()] = header.value }
        return ServedResponse(status: Int(response.status.code), headers: fields, body: body.readBytes(length: body.readableBytes) ?? [])
    }

    public func send(_ row: ServeCase) async throws -> ServedResponse {
        try await send(row.path, method: row.method, headers: row.headers)
    }
}
#endif
