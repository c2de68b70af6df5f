// Reading and changing metadata beneath a Dir: stat, readlink, permissions and times.
import SystemPackage

extension Dir {
    /// Metadata of what `path` names, following a final symlink beneath the directory.
    ///
    /// The corresponding system calls are `openat2(2)` with `O_PATH` and `fstat(2)`.
    public func metadata(_ path: RawPath) throws(CapStdError) -> Metadata {
        try stat("metadata", path, flags: Syscalls.openPath)
    }

    /// Metadata of what `path` names; a final symlink describes itself. (A trailing slash still
    /// follows it, as `lstat("link/")` does.)
    ///
    /// The corresponding system calls are `openat2(2)` with `O_PATH | O_NOFOLLOW` and `fstat(2)`.
    public func symlinkMetadata(_ path: RawPath) throws(CapStdError) -> Metadata {
        try stat("symlinkMetadata", path, flags: Syscalls.openPath | Syscalls.openNoFollow)
    }

    /// Metadata of this directory itself.
    public func metadata() throws(CapStdError) -> Metadata {
        try withDescriptor("metadata", ".") { (fd) throws(Errno) in Metadata(try Syscalls.fstat(fd)) }
    }

    private func stat(_ operation: String, _ path: RawPath, flags: Int32) throws(CapStdError) -> Metadata {
        let fd = try openDescriptor(operation, path, flags: flags)
        defer { Syscalls.close(fd) }
        do { return Metadata(try Syscalls.fstat(fd)) } catch { throw CapStdError(operation, path, error) }
    }

    /// The target of the symlink at `path`, which is relative: a link whose target is absolute
    /// points outside the directory by construction, and its text would tell the caller where
    /// other trees live on the host, so it is refused as an escape. Reading a link never
    /// resolves it. ``readLinkContents(_:)`` returns any target's raw bytes.
    ///
    /// - Throws: `EXDEV` with code `.escape` if the target is absolute; `EINVAL` if `path` is not
    ///   a symlink.
    ///
    /// The corresponding system call is `readlinkat(2)` on the parent directory.
    public func readLink(_ path: RawPath) throws(CapStdError) -> RawPath {
        let target = try readLinkContents(path, operation: "readLink")
        guard !target.isAbsolute else { throw CapStdError("readLink", path, .improperLink) }
        return target
    }

    /// The target of the symlink at `path`, exactly as stored, absolute or not. Reading a link
    /// never resolves it. Prefer ``readLink(_:)`` for anything an untrusted caller will see.
    ///
    /// - Throws: `EINVAL` if `path` is not a symlink.
    ///
    /// The corresponding system call is `readlinkat(2)` on the parent directory.
    public func readLinkContents(_ path: RawPath) throws(CapStdError) -> RawPath {
        try readLinkContents(path, operation: "readLinkContents")
    }

    private func readLinkContents(_ path: RawPath, operation: String) throws(CapStdError) -> RawPath {
        let parent = try lookupParent(operation, path) { _ in .invalidArgument }
        if parent.hasTrailingSlash {
            // `link/` means the directory it leads to, which is never a symlink.
            Syscalls.close(try openDescriptor(operation, path, flags: Syscalls.openPath | Syscalls.openDirectory))
            throw CapStdError(operation, path, .invalidArgument)
        }
        do {
            return RawPath(bytes: try parent.withName { (fd, name) throws(Errno) in try Syscalls.readlinkat(fd, name) })
        } catch {
            throw CapStdError(operation, path, error)
        }
    }

    /// Sets the permission bits of what `path` names, following a final symlink beneath the
    /// directory (Linux has no permissions on symlinks themselves).
    ///
    /// The corresponding system call is `fchmodat2(2)` with `AT_EMPTY_PATH` on an `O_PATH`
    /// descriptor (Linux 6.6), or `chmod` of that descriptor's `/proc/self/fd` entry before it.
    public func setPermissions(_ path: RawPath, _ permissions: FilePermissions) throws(CapStdError) {
        try requireWritable("setPermissions", path)
        let fd = try openDescriptor("setPermissions", path, flags: Syscalls.openPath)
        defer { Syscalls.close(fd) }
        do { try Syscalls.changeModeOfPathDescriptor(fd, mode: permissions.rawValue) } catch {
            throw CapStdError("setPermissions", path, error)
        }
    }

    /// Sets the access and modification times of what `path` names.
    ///
    /// - Parameter followSymlinks: when false, a final symlink's own times change.
    ///
    /// The corresponding system call is `utimensat(2)` with `AT_EMPTY_PATH` on an `O_PATH`
    /// descriptor.
    public func setTimes(
        _ path: RawPath, accessed: TimestampUpdate, modified: TimestampUpdate, followSymlinks: Bool = true
    ) throws(CapStdError) {
        try requireWritable("setTimes", path)
        let fd = try openDescriptor(
            "setTimes", path, flags: Syscalls.openPath | (followSymlinks ? 0 : Syscalls.openNoFollow))
        defer { Syscalls.close(fd) }
        do {
            try Syscalls.utimensat(
                fd, "", access: accessed.timespec, modification: modified.timespec,
                flags: Syscalls.atEmptyPath | (followSymlinks ? 0 : Syscalls.atSymlinkNoFollow))
        } catch {
            throw CapStdError("setTimes", path, error)
        }
    }
}
