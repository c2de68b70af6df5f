// Renaming beneath one Dir or between two.
import SystemPackage

extension Dir {
    /// Renames `source` here to `destination` in `destinationDir` (which may be this `Dir`),
    /// replacing what is there as `rename(2)` does. Symlinks are moved themselves, never followed.
    ///
    /// - Throws: `EXDEV` with code `.crossesFileSystems` between file systems; `ENOTDIR`,
    ///   `EISDIR`, `ENOTEMPTY` as `rename(2)`; `EBUSY` for `.` or `..`.
    ///
    /// The corresponding system call is `renameat2(2)` on the two parent directories.
    public func rename(_ source: RawPath, to destination: RawPath, in destinationDir: Dir) throws(CapStdError) {
        try requireWritable("rename", source)
        try destinationDir.requireWritable("rename", destination)
        let from = try lookupParent("rename", source) { _ in .resourceBusy }
        let to = try destinationDir.lookupParent("rename", destination) { _ in .resourceBusy }
        do throws(Errno) {
            if from.hasTrailingSlash || to.hasTrailingSlash {
                // `a/` or `b/`: only a directory may move, and the kernel must not see the slash.
                switch try from.entryType() {
                case nil: throw Errno.noSuchFileOrDirectory
                case .directory?: break
                default: throw Errno.notDirectory
                }
            }
            try from.withName { (fromFD, fromName) throws(Errno) in
                try to.withName { (toFD, toName) throws(Errno) in
                    try Syscalls.renameat2(fromFD, fromName, toFD, toName, flags: 0)
                }
            }
        } catch .improperLink {
            throw CapStdError("rename", source, .improperLink, code: .crossesFileSystems)
        } catch {
            throw CapStdError("rename", source, error)
        }
    }

    /// Renames `source` to `destination`, both beneath this directory.
    public func rename(_ source: RawPath, to destination: RawPath) throws(CapStdError) {
        try rename(source, to: destination, in: self)
    }
}
