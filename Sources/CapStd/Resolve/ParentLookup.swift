// The walk to the directory that holds a path's final name, written once for every name operation.
import SystemPackage

/// The directory holding the final component of a path, opened beneath a `Dir`, and that
/// component's name: what `mkdirat`, `unlinkat`, `renameat2`, `linkat`, `symlinkat` and
/// `readlinkat` act on. The name is a single component, so the kernel cannot follow anything
/// while using it.
///
/// Keeps the `Dir`'s descriptor in use until it goes away, so the parent stays valid even when
/// the parent is the `Dir` itself.
struct ParentLookup: ~Copyable {
    private let dir: Dir
    let fd: Int32
    private let ownsDescriptor: Bool
    /// The final component, NUL-terminated, without its trailing slashes.
    private let name: [CChar]
    /// Whether the path ended in `/`: the name must then be a directory.
    let hasTrailingSlash: Bool

    fileprivate init(dir: Dir, fd: Int32, ownsDescriptor: Bool, name: [CChar], hasTrailingSlash: Bool) {
        self.dir = dir
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
        self.name = name
        self.hasTrailingSlash = hasTrailingSlash
    }

    deinit {
        if ownsDescriptor { Syscalls.close(fd) }
        dir.descriptor.release()
    }

    /// Calls `body` with the parent's descriptor and the final name as a C string.
    func withName<R>(_ body: (_ parent: Int32, _ name: UnsafePointer<CChar>) throws(Errno) -> R) throws(Errno) -> R {
        try name.withUnsafeBufferPointer { (buffer) throws(Errno) -> R in try body(fd, buffer.baseAddress!) }
    }

    /// What is at the name now, not following a symlink; nil if nothing is.
    func entryType() throws(Errno) -> FileType? {
        do {
            return try withName { (parent, name) throws(Errno) in
                Metadata(try Syscalls.fstatat(parent, name, flags: Syscalls.atSymlinkNoFollow)).type
            }
        } catch .noSuchFileOrDirectory {
            return nil
        }
    }
}

extension Dir {
    /// Opens the directory holding the final component of `path`.
    ///
    /// A final `.` or `..` names no entry that could be created, removed or renamed: the whole path
    /// is first resolved as a directory (so escapes and missing directories are reported as such),
    /// then the lookup fails with `dotErrno`, the error Linux gives for such a name.
    func lookupParent(
        _ operation: String, _ path: RawPath, dotErrno: (FinalComponent.Kind) -> Errno
    ) throws(CapStdError) -> ParentLookup {
        guard descriptor.acquire() else { throw CapStdError(operation, path, .badFileDescriptor, code: .closed) }
        let base = descriptor.fd
        let strategy = strategy
        let found: (fd: Int32, owned: Bool, name: [CChar], trailingSlash: Bool)
        do {
            found = try path.withCheckedBytes(operation) { (bytes) throws(Errno) in
                let final = try PathSplit.finalComponent(of: bytes)
                if final.kind != .normal {
                    let fd = try Beneath.open(
                        base, UnsafeBufferPointer(bytes), flags: Syscalls.openPath | Syscalls.openDirectory, mode: 0,
                        strategy: strategy)
                    Syscalls.close(fd)
                    throw dotErrno(final.kind)
                }
                var name = bytes[final.start..<final.stop].map { CChar(bitPattern: $0) }
                name.append(0)
                if final.parentLength == 0 { return (base, false, name, final.hasTrailingSlash) }
                bytes[final.parentLength - 1] = 0
                let parent = try Beneath.open(
                    base, UnsafeBufferPointer(rebasing: bytes[..<(final.parentLength - 1)]),
                    flags: Syscalls.openPath | Syscalls.openDirectory, mode: 0, strategy: strategy)
                return (parent, true, name, final.hasTrailingSlash)
            }
        } catch {
            descriptor.release()
            throw error
        }
        return ParentLookup(
            dir: self, fd: found.fd, ownsDescriptor: found.owned, name: found.name, hasTrailingSlash: found.trailingSlash)
    }
}

extension RawPath {
    /// The path without its final component (and the slashes before it), or nil if it has only
    /// one component: `a/b/c/` gives `a/b`.
    var lexicalParent: RawPath? {
        var stop = bytes.count
        while stop > 0 && bytes[stop - 1] == UInt8(ascii: "/") { stop -= 1 }
        while stop > 0 && bytes[stop - 1] != UInt8(ascii: "/") { stop -= 1 }
        while stop > 1 && bytes[stop - 1] == UInt8(ascii: "/") { stop -= 1 }
        return stop == 0 ? nil : RawPath(bytes: bytes[..<stop])
    }
}
