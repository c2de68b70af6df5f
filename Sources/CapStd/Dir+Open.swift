// Opening files and subdirectories beneath a Dir, and whole-file reads and writes.
import SystemPackage

extension Dir {
    /// Opens a file beneath this directory.
    ///
    /// - Parameters:
    ///   - path: relative to this directory; a symlink in it is followed only while its
    ///     resolution stays beneath the directory.
    ///   - options: access mode, creation and truncation; see ``OpenOptions``.
    /// - Throws: ``CapStdError``: an escape (`EXDEV`), `EACCES` with code `.readOnly` for any
    ///   writing option on a read-only view, or the `open(2)` error (`ENOENT`, `EEXIST`,
    ///   `EISDIR`, `ENOTDIR`, `ELOOP`, ...).
    ///
    /// The corresponding system call is `openat2(2)` with `RESOLVE_BENEATH |
    /// RESOLVE_NO_MAGICLINKS`, or `openat(2)` per component with `O_NOFOLLOW` in userspace.
    public func open(_ path: RawPath, options: OpenOptions = .read) throws(CapStdError) -> File {
        if options.mutates { try requireWritable("open", path) }
        let flags: Int32
        do { flags = try options.flags() } catch { throw CapStdError("open", path, error) }
        let fd = try openDescriptor("open", path, flags: flags, mode: options.permissions.rawValue)
        return File(adopting: fd, path: path, access: access)
    }

    /// Opens a regular file for reading, never blocking and never returning anything else: what
    /// a server handing files to untrusted requests needs.
    ///
    /// The open is non-blocking, so a FIFO or a device put in the file's place (even between a
    /// caller's earlier `metadata` and this call) cannot stall it; the type is then taken from
    /// the open descriptor itself, so what is checked is what is read.
    ///
    /// - Throws: ``CapStdError`` with code ``CapStdError/Code/notRegularFile`` (`EINVAL`) for a
    ///   directory, FIFO, device or socket, and otherwise as ``open(_:options:)``.
    public func openRegularFile(_ path: RawPath, followSymlinks: Bool = true) throws(CapStdError) -> File {
        let file = try open(path, options: OpenOptions(read: true, followSymlinks: followSymlinks, nonBlocking: true))
        let type: FileType
        do { type = try file.metadata().type } catch {
            file.close()
            throw error
        }
        guard type == .regular else {
            file.close()
            throw CapStdError("openRegularFile", path, .invalidArgument, code: .notRegularFile)
        }
        return file
    }

    /// Creates a file for writing, or cuts an existing one to zero length.
    ///
    /// The same as ``open(_:options:)`` with `write`, `create` and `truncate`.
    public func create(_ path: RawPath) throws(CapStdError) -> File {
        try open(path, options: .writeTruncating)
    }

    /// Opens a subdirectory as a new `Dir`, confined to that subdirectory, with this directory's
    /// resolver and access (a sub-`Dir` of a read-only view is read-only).
    ///
    /// - Parameter followSymlinks: when false, a final symlink fails with `ENOTDIR`, even one
    ///   that leads to a directory.
    ///
    /// The corresponding system call is `openat2(2)` with `O_PATH | O_DIRECTORY`.
    public func openDir(_ path: RawPath, followSymlinks: Bool = true) throws(CapStdError) -> Dir {
        let flags = Syscalls.openPath | Syscalls.openDirectory | (followSymlinks ? 0 : Syscalls.openNoFollow)
        let fd = try openDescriptor("openDir", path, flags: flags)
        return Dir(adopting: fd, strategy: strategy, access: access)
    }

    /// Reads a whole file.
    public func read(_ path: RawPath) throws(CapStdError) -> [UInt8] {
        try readBytes("read", path)
    }

    private func readBytes(_ operation: String, _ path: RawPath) throws(CapStdError) -> [UInt8] {
        let fd = try openDescriptor(operation, path, flags: Syscalls.openReadOnly)
        defer { Syscalls.close(fd) }
        do { return try File.readAll(fd) } catch { throw CapStdError(operation, path, error) }
    }

    /// Reads a whole file as UTF-8 text; invalid UTF-8 fails with code `.invalidUTF8`.
    public func readString(_ path: RawPath) throws(CapStdError) -> String {
        let bytes = try readBytes("readString", path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CapStdError("readString", path, .illegalByteSequence, code: .invalidUTF8)
        }
        return text
    }

    /// Writes `contents` to a file, creating it or replacing what it held.
    public func write(_ path: RawPath, contents: [UInt8]) throws(CapStdError) {
        try requireWritable("write", path)
        let fd = try openDescriptor("write", path, flags: Syscalls.openWriteOnly | Syscalls.openCreate | Syscalls.openTruncate, mode: 0o666)
        defer { Syscalls.close(fd) }
        do { try File.writeAll(fd, contents) } catch { throw CapStdError("write", path, error) }
    }

    /// Writes `contents` as UTF-8 to a file, creating it or replacing what it held.
    public func write(_ path: RawPath, contents: String) throws(CapStdError) {
        try write(path, contents: Array(contents.utf8))
    }

    /// Whether something exists at `path` (following a final symlink beneath the directory).
    ///
    /// - Returns: false for `ENOENT` and `ENOTDIR`.
    /// - Throws: every other failure, escapes included: a path outside the directory neither
    ///   exists nor doesn't, as far as this `Dir` may know.
    public func exists(_ path: RawPath) throws(CapStdError) -> Bool {
        do {
            _ = try metadata(path)
            return true
        } catch where error.errno == .noSuchFileOrDirectory || error.errno == .notDirectory {
            return false
        }
    }
}
