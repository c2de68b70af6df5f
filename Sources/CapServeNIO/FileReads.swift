// The blocking half of serving a file, done on NIO's thread pool: one pool call per lookup and per chunk.
#if Hummingbird || Vapor
import CapServe
import CapStd
import NIOCore
import NIOPosix

/// Runs a request's file work (the confined open and `fstat`, then each `pread`) on an
/// `NIOThreadPool`, so neither an event loop nor Swift's cooperative pool waits on the disk.
///
/// It is what NIOFileSystem does inside, minus the work a confined server does not need: one
/// pool call opens and describes the file, and each chunk of the body is one more call that
/// `pread`s straight into the `ByteBuffer` that is then written out. Both framework adapters
/// read through it.
public struct FileReads: Sendable {
    /// The pool the blocking calls run on.
    public let threadPool: NIOThreadPool
    /// The most bytes one pool call reads; a file up to this size is read in one call.
    public let chunkSize: Int

    /// - Parameters:
    ///   - threadPool: where the blocking calls run; NIO's shared pool unless the server has its own.
    ///   - chunkSize: the bytes read per pool call (and held per response in flight), at least 4 KiB.
    public init(threadPool: NIOThreadPool = .singleton, chunkSize: Int = 256 * 1024) {
        self.threadPool = threadPool
        self.chunkSize = max(chunkSize, 4096)
    }

    /// Opens what `path` names beneath `directory`, on the pool.
    ///
    /// - Throws: ``ServeRefusal`` when nothing may be served, or the pool's error if it is shut down.
    public func open(_ path: ServedPath, requestPath: String, in directory: ServedDirectory) async throws -> ServedEntry {
        try await threadPool.runIfActive { try directory.open(path, requestPath: requestPath) }
    }

    /// Opens the index file of the directory `path`, on the pool.
    public func openIndex(of path: ServedPath, named index: RawPath, requestPath: String, in directory: ServedDirectory) async throws -> OpenedFile {
        try await threadPool.runIfActive { try directory.openIndex(of: path, named: index, requestPath: requestPath) }
    }

    /// Reads `range` of `file`, handing each chunk to `write` before the next is read, so a slow
    /// client holds one chunk in memory, not the file.
    ///
    /// - Throws: ``FileShrankError`` if the file ends before `range` does (it was cut while being
    ///   served: the response cannot keep the length it announced); a read error; what `write` throws.
    public func read(
        _ file: File, range: ClosedRange<Int64>, allocator: ByteBufferAllocator, into write: (ByteBuffer) async throws -> Void
    ) async throws {
        var offset = range.lowerBound
        while offset <= range.upperBound {
            let count = Int(min(Int64(chunkSize), range.upperBound - offset + 1))
            let start = offset
            let chunk = try await threadPool.runIfActive { () throws -> ByteBuffer in
                var buffer = allocator.buffer(capacity: count)
                try Self.fill(&buffer, count: count, from: file, at: start)
                return buffer
            }
            offset += Int64(count)
            try await write(chunk)
        }
    }

    /// `pread`s exactly `count` bytes at `offset` into `buffer`'s writable space.
    private static func fill(_ buffer: inout ByteBuffer, count: Int, from file: File, at offset: Int64) throws {
        var filled = 0
        while filled < count {
            let got = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - filled) { space in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: space.prefix(count - filled)), at: offset + Int64(filled))
            }
            if got == 0 { throw FileShrankError(path: file.path, expectedEnd: offset + Int64(count), actualEnd: offset + Int64(filled)) }
            filled += got
        }
    }
}

/// A file ended before the bytes its response announced: it was truncated while being served.
/// The adapters end the response early (the client sees a short body, never other bytes).
public struct FileShrankError: Error, Sendable, CustomStringConvertible {
    public let path: RawPath
    public let expectedEnd: Int64
    public let actualEnd: Int64

    public var description: String {
        "\(path) ended at byte \(actualEnd) while being served; the response announced bytes up to \(expectedEnd)"
    }
}
#endif
