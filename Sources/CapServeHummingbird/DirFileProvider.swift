// Hummingbird's stock FileMiddleware, serving from a CapStd Dir instead of a folder path.
#if Hummingbird
import CapServe
import CapServeNIO
import CapStd
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A `FileProvider` that serves only what lies beneath a `Dir`, for Hummingbird's own middleware:
///
/// ```swift
/// router.add(middleware: FileMiddleware(fileProvider: DirFileProvider(publicDir), searchForIndexHtml: true))
/// ```
///
/// Each request is one confined open (see ``CapServe/ServedDirectory``): symlinks that leave the
/// directory, `..`, NUL and encoded separators cannot reach a file outside it, whatever the
/// middleware's own checks miss. The identifier carries the descriptor opened for the headers
/// to the body, so both describe the same file. Only regular files and directories are served;
/// every refusal and every missing file get the middleware's same 404, and refusals are logged
/// as denials. Ranges are clamped to the file here, since the middleware passes them unclamped.
///
/// Path names reach a provider already percent-decoded by the middleware, with bytes that are
/// not UTF-8 turned into U+FFFD: a file whose name is not UTF-8 cannot be asked for.
public struct DirFileProvider: FileProvider {
    /// What the middleware builds its headers from, taken from the open descriptor.
    public struct FileAttributes: FileMiddlewareFileAttributes, Sendable {
        public let isFolder: Bool
        public let size: Int
        public let modificationDate: Date
    }

    /// One request's path, and the file opened for it by ``getAttributes(id:)``.
    public final class FileIdentifier: Sendable {
        let requestPath: String
        let path: ServedPath
        let opened = Mutex<OpenedFile?>(nil)

        init(requestPath: String, path: ServedPath) {
            self.requestPath = requestPath
            self.path = path
        }
    }

    let directory: ServedDirectory
    let reads: FileReads
    let logger: Logger
    let allocator = ByteBufferAllocator()

    /// - Parameters:
    ///   - root: the directory to serve; pass a read-only view (`try dir.readOnly()`).
    ///   - threadPool: where opens and reads run.
    ///   - logger: receives denials at `warning` and missing files at `debug`.
    public init(_ root: Dir, threadPool: NIOThreadPool = .singleton, logger: Logger = Logger(label: "capsule.serve")) {
        directory = ServedDirectory(root)
        reads = FileReads(threadPool: threadPool)
        self.logger = logger
    }

    public func getFileIdentifier(_ path: String) -> FileIdentifier? {
        do {
            return FileIdentifier(requestPath: path, path: try ServedPath(decoded: path))
        } catch {
            logger.log(ServeRefusal(requestPath: path, reason: .requestPath(error)))
            return nil
        }
    }

    public func getAttributes(id: FileIdentifier) async throws -> FileAttributes? {
        let entry: ServedEntry
        do {
            entry = try await reads.open(id.path, requestPath: id.requestPath, in: directory)
        } catch let refusal as ServeRefusal {
            logger.log(refusal)
            return nil
        }
        switch entry {
        case .directory(let metadata):
            return FileAttributes(isFolder: true, size: 0, modificationDate: Date(metadata.modified))
        case .file(let opened):
            let previous = id.opened.withLock { held in
                defer { held = opened }
                return held
            }
            previous?.file.close()
            return FileAttributes(isFolder: false, size: Int(opened.metadata.size), modificationDate: Date(opened.metadata.modified))
        }
    }

    public func loadFile(id: FileIdentifier, context: some RequestContext) async throws -> ResponseBody {
        let opened = try await take(id)
        let size = opened.metadata.size
        return body(opened, bytes: size > 0 ? 0...(size - 1) : nil, allocator: allocator)
    }

    /// The middleware computes `Content-Range` and `Content-Length` from the same clamped range
    /// (`min(upper, size - 1)`); a start at or past the end is answered 416 here, since the
    /// middleware would announce a negative length.
    public func loadFile(id: FileIdentifier, range: ClosedRange<Int>, context: some RequestContext) async throws -> ResponseBody {
        let opened = try await take(id)
        let size = opened.metadata.size
        let lower = Int64(max(range.lowerBound, 0))
        guard lower < size else {
            opened.file.close()
            throw HTTPError(.rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)"])
        }
        return body(opened, bytes: lower...min(Int64(range.upperBound), size - 1), allocator: allocator)
    }

    /// The file ``getAttributes(id:)`` opened, handed over to the body (opened now if the
    /// middleware skipped that step).
    private func take(_ id: FileIdentifier) async throws -> OpenedFile {
        if let opened = id.opened.withLock({ held in defer { held = nil }; return held }) { return opened }
        do {
            guard case .file(let opened) = try await reads.open(id.path, requestPath: id.requestPath, in: directory) else {
                throw HTTPError(.notFound)
            }
            return opened
        } catch let refusal as ServeRefusal {
            logger.log(refusal)
            throw HTTPError(.notFound)
        }
    }

    private func body(_ opened: OpenedFile, bytes: ClosedRange<Int64>?, allocator: ByteBufferAllocator) -> ResponseBody {
        guard let bytes else {
            opened.file.close()
            return ResponseBody()
        }
        let reads = reads
        return ResponseBody(contentLength: Int(bytes.upperBound - bytes.lowerBound + 1)) { writer in
            defer { opened.file.close() }
            try await reads.read(opened.file, range: bytes, allocator: allocator) { chunk in try await writer.write(chunk) }
            try await writer.finish(nil)
        }
    }
}

extension Date {
    init(_ timestamp: FileTimestamp) {
        self.init(timeIntervalSince1970: Double(timestamp.seconds) + Double(timestamp.nanoseconds) / 1_000_000_000)
    }
}
#endif
