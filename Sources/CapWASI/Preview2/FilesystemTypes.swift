// wasi:filesystem/types: descriptors over CapStd, every path operation beneath the descriptor's Dir.
import CapComponent
import CapStd
import SystemPackage

extension Preview2Host {
    /// The body of a function returning `result<T, error-code>`: returns `T`'s value (nil for
    /// none) or throws the errno that becomes the `error-code`.
    typealias FilesystemBody = (Preview2Host, Arguments) throws -> ComponentValue?

    private func filesystem(_ linker: ComponentLinker, _ name: String, _ body: @escaping FilesystemBody) {
        define(linker, "wasi:filesystem/types", name) { host, a in
            do {
                return .ok(try body(host, a))
            } catch let errno as WASIErrno {
                return .err(FilesystemErrorCode(errno))
            } catch let full as ResourceLimitReached {
                let descriptor = try? host.descriptor(a)
                host.policy.deny(
                    "descriptor.\(name.split(separator: ".").last ?? "")", guestPath: descriptor?.guestPath ?? "",
                    preopen: descriptor?.preopen ?? "", reason: full.description, errno: .tooManyFiles)
                return .err(FilesystemErrorCode(.tooManyFiles))
            }
        }
    }

    /// Runs one CapStd call for `operation` on `descriptor`, reporting escapes and read-only
    /// refusals with the guest's path.
    func capStd<R>(
        _ operation: String, _ descriptor: FilesystemDescriptor, _ path: String? = nil, _ body: () throws(CapStdError) -> R
    ) throws(WASIErrno) -> R {
        do { return try body() } catch {
            throw policy.fail(
                "descriptor.\(operation)", guestPath: path.map { descriptor.guestPath(of: $0) } ?? descriptor.guestPath,
                preopen: descriptor.preopen, error, escape: .notPermitted)
        }
    }

    /// The descriptor's directory; `not-directory` for a file.
    static func directory(_ descriptor: FilesystemDescriptor) throws(WASIErrno) -> Dir {
        guard case .directory(let dir) = descriptor.kind else { throw .notDirectory }
        return dir
    }

    /// The descriptor's file if it was opened with `flag` (`read` or `write`); `bad-descriptor`
    /// otherwise, and for a directory, as in Wasmtime.
    static func file(_ descriptor: FilesystemDescriptor, _ flag: String? = nil) throws(WASIErrno) -> File {
        guard case .file(let file, _) = descriptor.kind else { throw .badFileDescriptor }
        if let flag, !descriptor.flags.contains(flag) { throw .badFileDescriptor }
        return file
    }

    /// Counts one new entry against the write quota before it is made.
    func allowEntry(_ operation: String, _ descriptor: FilesystemDescriptor, _ path: String) throws(WASIErrno) {
        try policy.entryAllowance("descriptor.\(operation)", guestPath: descriptor.guestPath(of: path), preopen: descriptor.preopen)
    }

    func bindTypes(to linker: ComponentLinker) {
        bindDescriptorIO(to: linker)
        bindDescriptorMetadata(to: linker)
        bindPathOperations(to: linker)
        define(linker, "wasi:filesystem/types", "[method]directory-entry-stream.read-directory-entry") { host, a in
            guard case .directoryEntries(let stream)? = host.resources.get(try a.handle(0)) else {
                throw Preview2Trap("\(a.function): argument 0 is not a directory-entry-stream")
            }
            do throws(WASIErrno) {
                guard let entry = try stream.nextEntry() else { return .ok(.option(nil)) }
                return .ok(.option(.record([Self.descriptorType(entry.type), .string(entry.name)])))
            } catch {
                return .err(FilesystemErrorCode(error))
            }
        }
        define(linker, "wasi:filesystem/types", "filesystem-error-code") { host, a in
            guard case .error(let failure)? = host.resources.get(try a.handle(0)) else {
                throw Preview2Trap("\(a.function): argument 0 is not an error")
            }
            return .option(FilesystemErrorCode(failure.errno).value)
        }
    }

    // MARK: Reading and writing

    private func bindDescriptorIO(to linker: ComponentLinker) {
        filesystem(linker, "[method]descriptor.read-via-stream") { host, a in
            let descriptor = try host.descriptor(a)
            let file = try Self.file(descriptor, "read")
            let offset = try Self.offset(try a.u64(1))
            return try host.own(.inputStream(InputStream(.file(file, offset: offset))), host.types.inputStream)
        }
        filesystem(linker, "[method]descriptor.write-via-stream") { host, a in
            let descriptor = try host.descriptor(a)
            let file = try Self.file(descriptor, "write")
            let stream = OutputStream(
                .file(file, offset: try Self.offset(try a.u64(1)), append: false), guestPath: descriptor.guestPath,
                preopen: descriptor.preopen)
            return try host.own(.outputStream(stream), host.types.outputStream)
        }
        filesystem(linker, "[method]descriptor.append-via-stream") { host, a in
            let descriptor = try host.descriptor(a)
            let file = try Self.file(descriptor, "write")
            let stream = OutputStream(.file(file, offset: 0, append: true), guestPath: descriptor.guestPath, preopen: descriptor.preopen)
            return try host.own(.outputStream(stream), host.types.outputStream)
        }
        filesystem(linker, "[method]descriptor.read") { host, a in
            let descriptor = try host.descriptor(a)
            let file = try Self.file(descriptor, "read")
            let length = try a.u64(1)
            let offset = try Self.offset(try a.u64(2))
            var buffer = [UInt8](repeating: 0, count: Int(min(length, 1 << 20)))
            let read = try host.capStd("read", descriptor) { () throws(CapStdError) in
                try buffer.withUnsafeMutableBytes { bytes in Result { () throws(CapStdError) in try file.read(into: bytes, at: offset) } }.get()
            }
            buffer.removeLast(buffer.count - read)
            return .tuple([.bytes(buffer), .bool(read == 0 && length > 0)])
        }
        filesystem(linker, "[method]descriptor.write") { host, a in
            let descriptor = try host.descriptor(a)
            let file = try Self.file(descriptor, "write")
            let bytes = try a.bytes(1)
            let offset = try Self.offset(try a.u64(2))
            let allowed = Int(
                try host.policy.writeAllowance(
                    Int64(bytes.count), "descriptor.write", guestPath: descriptor.guestPath, preopen: descriptor.preopen))
            let written = try host.capStd("write", descriptor) { () throws(CapStdError) in
                try bytes.withUnsafeBytes { buffer in
                    Result { () throws(CapStdError) in try file.write(UnsafeRawBufferPointer(rebasing: buffer[0..<allowed]), at: offset) }
                }.get()
            }
            host.policy.bytesWritten += Int64(written)
            return .u64(UInt64(written))
        }
        filesystem(linker, "[method]descriptor.set-size") { host, a in
            let descriptor = try host.descriptor(a)
            let file = try Self.file(descriptor, "write")
            let size = try a.u64(1)
            guard size <= UInt64(Int64.max) else { throw WASIErrno.fileTooBig }
            try host.policy.resize(
                file, to: Int64(size), shrink: true, "descriptor.set-size", guestPath: descriptor.guestPath,
                preopen: descriptor.preopen)
            return nil
        }
        filesystem(linker, "[method]descriptor.advise") { host, a in
            _ = try Self.file(try host.descriptor(a))
            // Advice is a hint, and none of it changes what the guest can reach.
            return nil
        }
        filesystem(linker, "[method]descriptor.sync-data") { host, a in
            let descriptor = try host.descriptor(a)
            if case .file(let file, _) = descriptor.kind {
                try host.capStd("sync-data", descriptor) { () throws(CapStdError) in try file.syncData() }
            }
            return nil
        }
        filesystem(linker, "[method]descriptor.sync") { host, a in
            let descriptor = try host.descriptor(a)
            if case .file(let file, _) = descriptor.kind {
                try host.capStd("sync", descriptor) { () throws(CapStdError) in try file.sync() }
            }
            return nil
        }
        filesystem(linker, "[method]descriptor.read-directory") { host, a in
            let descriptor = try host.descriptor(a)
            let dir = try Self.directory(descriptor)
            let entries = try host.capStd("read-directory", descriptor) { () throws(CapStdError) in try dir.entries() }
            return try host.own(.directoryEntries(DirectoryEntryStream(entries)), host.types.directoryEntryStream)
        }
    }

    /// A `filesize` offset as a file offset; past `Int64.max` no file can reach.
    static func offset(_ value: UInt64) throws(WASIErrno) -> Int64 {
        guard value <= UInt64(Int64.max) else { throw .fileTooBig }
        return Int64(value)
    }

    // MARK: Metadata

    private func bindDescriptorMetadata(to linker: ComponentLinker) {
        filesystem(linker, "[method]descriptor.get-flags") { host, a in
            .flags(try host.descriptor(a).flags)
        }
        filesystem(linker, "[method]descriptor.get-type") { host, a in
            let descriptor = try host.descriptor(a)
            switch descriptor.kind {
            case .directory: return Self.descriptorType(FileType.directory)
            case .file(_, let type): return Self.descriptorType(type)
            }
        }
        filesystem(linker, "[method]descriptor.stat") { host, a in
            let descriptor = try host.descriptor(a)
            return Self.descriptorStat(try host.capStd("stat", descriptor) { () throws(CapStdError) in try descriptor.metadata() })
        }
        filesystem(linker, "[method]descriptor.stat-at") { host, a in
            Self.descriptorStat(try host.metadataAt("stat-at", a))
        }
        filesystem(linker, "[method]descriptor.set-times") { host, a in
            let descriptor = try host.descriptor(a)
            let accessed = try Self.timestampUpdate(try a.value(1), a.function)
            let modified = try Self.timestampUpdate(try a.value(2), a.function)
            try host.capStd("set-times", descriptor) { () throws(CapStdError) in
                switch descriptor.kind {
                case .directory(let dir): try dir.setTimes(".", accessed: accessed, modified: modified)
                case .file(let file, _): try file.setTimes(accessed: accessed, modified: modified)
                }
            }
            return nil
        }
        filesystem(linker, "[method]descriptor.set-times-at") { host, a in
            let descriptor = try host.descriptor(a)
            let dir = try Self.directory(descriptor)
            let follow = try a.flags(1).contains("symlink-follow")
            let path = try a.string(2)
            let accessed = try Self.timestampUpdate(try a.value(3), a.function)
            let modified = try Self.timestampUpdate(try a.value(4), a.function)
            try host.capStd("set-times-at", descriptor, path) { () throws(CapStdError) in
                try dir.setTimes(RawPath(path), accessed: accessed, modified: modified, followSymlinks: follow)
            }
            return nil
        }
        define(linker, "wasi:filesystem/types", "[method]descriptor.is-same-object") { host, a in
            let first = try host.descriptor(a)
            let second = try host.descriptor(a, 1)
            guard let one = try? first.metadata(), let other = try? second.metadata() else { return .bool(false) }
            return .bool(one.device == other.device && one.inode == other.inode)
        }
        filesystem(linker, "[method]descriptor.metadata-hash") { host, a in
            let descriptor = try host.descriptor(a)
            return Self.metadataHash(try host.capStd("metadata-hash", descriptor) { () throws(CapStdError) in try descriptor.metadata() })
        }
        filesystem(linker, "[method]descriptor.metadata-hash-at") { host, a in
            Self.metadataHash(try host.metadataAt("metadata-hash-at", a))
        }
    }

    /// The metadata of `(path-flags, path)` beneath the descriptor in argument 0.
    private func metadataAt(_ operation: String, _ a: Arguments) throws -> Metadata {
        let descriptor = try self.descriptor(a)
        let dir = try Self.directory(descriptor)
        let follow = try a.flags(1).contains("symlink-follow")
        let path = try a.string(2)
        return try capStd(operation, descriptor, path) { () throws(CapStdError) in
            follow ? try dir.metadata(RawPath(path)) : try dir.symlinkMetadata(RawPath(path))
        }
    }

    // MARK: Paths

    private func bindPathOperations(to linker: ComponentLinker) {
        filesystem(linker, "[method]descriptor.open-at") { host, a in
            try host.openAt(
                try host.descriptor(a), follow: try a.flags(1).contains("symlink-follow"), path: try a.string(2),
                openFlags: try a.flags(3), flags: try a.flags(4))
        }
        filesystem(linker, "[method]descriptor.create-directory-at") { host, a in
            let descriptor = try host.descriptor(a)
            let dir = try Self.directory(descriptor)
            let path = try a.string(1)
            try host.allowEntry("create-directory-at", descriptor, path)
            try host.capStd("create-directory-at", descriptor, path) { () throws(CapStdError) in try dir.createDir(RawPath(path)) }
            host.policy.entriesCreated += 1
            return nil
        }
        filesystem(linker, "[method]descriptor.remove-directory-at") { host, a in
            let descriptor = try host.descriptor(a)
            let dir = try Self.directory(descriptor)
            let path = try a.string(1)
            try host.capStd("remove-directory-at", descriptor, path) { () throws(CapStdError) in try dir.removeDir(RawPath(path)) }
            return nil
        }
        filesystem(linker, "[method]descriptor.unlink-file-at") { host, a in
            let descriptor = try host.descriptor(a)
            let dir = try Self.directory(descriptor)
            let path = try a.string(1)
            try host.capStd("unlink-file-at", descriptor, path) { () throws(CapStdError) in try dir.removeFile(RawPath(path)) }
            return nil
        }
        filesystem(linker, "[method]descriptor.readlink-at") { host, a in
            let descriptor = try host.descriptor(a)
            let dir = try Self.directory(descriptor)
            let path = try a.string(1)
            // CapStd's readLink policy: an absolute target is refused, since its text would tell
            // the guest where other trees live on the host; Wasmtime answers not-permitted too.
            let target = try host.capStd("readlink-at", descriptor, path) { () throws(CapStdError) in try dir.readLinkContents(RawPath(path)) }
            guard !target.isAbsolute else {
                host.policy.deny(
                    "descriptor.readlink-at", guestPath: descriptor.guestPath(of: path), preopen: descriptor.preopen,
                    reason: "the link's target is absolute, outside every preopen", errno: .notPermitted)
                throw WASIErrno.notPermitted
            }
            guard let text = String(validating: target.bytes, as: UTF8.self) else { throw WASIErrno.illegalSequence }
            return .string(text)
        }
        filesystem(linker, "[method]descriptor.symlink-at") { host, a in
            let descriptor = try host.descriptor(a)
            let dir = try Self.directory(descriptor)
            let target = try a.string(1)
            let path = try a.string(2)
            try host.allowEntry("symlink-at", descriptor, path)
            try host.capStd("symlink-at", descriptor, path) { () throws(CapStdError) in
                try dir.symlink(target: RawPath(target), at: RawPath(path))
            }
            host.policy.entriesCreated += 1
            return nil
        }
        filesystem(linker, "[method]descriptor.link-at") { host, a in
            let source = try host.descriptor(a)
            let sourceDir = try Self.directory(source)
            // Linking what a symlink points to would need resolving it first; Linux's linkat
            // without AT_SYMLINK_FOLLOW is what wasi-libc's link() asks for.
            guard try !a.flags(1).contains("symlink-follow") else { throw WASIErrno.invalid }
            let sourcePath = try a.string(2)
            let target = try host.descriptor(a, 3)
            let targetDir = try Self.directory(target)
            let targetPath = try a.string(4)
            try host.allowEntry("link-at", target, targetPath)
            do throws(CapStdError) {
                try sourceDir.hardLink(RawPath(sourcePath), to: RawPath(targetPath), in: targetDir)
            } catch {
                let blamesSource = error.path == RawPath(sourcePath)
                throw host.policy.fail(
                    "descriptor.link-at", guestPath: blamesSource ? source.guestPath(of: sourcePath) : target.guestPath(of: targetPath),
                    preopen: blamesSource ? source.preopen : target.preopen, error, escape: .notPermitted)
            }
            host.policy.entriesCreated += 1
            return nil
        }
        filesystem(linker, "[method]descriptor.rename-at") { host, a in
            let source = try host.descriptor(a)
            let sourceDir = try Self.directory(source)
            let sourcePath = try a.string(1)
            let target = try host.descriptor(a, 2)
            let targetDir = try Self.directory(target)
            let targetPath = try a.string(3)
            do throws(CapStdError) {
                try sourceDir.rename(RawPath(sourcePath), to: RawPath(targetPath), in: targetDir)
            } catch {
                let blamesSource = error.path == RawPath(sourcePath)
                throw host.policy.fail(
                    "descriptor.rename-at", guestPath: blamesSource ? source.guestPath(of: sourcePath) : target.guestPath(of: targetPath),
                    preopen: blamesSource ? source.preopen : target.preopen, error, escape: .notPermitted)
            }
            return nil
        }
    }

    /// `open-at`: opens through CapStd beneath the descriptor and returns the new descriptor.
    /// A directory opened without the `directory` flag still becomes a directory descriptor, as
    /// open(2) allows; a directory asked for with `write` is `is-directory`.
    func openAt(
        _ parent: FilesystemDescriptor, follow: Bool, path: String, openFlags: Set<String>, flags: Set<String>
    ) throws -> ComponentValue {
        let dir = try Self.directory(parent)
        let guestPath = parent.guestPath(of: path)
        let raw = RawPath(path)
        // A subdirectory may change what its parent may change, no more. Asking for more is a
        // mutation of a read-only tree, refused as every other one is (the WIT says read-only;
        // this host's read-only refusals are all `access`, what libc turns into EACCES).
        if flags.contains("mutate-directory") && !parent.canMutateDirectory {
            policy.deny(
                "descriptor.open-at", guestPath: guestPath, preopen: parent.preopen,
                reason: "mutate-directory was asked for beneath a read-only directory", errno: .access)
            throw WASIErrno.access
        }
        let directoryFlags = Set(["read"]).union(parent.canMutateDirectory ? ["mutate-directory"] : [])
        func directoryDescriptor() throws -> ComponentValue {
            let subdirectory = try capStd("open-at", parent, path) { () throws(CapStdError) in try dir.openDir(raw, followSymlinks: follow) }
            guard !flags.contains("write") else {
                subdirectory.close()
                throw WASIErrno.isDirectory
            }
            return try register(.directory(subdirectory), directoryFlags, guestPath, parent)
        }
        if openFlags.contains("directory") {
            guard openFlags.isDisjoint(with: ["create", "exclusive", "truncate"]) else { throw WASIErrno.invalid }
            return try directoryDescriptor()
        }
        let creates = openFlags.contains("create")
        let truncates = openFlags.contains("truncate")
        let writes = flags.contains("write") || creates || truncates
        let synchronization: OpenOptions.Synchronization =
            flags.contains("file-integrity-sync") || flags.contains("requested-write-sync")
            ? .file : flags.contains("data-integrity-sync") ? .data : .none
        let options = OpenOptions(
            read: flags.contains("read") || !writes, write: writes, truncate: truncates, create: creates,
            createNew: creates && openFlags.contains("exclusive"), followSymlinks: follow, synchronization: synchronization)
        let counts = creates && configuration.writeQuota != nil && dir.access == .readWrite && !((try? dir.exists(raw)) ?? true)
        if counts { try allowEntry("open-at", parent, path) }
        let file = try capStd("open-at", parent, path) { () throws(CapStdError) in try dir.open(raw, options: options) }
        if counts { policy.entriesCreated += 1 }
        let type = try capStd("open-at", parent, path) { () throws(CapStdError) in try file.metadata().type }
        if type == .directory {
            file.close()
            return try directoryDescriptor()
        }
        let fileFlags = flags.intersection(["read", "write", "file-integrity-sync", "data-integrity-sync", "requested-write-sync"])
            .union(writes ? ["write"] : []).union(options.read ? ["read"] : [])
        return try register(.file(file, type), fileFlags, guestPath, parent)
    }

    /// Stores a newly opened descriptor; at the limit it is closed, reported, and the guest
    /// gets `insufficient-memory` (0.2 has no EMFILE).
    private func register(
        _ kind: FilesystemDescriptor.Kind, _ flags: Set<String>, _ guestPath: String, _ parent: FilesystemDescriptor
    ) throws -> ComponentValue {
        let descriptor = FilesystemDescriptor(kind, flags: flags, guestPath: guestPath, preopen: parent.preopen)
        do {
            return .own(ResourceHandle(type: types.descriptor, representation: try resources.insert(.descriptor(descriptor))))
        } catch {
            descriptor.close()
            policy.deny(
                "descriptor.open-at", guestPath: guestPath, preopen: parent.preopen,
                reason: ResourceLimitReached(limit: resources.limit).description, errno: error)
            throw error
        }
    }
}
