// An open file obtained through a Dir; it owns one descriptor.
import SystemPackage

/// An open file, obtained from ``Dir/open(_:options:)`` or ``Dir/create(_:)``.
///
/// Reads and writes go to the kernel directly; there is no buffering. A file opened through a
/// read-only `Dir` refuses ``setLength(_:)``, ``setTimes(accessed:modified:)`` and
/// ``setPermissions(_:)`` with `EACCES`, whatever the kernel would allow its owner.
///
/// Thread safety: methods may be called from several tasks at once; those that use the file
/// offset (``read(into:)``, ``write(_:)``, ``seek(to:from:)``) then interleave as the kernel orders
/// them. Descriptors: it owns one, closed exactly once — by ``close()`` (after calls in flight
/// finish) or when the last reference goes away.
public final class File: Sendable {
    /// Where ``seek(to:from:)`` counts from.
    public enum SeekOrigin: Sendable {
        case start, current, end
    }

    let descriptor: DescriptorCell
    /// The path the file was opened with, relative to its `Dir`; used in error messages.
    public let path: RawPath
    /// Whether the `Dir` it came from allowed changes.
    public let access: Dir.Access

    init(adopting fd: Int32, path: RawPath, access: Dir.Access) {
        descriptor = DescriptorCell(fd)
        self.path = path
        self.access = access
    }

    deinit {
        descriptor.closeIfOpen()
    }

    /// Closes the descriptor; later calls fail with ``CapStdError/Code/closed``. Idempotent.
    public func close() {
        descriptor.close()
    }

    private func withDescriptor<R>(_ operation: String, _ body: (Int32) throws(Errno) -> R) throws(CapStdError) -> R {
        guard descriptor.acquire() else { throw CapStdError(operation, path, .badFileDescriptor, code: .closed) }
        defer { descriptor.release() }
        do { return try body(descriptor.fd) } catch { throw CapStdError(operation, path, error) }
    }

    private func requireWritable(_ operation: String) throws(CapStdError) {
        if access == .readOnly { throw CapStdError(operation, path, .permissionDenied, code: .readOnly) }
    }

    // MARK: Lending the descriptor

    /// Runs `body` with the file's descriptor, for interoperation with APIs that take one. The
    /// descriptor stays open while `body` runs, even if another task calls ``close()``; `body`
    /// must not close it or keep it.
    ///
    /// - Throws: ``CapStdError`` with code ``CapStdError/Code/closed`` if the file is closed;
    ///   whatever `body` throws.
    public func withUnsafeDescriptor<R>(_ body: (FileDescriptor) throws -> R) throws -> R {
        guard descriptor.acquire() else { throw CapStdError("withUnsafeDescriptor", path, .badFileDescriptor, code: .closed) }
        defer { descriptor.release() }
        return try body(FileDescriptor(rawValue: descriptor.fd))
    }

    /// A new descriptor for the same open file (same offset and flags), close-on-exec, owned by
    /// the caller, who must close it: for APIs that keep a descriptor beyond a call.
    ///
    /// The corresponding system call is `fcntl(2)` with `F_DUPFD_CLOEXEC`.
    public func duplicateDescriptor() throws(CapStdError) -> FileDescriptor {
        try withDescriptor("duplicateDescriptor") { fd throws(Errno) in FileDescriptor(rawValue: try Syscalls.duplicate(fd)) }
    }

    // MARK: Reading

    /// Reads up to `buffer.count` bytes at the current offset; 0 means end of file.
    ///
    /// The corresponding system call is `read(2)`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(CapStdError) -> Int {
        try withDescriptor("read") { (fd) throws(Errno) in try Syscalls.read(fd, into: buffer) }
    }

    /// Reads up to `count` bytes at the current offset; fewer means end of file.
    public func read(upTo count: Int) throws(CapStdError) -> [UInt8] {
        try withDescriptor("read") { (fd) throws(Errno) in
            try [UInt8](unsafeUninitializedCapacity: count) { (buffer, initialized) throws(Errno) in
                var total = 0
                while total < count {
                    let got = try Syscalls.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[total...]))
                    if got == 0 { break }
                    total += got
                }
                initialized = total
            }
        }
    }

    /// Reads from the current offset to the end of the file.
    public func readToEnd() throws(CapStdError) -> [UInt8] {
        try withDescriptor("read") { (fd) throws(Errno) in try Self.readAll(fd) }
    }

    /// Reads everything from `fd`'s offset on; `fstat` sizes the buffer so a file takes one read.
    static func readAll(_ fd: Int32) throws(Errno) -> [UInt8] {
        let expected = (try? Syscalls.fstat(fd).st_size).map { Int($0) } ?? 0
        var result = [UInt8](repeating: 0, count: max(expected + 1, 4096))
        var filled = 0
        while true {
            if filled == result.count { result.append(contentsOf: repeatElement(0, count: result.count)) }
            let got = try result.withUnsafeMutableBufferPointer { (buffer) throws(Errno) in
                try Syscalls.read(fd, into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[filled...])))
            }
            if got == 0 {
                result.removeSubrange(filled...)
                return result
            }
            filled += got
        }
    }

    /// Reads up to `buffer.count` bytes at `offset`, leaving the file offset unchanged.
    ///
    /// The corresponding system call is `pread(2)`.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(CapStdError) -> Int {
        try withDescriptor("pread") { (fd) throws(Errno) in try Syscalls.pread(fd, into: buffer, at: offset) }
    }

    // MARK: Writing

    /// Writes some of `bytes` at the current offset and returns how many were written.
    ///
    /// The corresponding system call is `write(2)`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(CapStdError) -> Int {
        try withDescriptor("write") { (fd) throws(Errno) in try Syscalls.write(fd, from: bytes) }
    }

    /// Writes all of `bytes` at the current offset.
    public func writeAll(_ bytes: [UInt8]) throws(CapStdError) {
        try withDescriptor("write") { (fd) throws(Errno) in try Self.writeAll(fd, bytes) }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Errno) in
            var written = 0
            while written < buffer.count {
                written += try Syscalls.write(fd, from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[written...])))
            }
        }
    }

    /// Writes some of `bytes` at `offset`, leaving the file offset unchanged.
    ///
    /// The corresponding system call is `pwrite(2)`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(CapStdError) -> Int {
        try withDescriptor("pwrite") { (fd) throws(Errno) in try Syscalls.pwrite(fd, from: bytes, at: offset) }
    }

    /// Writes some of `bytes` at the end of the file, whatever the file offset and whether or
    /// not it was opened with ``OpenOptions/append``, and moves the offset past them. Like an
    /// `O_APPEND` write, finding the end and writing there is one step, so concurrent appenders
    /// never overwrite each other.
    ///
    /// The corresponding system call is `pwritev2(2)` with `RWF_APPEND` at offset -1.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(CapStdError) -> Int {
        try withDescriptor("append") { (fd) throws(Errno) in try Syscalls.writeAppending(fd, from: bytes) }
    }

    // MARK: Position, size and metadata

    /// Moves the file offset and returns the new offset from the start.
    ///
    /// The corresponding system call is `lseek(2)`.
    @discardableResult
    public func seek(to offset: Int64, from origin: SeekOrigin = .start) throws(CapStdError) -> Int64 {
        let whence: Int32 = switch origin {
        case .start: Syscalls.seekStart
        case .current: Syscalls.seekCurrent
        case .end: Syscalls.seekEnd
        }
        return try withDescriptor("seek") { (fd) throws(Errno) in try Syscalls.lseek(fd, offset: offset, whence: whence) }
    }

    /// The current file offset.
    public func offset() throws(CapStdError) -> Int64 {
        try seek(to: 0, from: .current)
    }

    /// The file's metadata.
    ///
    /// The corresponding system call is `fstat(2)`.
    public func metadata() throws(CapStdError) -> Metadata {
        try withDescriptor("metadata") { (fd) throws(Errno) in Metadata(try Syscalls.fstat(fd)) }
    }

    /// Cuts or extends the file to `length` bytes.
    ///
    /// The corresponding system call is `ftruncate(2)`.
    public func setLength(_ length: Int64) throws(CapStdError) {
        try requireWritable("setLength")
        try withDescriptor("setLength") { (fd) throws(Errno) in try Syscalls.ftruncate(fd, length: length) }
    }

    /// Flushes the file's data and metadata to storage (`fsync(2)`).
    public func sync() throws(CapStdError) {
        try withDescriptor("sync") { (fd) throws(Errno) in try Syscalls.fsync(fd) }
    }

    /// Flushes the file's data to storage, and metadata only as needed to read it (`fdatasync(2)`).
    public func syncData() throws(CapStdError) {
        try withDescriptor("syncData") { (fd) throws(Errno) in try Syscalls.fdatasync(fd) }
    }

    /// Sets the access and modification times.
    ///
    /// The corresponding system call is `utimensat(2)` on the descriptor (`AT_EMPTY_PATH`).
    public func setTimes(accessed: TimestampUpdate, modified: TimestampUpdate) throws(CapStdError) {
        try requireWritable("setTimes")
        try withDescriptor("setTimes") { (fd) throws(Errno) in
            try Syscalls.utimensat(
                fd, "", access: accessed.timespec, modification: modified.timespec, flags: Syscalls.atEmptyPath)
        }
    }

    /// Sets the permission bits.
    ///
    /// The corresponding system call is `fchmod(2)`.
    public func setPermissions(_ permissions: FilePermissions) throws(CapStdError) {
        try requireWritable("setPermissions")
        try withDescriptor("setPermissions") { (fd) throws(Errno) in try Syscalls.fchmod(fd, mode: permissions.rawValue) }
    }
}
