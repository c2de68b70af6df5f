// One HTTP/1.1 request written byte for byte onto a loopback socket.
#if Hummingbird || Vapor
import NIOCore
import NIOPosix

extension LoopbackClient {
    /// Sends `GET target` exactly as given and returns the status and the bytes after the headers.
    ///
    /// For targets async-http-client cannot send: it rebuilds the path from Foundation's decoded
    /// `URL.path`, which is empty for an escape that is not UTF-8 (`%E9`), so it sends `/` instead.
    public func sendRaw(_ target: String) async throws -> (status: Int, body: [UInt8]) {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        var response: [UInt8] = []
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
            for try await var chunk in inbound { response += chunk.readBytes(length: chunk.readableBytes) ?? [] }
        }
        let separator = Array("\r\n\r\n".utf8)
        guard let end = (0...max(0, response.count - separator.count)).first(where: { response[$0...].starts(with: separator) }),
            let status = Int(String(decoding: response.dropFirst("HTTP/1.1 ".count).prefix(3), as: UTF8.self))
        else { throw RawResponseError(response: response) }
        return (status, Array(response[(end + separator.count)...]))
    }
}

/// A reply that is not an HTTP/1.1 response with headers.
public struct RawResponseError: Error, CustomStringConvertible {
    public let response: [UInt8]
    public var description: String { "not an HTTP/1.1 response: \(String(decoding: response.prefix(80), as: UTF8.self))" }
}
#endif
