// Listing a directory beneath a Dir.
import SystemPackage

extension Dir {
    /// The entries of the directory at `path` (this directory for `"."`), without `.` and `..`,
    /// in the order the file system returns them.
    ///
    /// The corresponding system calls are `openat2(2)` with `O_RDONLY | O_DIRECTORY` and
    /// `getdents64(2)`.
    public func entries(_ path: RawPath = ".") throws(CapStdError) -> [DirEntry] {
        let fd = try openDescriptor("entries", path, flags: Syscalls.openReadOnly | Syscalls.openDirectory)
        defer { Syscalls.close(fd) }
        do { return try DirectoryReader.readAll(fd) } catch { throw CapStdError("entries", path, error) }
    }
}
