// Vapor static files from a CapStd Dir: what Vapor's FileMiddleware does, with one confined open per request.
#if Vapor
import CapServe
import CapServeNIO
import CapStd
import NIOCore
import NIOPosix
import Vapor

/// Serves the files beneath a `Dir` to GET and HEAD requests, before the routes:
///
/// ```swift
/// app.middleware.use(DirFileMiddleware(publicDir))
/// ```
///
/// What Vapor's own `FileMiddleware` does — `index.html` for a directory, a permanent redirect
/// from `/docs` to `/docs/`, `Range` (206, and 416 past the end), `ETag` with `If-None-Match`,
/// `If-Modified-Since` and `If-Range`, content types, HEAD — over one confined open per request
/// (see ``CapServe/ServedDirectory``): symlinks that leave the directory, `..`, `%2e%2e`, NUL and
/// encoded separators cannot reach a file outside it, and the headers and the body come from the
/// same descriptor. Only regular files and directories are served. A path that is refused or
/// missing goes on to the next responder (the routes, then Vapor's 404), the same way for both,
/// so a client cannot tell them apart; refusals are logged as denials.
///
/// The path is taken percent-encoded from the request and decoded once per name, so a name may
/// be any bytes, UTF-8 or not, written as escapes.
public struct DirFileMiddleware: AsyncMiddleware {
    /// What a request for a directory without a trailing slash gets: a 301 to the path with
    /// `/` (`.redirect`), or nothing (`.none`).
    public typealias DirectoryAction = CapServeNIO.DirectoryAction

    let directory: ServedDirectory
    let indexFile: RawPath?
    let directoryAction: DirectoryAction
    let chunkSize: Int

    /// - Parameters:
    ///   - root: the directory to serve; pass a read-only view (`try dir.readOnly()`).
    ///   - indexFile: the file served for a path ending in `/`; nil serves nothing there.
    ///   - directoryAction: what a directory without a trailing slash gets.
    ///   - chunkSize: the bytes read from disk per thread-pool call.
    public init(_ root: Dir, indexFile: String? = "index.html", directoryAction: DirectoryAction = .redirect, chunkSize: Int = 256 * 1024) {
        directory = ServedDirectory(root)
        self.indexFile = indexFile.map { RawPath($0) }
        self.directoryAction = directoryAction
        self.chunkSize = chunkSize
    }

    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .GET || request.method == .HEAD else { return try await next.respond(to: request) }
        let reads = FileReads(threadPool: request.application.threadPool, chunkSize: chunkSize)
        let answer = try await reads.answer(
            requestPath: request.url.path, query: request.url.query, in: directory, indexFile: indexFile, directoryAction: directoryAction,
            logger: request.logger)
        switch answer {
        case .file(let opened, let contentType): return response(for: opened, contentType: contentType, request: request, reads: reads)
        case .redirect(let location): return request.redirect(to: location, redirectType: .permanent)
        case .next: return try await next.respond(to: request)
        }
    }

    private func response(for opened: OpenedFile, contentType: String, request: Request, reads: FileReads) -> Response {
        let plan = FileResponse(
            for: opened, contentType: contentType,
            request: FileRequestHeaders(
                range: request.headers.first(name: .range), ifRange: request.headers.first(name: .ifRange),
                ifNoneMatch: request.headers[.ifNoneMatch], ifModifiedSince: request.headers.first(name: .ifModifiedSince)))
        var headers = HTTPHeaders()
        for header in plan.headers { headers.add(name: header.name, value: header.value) }
        guard let bytes = plan.bytes else {
            opened.file.close()
            return Response(status: HTTPResponseStatus(statusCode: plan.status.rawValue), headers: headers, body: .empty)
        }
        let allocator = request.byteBufferAllocator
        let body = Response.Body(
            asyncStream: { writer in
                defer { opened.file.close() }
                do {
                    try await reads.read(opened.file, range: bytes, allocator: allocator) { chunk in try await writer.writeBuffer(chunk) }
                    try await writer.write(.end)
                } catch {
                    try await writer.write(.error(error))
                }
            }, count: Int(plan.contentLength), byteBufferAllocator: allocator)
        return Response(status: HTTPResponseStatus(statusCode: plan.status.rawValue), headers: headers, body: body)
    }
}
#endif
