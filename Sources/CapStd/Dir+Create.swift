// Creating directories, symlinks and hard links beneath a Dir.
import SystemPackage

extension Dir {
    /// Creates a directory.
    ///
    /// - Throws: `EEXIST` if anything exists at `path` (a symlink included, dangling or not).
    ///
    /// The corresponding system call is `mkdirat(2)` on the parent directory.
    public func createDir(
        _ path: RawPath, permissions: FilePermissions = [.ownerReadWriteExecute, .groupReadWriteExecute, .otherReadWriteExecute]
    ) throws(CapStdError) {
        try requireWritable("createDir", path)
        let parent = try lookupParent("createDir", path) { _ in .fileExists }
        do {
            try parent.withName { (fd, name) throws(Errno) in try Syscalls.mkdirat(fd, name, mode: permissions.rawValue) }
        } catch {
            throw CapStdError("createDir", path, error)
        }
    }

    /// Creates a directory and any missing directories above it; succeeds if it already exists.
    public func createDirAll(_ path: RawPath) throws(CapStdError) {
        do {
            try createDir(path)
        } catch where error.errno == .fileExists {
            guard try metadata(path).isDirectory else { throw CapStdError("createDirAll", path, .fileExists) }
        } catch where error.errno == .noSuchFileOrDirectory {
            guard let parent = path.lexicalParent else { throw error }
            try createDirAll(parent)
            do {
                try createDir(path)
            } catch where error.errno == .fileExists {
                guard try metadata(path).isDirectory else { throw CapStdError("createDirAll", path, .fileExists) }
            }
        }
    }

    /// Creates a symlink at `path` whose target is `target`, stored exactly as given.
    ///
    /// A relative target is only ever *resolved* beneath a `Dir`, so it cannot lead out of one,
    /// whatever it says. An absolute target is refused unless `allowingAbsoluteTarget` is true:
    /// a `Dir` never follows it, but any ambient tool that later walks the tree would.
    ///
    /// - Throws: `EPERM` with code `.absoluteSymlinkTarget`; `EEXIST` if `path` exists.
    ///
    /// The corresponding system call is `symlinkat(2)` on the parent directory.
    public func symlink(target: RawPath, at path: RawPath, allowingAbsoluteTarget: Bool = false) throws(CapStdError) {
        try requireWritable("symlink", path)
        if target.isAbsolute && !allowingAbsoluteTarget {
            throw CapStdError("symlink", path, .notPermitted, code: .absoluteSymlinkTarget)
        }
        let parent = try lookupParent("symlink", path) { _ in .fileExists }
        try target.withCheckedBytes("symlink") { (targetBytes) throws(Errno) in
            try parent.withName { (fd, name) throws(Errno) in
                if parent.hasTrailingSlash {
                    // `symlink(t, "x/")`: the kernel's answer, without letting it look at `x/`.
                    throw try parent.entryType() == nil ? .noSuchFileOrDirectory : .fileExists
                }
                try Syscalls.symlinkat(UnsafeRawPointer(targetBytes.baseAddress!).assumingMemoryBound(to: CChar.self), fd, name)
            }
        }
    }

    /// Creates a hard link at `destination` in `destinationDir` to the file at `source` here.
    ///
    /// A final symlink at `source` is linked itself, not followed. Both directories must allow
    /// changes: a new name for a file is a new way to write it.
    ///
    /// - Throws: `EPERM` for a directory; `EXDEV` with code `.crossesFileSystems` between
    ///   file systems; `EEXIST` if `destination` exists.
    ///
    /// The corresponding system call is `linkat(2)` on the two parent directories.
    public func hardLink(_ source: RawPath, to destination: RawPath, in destinationDir: Dir) throws(CapStdError) {
        try requireWritable("hardLink", source)
        try destinationDir.requireWritable("hardLink", destination)
        let from = try lookupParent("hardLink", source) { _ in .notPermitted }
        if from.hasTrailingSlash {
            // `dir/` follows to a directory, which cannot be hard-linked.
            Syscalls.close(try openDescriptor("hardLink", source, flags: Syscalls.openPath | Syscalls.openDirectory))
            throw CapStdError("hardLink", source, .notPermitted)
        }
        let to = try destinationDir.lookupParent("hardLink", destination) { _ in .fileExists }
        do {
            try from.withName { (fromFD, fromName) throws(Errno) in
                try to.withName { (toFD, toName) throws(Errno) in
                    if to.hasTrailingSlash { throw try to.entryType() == nil ? .noSuchFileOrDirectory : .fileExists }
                    try Syscalls.linkat(fromFD, fromName, toFD, toName, flags: 0)
                }
            }
        } catch .improperLink {
            throw CapStdError("hardLink", source, .improperLink, code: .crossesFileSystems)
        } catch {
            throw CapStdError("hardLink", source, error)
        }
    }
}
