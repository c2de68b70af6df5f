// Hummingbird static files from a CapStd Dir with Capsule's own answers: the Vapor adapter's core, not the stock middleware's parsing.
#if Hummingbird
import CapServe
import CapServeNIO
import CapStd
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// Serves the files beneath a `Dir` to GET and HEAD requests, before the routes:
///
/// ```swift
/// router.add(middleware: DirFileMiddleware<BasicRequestContext>(publicDir))
/// ```
///
/// The same rules and answers as CapServeVapor's `DirFileMiddleware`, over the same core
/// (``CapServe/ServedPath``, ``CapServe/ServedDirectory``, ``CapServe/FileResponse``): one
/// confined open per request, so symlinks that leave the directory, `..`, `%2e%2e`, NUL and
/// encoded separators (`%2F`) cannot reach a file outside it; the headers and the body come from
/// the same descriptor; `index.html` for a directory and a permanent redirect from `/docs` to
/// `/docs/` — to the path served, so `//docs` goes to `/docs/`, never to `//docs/`, which a
/// browser reads as the host `docs`; `Range` as RFC 9110 has it (a suffix range is the last
/// bytes, a range past the end of the file is clamped to it, 416 only when nothing of the file
/// is asked for); `ETag` with `If-None-Match`, `If-Modified-Since` and `If-Range`. Only regular
/// files and directories are served. A path that is refused or missing goes on to the next
/// responder (the routes, then Hummingbird's 404), the same way for both, so a client cannot tell
/// them apart; refusals are logged as denials, the client's path escaped.
///
/// Hummingbird's stock `FileMiddleware` with ``DirFileProvider`` keeps Hummingbird's own request
/// parsing, which answers differently (see the README); this middleware is the one to use.
///
/// The path is taken percent-encoded from the request and decoded once per name, so a name may
/// be any bytes, UTF-8 or not, written as escapes.
public struct DirFileMiddleware<Context: RequestContext>: RouterMiddleware {
    /// What a request for a directory without a trailing slash gets: a 301 to the path with
    /// `/` (`.redirect`), or nothing (`.none`).
    public typealias DirectoryAction = CapServeNIO.DirectoryAction

    let directory: ServedDirectory
    let indexFile: RawPath?
    let directoryAction: DirectoryAction
    let reads: FileReads
    let logger: Logger

    /// - Parameters:
    ///   - root: the directory to serve; pass a read-only view (`try dir.readOnly()`).
    ///   - indexFile: the file served for a path ending in `/`; nil serves nothing there.
    ///   - directoryAction: what a directory without a trailing slash gets.
    ///   - threadPool: where opens and reads run.
    ///   - chunkSize: the bytes read from disk per thread-pool call.
    ///   - logger: receives denials at `warning` and missing files at `debug`.
    public init(
        _ root: Dir, indexFile: String? = "index.html", directoryAction: DirectoryAction = .redirect, threadPool: NIOThreadPool = .singleton,
        chunkSize: Int = 256 * 1024, logger: Logger = Logger(label: "capsule.serve")
    ) {
        directory = ServedDirectory(root)
        self.indexFile = indexFile.map { RawPath($0) }
        self.directoryAction = directoryAction
        reads = FileReads(threadPool: threadPool, chunkSize: chunkSize)
        self.logger = logger
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        let answer = try await reads.answer(
            requestPath: request.uri.path, query: request.uri.query, in: directory, indexFile: indexFile, directoryAction: directoryAction,
            logger: logger)
        switch answer {
        case .file(let opened, let contentType): return response(for: opened, contentType: contentType, request: request)
        case .redirect(let location): return Response(status: .movedPermanently, headers: [.location: location])
        case .next: return try await next(request, context)
        }
    }

    private func response(for opened: OpenedFile, contentType: String, request: Request) -> Response {
        let plan = FileResponse(
            for: opened, contentType: contentType,
            request: FileRequestHeaders(
                range: request.headers[.range], ifRange: request.headers[.ifRange], ifNoneMatch: request.headers[values: .ifNoneMatch],
                ifModifiedSince: request.headers[.ifModifiedSince]))
        var headers = HTTPFields()
        for header in plan.headers {
            // HTTPField, which Hummingbird does not re-export.
            typealias Field = HTTPFields.Element
            if let name = Field.Name(header.name) { headers.append(Field(name: name, value: header.value)) }
        }
        let status = HTTPResponse.Status(code: plan.status.rawValue)
        guard let bytes = plan.bytes else {
            opened.file.close()
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        guard request.method != .head else {
            // The length the body would have, and no body.
            opened.file.close()
            headers[.contentLength] = String(plan.contentLength)
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        let reads = reads
        let body = ResponseBody(contentLength: Int(plan.contentLength)) { writer in
            defer { opened.file.close() }
            try await reads.read(opened.file, range: bytes, allocator: ByteBufferAllocator()) { chunk in try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }
}
#endif
