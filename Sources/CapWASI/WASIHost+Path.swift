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
            let (entry, dir) = try host.directory(a[0].u32, .pathCreateDirectory, "path_create_directory")
            let path = try memory.path(at: a[1].u32, length: a[2].u32)
            try host.entryAllowance("path_create_directory", entry, path)
            try host.capStd("path_create_directory", entry, path: path) { () throws(CapStdError) in try dir.createDir(path) }
            host.policy.entriesCreated += 1
        }
        function("path_remove_directory", [.i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let (entry, dir) = try host.directory(a[0].u32, .pathRemoveDirectory, "path_remove_directory")
            let path = try memory.path(at: a[1].u32, length: a[2].u32)
            try host.capStd("path_remove_directory", entry, path: path) { () throws(CapStdError) in try dir.removeDir(path) }
        }
        function("path_unlink_file", [.i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let (entry, dir) = try host.directory(a[0].u32, .pathUnlinkFile, "path_unlink_file")
            let path = try memory.path(at: a[1].u32, length: a[2].u32)
            try host.capStd("path_unlink_file", entry, path: path) { () throws(CapStdError) in try dir.removeFile(path) }
        }
        function("path_filestat_get", [.i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let (entry, dir) = try host.directory(a[0].u32, .pathFilestatGet, "path_filestat_get")
            let path = try memory.path(at: a[2].u32, length: a[3].u32)
            let follow = a[1].u32 & lookupSymlinkFollow != 0
            let metadata = try host.capStd("path_filestat_get", entry, path: path) { () throws(CapStdError) in
                follow ? try dir.metadata(path) : try dir.symlinkMetadata(path)
            }
            try Self.storeFilestat(metadata, memory, a[4].u32)
        }
        function("path_filestat_set_times", [.i32, .i32, .i32, .i32, .i64, .i64, .i32], into: &imports, store: store) {
            host, memory, a throws(WASIErrno) in
            let (entry, dir) = try host.directory(a[0].u32, .pathFilestatSetTimes, "path_filestat_set_times")
            let path = try memory.path(at: a[2].u32, length: a[3].u32)
            let (accessed, modified) = try Self.timestampUpdates(a[4].u64, a[5].u64, a[6].u32)
            try host.capStd("path_filestat_set_times", entry, path: path) { () throws(CapStdError) in
                try dir.setTimes(path, accessed: accessed, modified: modified, followSymlinks: a[1].u32 & lookupSymlinkFollow != 0)
            }
        }
        function("path_link", [.i32, .i32, .i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let (sourceEntry, source) = try host.directory(a[0].u32, .pathLinkSource, "path_link")
            let (targetEntry, target) = try host.directory(a[4].u32, .pathLinkTarget, "path_link")
            let sourcePath = try memory.path(at: a[2].u32, length: a[3].u32)
            let targetPath = try memory.path(at: a[5].u32, length: a[6].u32)
            // Linking what a symlink points to would need resolving it first; Linux's linkat
            // without AT_SYMLINK_FOLLOW is what wasi-libc's link() asks for.
            guard a[1].u32 & lookupSymlinkFollow == 0 else { throw .invalid }
            try host.entryAllowance("path_link", targetEntry, targetPath)
            do throws(CapStdError) {
                try source.hardLink(sourcePath, to: targetPath, in: target)
                host.policy.entriesCreated += 1
            } catch {
                let blamed = error.path == sourcePath ? sourceEntry : targetEntry
                throw host.fail("path_link", blamed, error.path == sourcePath ? sourcePath : targetPath, error)
            }
        }
        function("path_readlink", [.i32, .i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let (entry, dir) = try host.directory(a[0].u32, .pathReadlink, "path_readlink")
            let path = try memory.path(at: a[1].u32, length: a[2].u32)
            // CapStd's readLink policy, with Wasmtime's errno: an absolute target is refused (its
            // text would tell the guest where other trees live on the host) with ERRNO_PERM,
            // which is what cap-std's read_link gives Wasmtime.
            let target = try host.capStd("path_readlink", entry, path: path) { () throws(CapStdError) in
                try dir.readLinkContents(path)
            }
            guard !target.isAbsolute else {
                host.deny("path_readlink", entry, path, reason: "the link's target is absolute, outside every preopen", errno: .notPermitted)
                throw .notPermitted
            }
            // Like readlink(2), a short buffer gets the first bytes.
            let copied = target.bytes.prefix(Int(a[4].u32))
            try memory.store(copied, at: a[3].u32)
            try memory.store(UInt32(copied.count), at: a[5].u32)
        }
        function("path_rename", [.i32, .i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let (sourceEntry, source) = try host.directory(a[0].u32, .pathRenameSource, "path_rename")
            let (targetEntry, target) = try host.directory(a[3].u32, .pathRenameTarget, "path_rename")
            let sourcePath = try memory.path(at: a[1].u32, length: a[2].u32)
            let targetPath = try memory.path(at: a[4].u32, length: a[5].u32)
            do throws(CapStdError) {
                try source.rename(sourcePath, to: targetPath, in: target)
            } catch {
                let blamed = error.path == sourcePath ? sourceEntry : targetEntry
                throw host.fail("path_rename", blamed, error.path == sourcePath ? sourcePath : targetPath, error)
            }
        }
        function("path_symlink", [.i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let target = try memory.path(at: a[0].u32, length: a[1].u32)
            let (entry, dir) = try host.directory(a[2].u32, .pathSymlink, "path_symlink")
            let path = try memory.path(at: a[3].u32, length: a[4].u32)
            try host.entryAllowance("path_symlink", entry, path)
            try host.capStd("path_symlink", entry, path: path) { () throws(CapStdError) in try dir.symlink(target: target, at: path) }
            host.policy.entriesCreated += 1
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

        if openFlags.contains(.directory) {
            guard !openFlags.contains(.create), !openFlags.contains(.truncate) else { throw .invalid }
            let subdirectory = try capStd("path_open", entry, path: path) { () throws(CapStdError) in
                try dir.openDir(path, followSymlinks: follow)
            }
            // A directory cannot be opened for writing: open(2) says EISDIR, and so does Wasmtime
            // for a guest asking for the write right.
            guard !requestedRights.contains(.fdWrite) else {
                subdirectory.close()
                throw .isDirectory
            }
            return try register(.directory(subdirectory, listing: nil), rightsBase.intersection(.directory),
                rightsInheriting, [], guestPath, entry.preopen) {
                subdirectory.close()
            }
        }

        // O_CREAT and O_TRUNC need a writable open(2), whatever rights the guest asked for.
        let writes = !rightsBase.isDisjoint(with: [.fdWrite, .fdAllocate, .fdFilestatSetSize])
            || openFlags.contains(.create) || openFlags.contains(.truncate)
        let reads = !rightsBase.isDisjoint(with: [.fdRead, .fdReaddir]) || !writes
        // Append is the descriptor's, not the kernel's: the file is never opened O_APPEND, so that
        // fd_fdstat_set_flags can turn it off and on (Wasmtime does the same). The sync flags
        // are the kernel's, fixed at open; Linux's O_RSYNC is O_SYNC.
        let synchronization: OpenOptions.Synchronization =
            !fdFlags.isDisjoint(with: [.sync, .rsync]) ? .file : fdFlags.contains(.dsync) ? .data : .none
        let options = OpenOptions(
            read: reads, write: writes, truncate: openFlags.contains(.truncate), create: openFlags.contains(.create),
            createNew: openFlags.contains(.create) && openFlags.contains(.exclusive), followSymlinks: follow,
            synchronization: synchronization)
        // Creation counts against the entry quota; whether this open creates is asked first.
        let creates = options.create && configuration.writeQuota != nil && dir.access == .readWrite
            && !((try? dir.exists(path)) ?? true)
        if creates { try entryAllowance("path_open", entry, path) }
        let file = try capStd("path_open", entry, path: path) { () throws(CapStdError) in try dir.open(path, options: options) }
        if creates { policy.entriesCreated += 1 }
        let type = try capStd("path_open", entry, path: path) { () throws(CapStdError) in try file.metadata().type }
        if type == .directory {
            // open(2) of a directory without O_DIRECTORY: the guest gets a directory descriptor.
            file.close()
            let subdirectory = try capStd("path_open", entry, path: path) { () throws(CapStdError) in
                try dir.openDir(path, followSymlinks: follow)
            }
            return try register(.directory(subdirectory, listing: nil), rightsBase.intersection(.directory),
                rightsInheriting, [], guestPath, entry.preopen) {
                subdirectory.close()
            }
        }
        return try register(.file(file), rightsBase.intersection(.regularFile), [], fdFlags, guestPath, entry.preopen) {
            file.close()
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
            let limit = configuration.limits.maxOpenFiles
            policy.deny(
                "path_open", guestPath: guestPath, preopen: preopen,
                reason: "the instance holds its limit of \(limit) open descriptors", errno: error)
            throw error
        }
    }
}
