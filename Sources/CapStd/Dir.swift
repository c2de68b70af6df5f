// The capability to one directory tree: every path given to a Dir resolves beneath it.
import SystemPackage

/// An open directory that can reach only the files and directories beneath it.
///
/// Every operation takes a path *relative* to the directory. Whatever the path says and whatever
/// symlinks or concurrent renames the tree holds, resolution stays beneath the directory: an
/// absolute path, a `..` above it, or a symlink whose resolution leaves it fails with an error
/// whose ``CapStdError/isEscape`` is true (`EXDEV`), and nothing outside is touched.
///
/// On Linux 5.6 and later the kernel confines resolution (`openat2(2)` with `RESOLVE_BENEATH |
/// RESOLVE_NO_MAGICLINKS`); elsewhere, or when a seccomp filter hides `openat2`, a userspace walk
/// gives the same answers. ``resolver`` tells which is in use.
///
/// A `Dir` can be a read-only view (``readOnly()``): every change (create, write, truncate,
/// rename, remove, link, symlink, set-times, set-permissions) then fails with `EACCES` before any
/// system call, and directories opened from it are read-only too.
///
/// Non-goals: a `Dir` does not prevent crossing mount points beneath it, does not hide the tree
/// from other processes, and does not limit how much is read or written.
///
/// Thread safety: a `Dir` is immutable and may be used from any number of tasks at once.
/// Descriptors: it owns one `O_PATH | O_DIRECTORY` descriptor, closed exactly once — by
/// ``close()`` (after operations in flight finish) or when the last reference goes away.
public final class Dir: Sendable {
    /// What a `Dir` lets its holder do.
    public enum Access: Sendable, Hashable {
        /// Read, list and stat; every change fails with `EACCES`.
        case readOnly
        /// Everything beneath the directory that the process itself may do.
        case readWrite
    }

    let descriptor: DescriptorCell
    let strategy: ResolutionStrategy
    /// Whether this handle may change the tree.
    public let access: Access

    init(adopting fd: Int32, strategy: ResolutionStrategy, access: Access) {
        descriptor = DescriptorCell(fd)
        self.strategy = strategy
        self.access = access
    }

    deinit {
        descriptor.closeIfOpen()
    }

    /// The resolver this directory uses: `.kernel` or `.userspace`, never `.automatic`.
    public var resolver: Resolver { strategy.resolver }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { descriptor.isClosed }

    /// Opens a directory by absolute or working-directory-relative path, with the process's
    /// ambient authority.
    ///
    /// This is the only way to make a `Dir` from nothing; search for `ambientAuthority()` to find
    /// every call.
    ///
    /// - Parameters:
    ///   - path: the directory to open; symlinks in it are followed.
    ///   - authority: the token from ``ambientAuthority()``.
    ///   - resolver: how paths beneath the directory are resolved.
    /// - Throws: ``CapStdError`` with operation `openAmbient`; `ENOSYS` if `.kernel` was asked for
    ///   and the kernel has no `openat2`.
    ///
    /// The corresponding system call is `openat(2)` with `O_PATH | O_DIRECTORY | O_CLOEXEC`.
    public static func openAmbient(
        _ path: FilePath, _ authority: AmbientAuthority, resolver: Resolver = .automatic
    ) throws(CapStdError) -> Dir {
        let raw = RawPath(path)
        let strategy: ResolutionStrategy
        do { strategy = try ResolutionStrategy(resolver) } catch { throw CapStdError("openAmbient", raw, error) }
        let fd = try raw.withCheckedBytes("openAmbient") { (bytes) throws(Errno) -> Int32 in
            try Syscalls.openAmbientDirectory(UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self))
        }
        return Dir(adopting: fd, strategy: strategy, access: .readWrite)
    }

    /// Closes the directory's descriptor. Operations already running finish first; later ones
    /// fail with ``CapStdError/Code/closed``. Calling it again does nothing.
    public func close() {
        descriptor.close()
    }

    /// A new `Dir` for the same directory, with its own descriptor, resolver and access.
    ///
    /// The corresponding system call is `fcntl(2)` with `F_DUPFD_CLOEXEC`.
    public func tryClone() throws(CapStdError) -> Dir {
        try duplicate(access: access, operation: "tryClone")
    }

    /// A read-only view of the same directory, with its own descriptor. Every change through it,
    /// or through anything opened from it, fails with `EACCES`; reading is unaffected.
    public func readOnly() throws(CapStdError) -> Dir {
        try duplicate(access: .readOnly, operation: "readOnly")
    }

    private func duplicate(access: Access, operation: String) throws(CapStdError) -> Dir {
        let fd = try withDescriptor(operation, ".") { (fd) throws(Errno) in try Syscalls.duplicate(fd) }
        return Dir(adopting: fd, strategy: strategy, access: access)
    }

    // MARK: Building blocks for the operations

    /// Runs `body` with the directory's descriptor held open.
    func withDescriptor<R>(
        _ operation: String, _ path: RawPath, _ body: (Int32) throws(Errno) -> R
    ) throws(CapStdError) -> R {
        guard descriptor.acquire() else { throw CapStdError(operation, path, .badFileDescriptor, code: .closed) }
        defer { descriptor.release() }
        do { return try body(descriptor.fd) } catch { throw CapStdError(operation, path, error) }
    }

    /// Fails with `EACCES` if this is a read-only view.
    func requireWritable(_ operation: String, _ path: RawPath) throws(CapStdError) {
        if access == .readOnly { throw CapStdError(operation, path, .permissionDenied, code: .readOnly) }
    }

    /// Opens `path` beneath this directory and returns the new descriptor, which the caller owns.
    func openDescriptor(
        _ operation: String, _ path: RawPath, flags: Int32, mode: Syscalls.Mode = 0
    ) throws(CapStdError) -> Int32 {
        guard descriptor.acquire() else { throw CapStdError(operation, path, .badFileDescriptor, code: .closed) }
        defer { descriptor.release() }
        let base = descriptor.fd
        let strategy = strategy
        return try path.withCheckedBytes(operation) { (bytes) throws(Errno) -> Int32 in
            try Beneath.open(base, UnsafeBufferPointer(bytes), flags: flags, mode: mode, strategy: strategy)
        }
    }
}
