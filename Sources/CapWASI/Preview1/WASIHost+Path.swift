// path_*: every guest path operation, each one call into CapStd beneath the descriptor's Dir.
import CapStd
import WasmKit

extension WASIHost {
    func definePathFunctions(into imports: inout Imports, store: Store) {
        function("path_open", [.i32, .i32, .i32, .i32, .i32, .i64, .i64, .i32, .i32], into: &imports, store: store) {
            host, memory, a throws(WASIErrno) in
            let path = try memory.path(at: a[2].u32, length: a[3].u32)
            let fd = try host.open(
                a[0].u32, path, follow: a[1].u32 & lookupSymlinkFollow != 0,
                openFlags: WASIOpenFlags(rawValue: UInt16(truncatingIfNeeded: a[4].u32)),
                rightsBase: WASIRights(rawValue: a[5].u64), rightsInheriting: WASIRights(rawValue: a[6].u64),
                fdFlags: WASIFDFlags(rawValue: UInt16(truncatingIfNeeded: a[7].u32)))
            try memory.store(fd, at: a[8].u32)
        }
        function("path_create_directory", [.i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let directory = try host.guestDirectory(a[0].u32, .pathCreateDirectory, "path_create_directory")
            let path = try memory.path(at: a[1].u32, length: a[2].u32)
            try host.told { () throws(FilesystemFailure) in try directory.createDirectory(path, "path_create_directory") }
        }
        function("path_remove_directory", [.i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let directory = try host.guestDirectory(a[0].u32, .pathRemoveDirectory, "path_remove_directory")
            let path = try memory.path(at: a[1].u32, length: a[2].u32)
            try host.told { () throws(FilesystemFailure) in try directory.removeDirectory(path, "path_remove_directory") }
        }
        function("path_unlink_file", [.i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let directory = try host.guestDirectory(a[0].u32, .pathUnlinkFile, "path_unlink_file")
            let path = try memory.path(at: a[1].u32, length: a[2].u32)
            try host.told { () throws(FilesystemFailure) in try directory.removeFile(path, "path_unlink_file") }
        }
        function("path_filestat_get", [.i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let directory = try host.guestDirectory(a[0].u32, .pathFilestatGet, "path_filestat_get")
            let path = try memory.path(at: a[2].u32, length: a[3].u32)
            let follow = a[1].u32 & lookupSymlinkFollow != 0
            let metadata = try host.told { () throws(FilesystemFailure) in
                try directory.metadata(of: path, followSymlinks: follow, "path_filestat_get")
            }
            try Self.storeFilestat(metadata, memory, a[4].u32)
        }
        function("path_filestat_set_times", [.i32, .i32, .i32, .i32, .i64, .i64, .i32], into: &imports, store: store) {
            host, memory, a throws(WASIErrno) in
            let directory = try host.guestDirectory(a[0].u32, .pathFilestatSetTimes, "path_filestat_set_times")
            let path = try memory.path(at: a[2].u32, length: a[3].u32)
            let (accessed, modified) = try Self.timestampUpdates(a[4].u64, a[5].u64, a[6].u32)
            try host.told { () throws(FilesystemFailure) in
                try directory.setTimes(
                    of: path, accessed: accessed, modified: modified, followSymlinks: a[1].u32 & lookupSymlinkFollow != 0,
                    "path_filestat_set_times")
            }
        }
        function("path_link", [.i32, .i32, .i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let source = try host.guestDirectory(a[0].u32, .pathLinkSource, "path_link")
            let target = try host.guestDirectory(a[4].u32, .pathLinkTarget, "path_link")
            let sourcePath = try memory.path(at: a[2].u32, length: a[3].u32)
            let targetPath = try memory.path(at: a[5].u32, length: a[6].u32)
            try host.told { () throws(FilesystemFailure) in
                try source.link(
                    sourcePath, followSymlinks: a[1].u32 & lookupSymlinkFollow != 0, to: targetPath, in: target, "path_link")
            }
        }
        function("path_readlink", [.i32, .i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let directory = try host.guestDirectory(a[0].u32, .pathReadlink, "path_readlink")
            let path = try memory.path(at: a[1].u32, length: a[2].u32)
            let target = try host.told { () throws(FilesystemFailure) in try directory.readLink(path, "path_readlink") }
            // Like readlink(2), a short buffer gets the first bytes.
            let copied = target.bytes.prefix(Int(a[4].u32))
            try memory.store(copied, at: a[3].u32)
            try memory.store(UInt32(copied.count), at: a[5].u32)
        }
        function("path_rename", [.i32, .i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let source = try host.guestDirectory(a[0].u32, .pathRenameSource, "path_rename")
            let target = try host.guestDirectory(a[3].u32, .pathRenameTarget, "path_rename")
            let sourcePath = try memory.path(at: a[1].u32, length: a[2].u32)
            let targetPath = try memory.path(at: a[4].u32, length: a[5].u32)
            try host.told { () throws(FilesystemFailure) in try source.rename(sourcePath, to: targetPath, in: target, "path_rename") }
        }
        function("path_symlink", [.i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let target = try memory.path(at: a[0].u32, length: a[1].u32)
            let directory = try host.guestDirectory(a[2].u32, .pathSymlink, "path_symlink")
            let path = try memory.path(at: a[3].u32, length: a[4].u32)
            try host.told { () throws(FilesystemFailure) in try directory.symlink(target: target, at: path, "path_symlink") }
        }
    }

    /// `path_open`: checks rights, opens through CapStd and allocates the new descriptor.
    func open(
        _ fd: UInt32, _ path: RawPath, follow: Bool, openFlags: WASIOpenFlags, rightsBase: WASIRights,
        rightsInheriting: WASIRights, fdFlags: WASIFDFlags
    ) throws(WASIErrno) -> UInt32 {
        let (entry, dir) = try directory(fd, .pathOpen, "path_open")
        guard fdFlags.isSubset(of: .defined) else { throw .invalid }
        var needed: WASIRights = []
        if openFlags.contains(.create) { needed.insert(.pathCreateFile) }
        if openFlags.contains(.truncate) { needed.insert(.pathFilestatSetSize) }
        guard entry.rightsBase.isSuperset(of: needed) else {
            deny("path_open", entry, path, reason: "descriptor \(fd) lacks the right \(needed.subtracting(entry.rightsBase))", errno: .notCapable)
            throw .notCapable
        }
        // The new descriptor gets what was asked for and the directory passes on, no more;
        // wasi-libc narrows its request the same way, and Rust's std asks for everything.
        let requestedRights = rightsBase
        let rightsBase = rightsBase.intersection(entry.rightsInheriting)
        let rightsInheriting = rightsInheriting.intersection(entry.rightsInheriting)
        let guestPath = entry.guestPath(of: path)
        let directory = GuestDirectory(dir: dir, guestPath: entry.guestPath, preopen: entry.preopen, policy: policy)
        // A directory cannot be opened for writing: open(2) says EISDIR, and so does Wasmtime
        // for a guest asking for the write right with O_DIRECTORY. Without it, the rights the
        // directory passes on decide: a writable open(2) of a directory is EISDIR anyway, and
        // a guest asking for every right (Rust's std) beneath a read-only one gets the directory.
        // Append is the descriptor's, not the kernel's: the file is never opened O_APPEND, so that
        // fd_fdstat_set_flags can turn it off and on (Wasmtime does the same). The sync flags
        // are the kernel's, fixed at open; Linux's O_RSYNC is O_SYNC.
        let request = GuestDirectory.OpenRequest(
            directory: openFlags.contains(.directory), create: openFlags.contains(.create),
            exclusive: openFlags.contains(.exclusive), truncating: openFlags.contains(.truncate),
            read: !rightsBase.isDisjoint(with: [.fdRead, .fdReaddir]),
            write: !rightsBase.isDisjoint(with: [.fdWrite, .fdAllocate, .fdFilestatSetSize]),
            forWriting: openFlags.contains(.directory) && requestedRights.contains(.fdWrite), followSymlinks: follow,
            synchronization: !fdFlags.isDisjoint(with: [.sync, .rsync]) ? .file : fdFlags.contains(.dsync) ? .data : .none)
        let opened = try told { () throws(FilesystemFailure) in try directory.open(path, request, "path_open") }
        switch opened {
        case .directory(let subdirectory):
            return try register(.directory(subdirectory, listing: nil), rightsBase.intersection(.directory),
                rightsInheriting, [], guestPath, entry.preopen) {
                subdirectory.close()
            }
        case .file(let file, _):
            return try register(.file(file), rightsBase.intersection(.regularFile), [], fdFlags, guestPath, entry.preopen) {
                file.close()
            }
        }
    }

    private func register(
        _ kind: DescriptorKind, _ base: WASIRights, _ inheriting: WASIRights, _ flags: WASIFDFlags, _ guestPath: String,
        _ preopen: String, onFailure close: () -> Void
    ) throws(WASIErrno) -> UInt32 {
        do {
            return try table.allocate(
                Descriptor(
                    kind: kind, rightsBase: base, rightsInheriting: inheriting, flags: flags,
                    guestPath: guestPath, preopen: preopen, preopenName: nil))
        } catch {
            close()
            let limit = configuration.limits.maxDescriptors
            policy.deny(
                "path_open", guestPath: guestPath, preopen: preopen,
                reason: DescriptorLimitReached(limit: limit).description, errno: error)
            throw error
        }
    }
}
