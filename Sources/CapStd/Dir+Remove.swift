// Removing files, directories and whole trees beneath a Dir, never following a symlink out.
import SystemPackage

extension Dir {
    /// Removes a file, symlink or other non-directory. A symlink is removed itself, never followed.
    ///
    /// - Throws: `EISDIR` for a directory.
    ///
    /// The corresponding system call is `unlinkat(2)` on the parent directory.
    public func removeFile(_ path: RawPath) throws(CapStdError) {
        try requireWritable("removeFile", path)
        let parent = try lookupParent("removeFile", path) { _ in .isDirectory }
        do throws(Errno) {
            if parent.hasTrailingSlash {
                // `unlink("x/")`: the kernel's answer, without letting it look at `x/`.
                switch try parent.entryType() {
                case nil: throw Errno.noSuchFileOrDirectory
                case .directory?: throw Errno.isDirectory
                default: throw Errno.notDirectory
                }
            }
            try parent.withName { (fd, name) throws(Errno) in try Syscalls.unlinkat(fd, name, flags: 0) }
        } catch {
            throw CapStdError("removeFile", path, error)
        }
    }

    /// Removes an empty directory.
    ///
    /// - Throws: `ENOTEMPTY` if it has entries; `ENOTDIR` for anything else, a symlink included.
    ///
    /// The corresponding system call is `unlinkat(2)` with `AT_REMOVEDIR`.
    public func removeDir(_ path: RawPath) throws(CapStdError) {
        try requireWritable("removeDir", path)
        let parent = try lookupParent("removeDir", path, dotErrno: Self.removeDirDotErrno)
        do {
            if parent.hasTrailingSlash { try Self.requireDirectory(parent) }
            try parent.withName { (fd, name) throws(Errno) in try Syscalls.unlinkat(fd, name, flags: Syscalls.atRemoveDir) }
        } catch {
            throw CapStdError("removeDir", path, error)
        }
    }

    /// Removes a directory and everything beneath it. A symlink at `path` is removed itself; a
    /// symlink inside the tree is removed, never followed, so nothing outside is touched.
    public func removeDirAll(_ path: RawPath) throws(CapStdError) {
        try requireWritable("removeDirAll", path)
        let parent = try lookupParent("removeDirAll", path, dotErrno: Self.removeDirDotErrno)
        do {
            let type = try parent.entryType()
            if type == .symbolicLink && !parent.hasTrailingSlash {
                try parent.withName { (fd, name) throws(Errno) in try Syscalls.unlinkat(fd, name, flags: 0) }
                return
            }
            try Self.requireDirectory(parent)
            try parent.withName { (fd, name) throws(Errno) in try Self.removeTree(fd, name) }
        } catch {
            throw CapStdError("removeDirAll", path, error)
        }
    }

    private static func removeDirDotErrno(_ kind: FinalComponent.Kind) -> Errno {
        kind == .dot ? .invalidArgument : .directoryNotEmpty
    }

    private static func requireDirectory(_ parent: borrowing ParentLookup) throws(Errno) {
        switch try parent.entryType() {
        case nil: throw .noSuchFileOrDirectory
        case .directory?: return
        default: throw .notDirectory
        }
    }

    /// Removes the directory `name` in `parent` with everything in it. Subdirectories are opened
    /// with `O_NOFOLLOW`, so a directory swapped for a symlink mid-way is unlinked, not entered.
    private static func removeTree(_ parent: Int32, _ name: UnsafePointer<CChar>) throws(Errno) {
        let fd = try Syscalls.openat(parent, name, flags: Syscalls.openReadOnly | Syscalls.openDirectory | Syscalls.openNoFollow)
        do {
            defer { Syscalls.close(fd) }
            // Re-list until empty: entries created while removing are removed too.
            while true {
                let entries = try DirectoryReader.readAll(fd)
                if entries.isEmpty { break }
                for entry in entries {
                    var childName = entry.name.bytes.map { CChar(bitPattern: $0) }
                    childName.append(0)
                    try removeEntry(fd, childName, isDirectory: entry.type == .directory)
                }
            }
        }
        try Syscalls.unlinkat(parent, name, flags: Syscalls.atRemoveDir)
    }

    private static func removeEntry(_ dir: Int32, _ name: [CChar], isDirectory: Bool) throws(Errno) {
        do {
            if isDirectory {
                try removeTree(dir, name)
            } else {
                try Syscalls.unlinkat(dir, name, flags: 0)
            }
        } catch .noSuchFileOrDirectory {
            // Removed by someone else meanwhile: the goal is reached.
        } catch .notDirectory where isDirectory {
            try removeEntry(dir, name, isDirectory: false)
        } catch .isDirectory where !isDirectory {
            try removeEntry(dir, name, isDirectory: true)
        }
    }
}
