// wasi:filesystem/types: descriptors over CapStd, every path operation beneath the descriptor's Dir.
import CapComponent
import CapStd
import SystemPackage

extension Preview2Host {
    /// The body of a function returning `result<T, error-code>`: returns `T`'s value (nil for
    /// none) or throws the ``FilesystemFailure`` or ``FilesystemErrorCode`` that becomes the
    /// `error-code`.
    typealias FilesystemBody = (Preview2Host, Arguments) throws -> ComponentValue?

    private func filesystem(_ linker: ComponentLinker, _ name: String, _ body: @escaping FilesystemBody) {
        define(linker, "wasi:filesystem/types", name) { host, a in
            do {
                return .ok(try body(host, a))
            } catch let failure as FilesystemFailure {
                return .err(failure.code)
            } catch let code as FilesystemErrorCode {
                return .err(code)
            } catch let full as ResourceLimitReached {
                // 0.2 has no EMFILE: the descriptor limit is `insufficient-memory`.
                let descriptor = try? host.descriptor(a)
                host.policy.deny(
                    "descriptor.\(name.split(separator: ".").last ?? "")", guestPath: descriptor?.guestPath ?? "",
                    preopen: descriptor?.preopen ?? "", reason: full.description, FilesystemFailure(.insufficientMemory))
                return .err(FilesystemErrorCode.insufficientMemory)
            }
        }
    }

    /// Runs one CapStd call for `operation` on the descriptor itself, reporting escapes and
    /// read-only refusals with the guest's name for it.
    func capStd<R>(
        _ operation: String, _ descriptor: FilesystemDescriptor, _ body: () throws(CapStdError) -> R
    ) throws(FilesystemFailure) -> R {
        do { return try body() } catch {
            throw policy.fail("descriptor.\(operation)", guestPath: descriptor.guestPath, preopen: descriptor.preopen, error)
        }
    }

    /// The descriptor as the shared guest filesystem holds it; `not-directory` for a file.
    func directory(_ descriptor: FilesystemDescriptor) throws(FilesystemErrorCode) -> GuestDirectory {
        guard case .directory(let dir) = descriptor.kind else { throw .notDirectory }
        return GuestDirectory(dir: dir, guestPath: descriptor.guestPath, preopen: descriptor.preopen, policy: policy)
    }

    /// The directory descriptor in argument `index`.
    private func directory(_ a: Arguments, _ index: Int = 0) throws -> GuestDirectory {
        try directory(try descriptor(a, index))
    }

    /// The descriptor's file if it was opened with `flag` (`read` or `write`); `bad-descriptor`
    /// otherwise, and for a directory, as in Wasmtime.
    static func file(_ descriptor: FilesystemDescriptor, _ flag: String? = nil) throws(FilesystemErrorCode) -> File {
        guard case .file(let file, _) = descriptor.kind else { throw .badDescriptor }
        if let flag, !descriptor.flags.contains(flag) { throw .badDescriptor }
        return file
    }

    func bindTypes(to linker: ComponentLinker) {
        bindDescriptorIO(to: linker)
        bindDescriptorMetadata(to: linker)
        bindPathOperations(to: linker)
        define(linker, "wasi:filesystem/types", "[method]directory-entry-stream.read-directory-entry") { host, a in
            guard case .directoryEntries(let stream)? = host.resources.get(try a.handle(0)) else {
                throw Preview2Trap("\(a.function): argument 0 is not a directory-entry-stream")
            }
            do throws(FilesystemErrorCode) {
                guard let entry = try stream.nextEntry() else { return .ok(.option(nil)) }
                return .ok(.option(.record([Self.descriptorType(entry.type), .string(entry.name)])))
            } catch {
                return .err(error)
            }
        }
        define(linker, "wasi:filesystem/types", "filesystem-error-code") { host, a in
            guard case .error(let failure)? = host.resources.get(try a.handle(0)) else {
                throw Preview2Trap("\(a.function): argument 0 is not an error")
            }
            return .option(failure.code.value)
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
            var written = 0
            try host.policy.write(
                bytes.count, "descriptor.write", guestPath: descriptor.guestPath, preopen: descriptor.preopen, written: &written
            ) { allowed, written throws(CapStdError) in
                written += try bytes.withUnsafeBytes { buffer in
                    Result { () throws(CapStdError) in try file.write(UnsafeRawBufferPointer(rebasing: buffer[0..<allowed]), at: offset) }
                }.get()
            }
            return .u64(UInt64(written))
        }
        filesystem(linker, "[method]descriptor.set-size") { host, a in
            let descriptor = try host.descriptor(a)
            let file = try Self.file(descriptor, "write")
            let size = try a.u64(1)
            guard size <= UInt64(Int64.max) else { throw FilesystemErrorCode.fileTooLarge }
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
            let dir = try host.directory(descriptor).dir
            let entries = try host.capStd("read-directory", descriptor) { () throws(CapStdError) in try dir.entries() }
            return try host.own(.directoryEntries(DirectoryEntryStream(entries)), host.types.directoryEntryStream)
        }
    }

    /// A `filesize` offset as a file offset; past `Int64.max` no file can reach.
    static func offset(_ value: UInt64) throws(FilesystemErrorCode) -> Int64 {
        guard value <= UInt64(Int64.max) else { throw .fileTooLarge }
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
            let directory = try host.directory(a)
            let follow = try a.flags(1).contains("symlink-follow")
            let path = RawPath(try a.string(2))
            let accessed = try Self.timestampUpdate(try a.value(3), a.function)
            let modified = try Self.timestampUpdate(try a.value(4), a.function)
            try directory.setTimes(
                of: path, accessed: accessed, modified: modified, followSymlinks: follow, "descriptor.set-times-at")
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
        try directory(a).metadata(
            of: RawPath(try a.string(2)), followSymlinks: try a.flags(1).contains("symlink-follow"), "descriptor.\(operation)")
    }

    // MARK: Paths

    private func bindPathOperations(to linker: ComponentLinker) {
        filesystem(linker, "[method]descriptor.open-at") { host, a in
            try host.openAt(
                try host.descriptor(a), follow: try a.flags(1).contains("symlink-follow"), path: try a.string(2),
                openFlags: try a.flags(3), flags: try a.flags(4))
        }
        filesystem(linker, "[method]descriptor.create-directory-at") { host, a in
            try host.directory(a).createDirectory(RawPath(try a.string(1)), "descriptor.create-directory-at")
            return nil
        }
        filesystem(linker, "[method]descriptor.remove-directory-at") { host, a in
            try host.directory(a).removeDirectory(RawPath(try a.string(1)), "descriptor.remove-directory-at")
            return nil
        }
        filesystem(linker, "[method]descriptor.unlink-file-at") { host, a in
            try host.directory(a).removeFile(RawPath(try a.string(1)), "descriptor.unlink-file-at")
            return nil
        }
        filesystem(linker, "[method]descriptor.readlink-at") { host, a in
            let target = try host.directory(a).readLink(RawPath(try a.string(1)), "descriptor.readlink-at")
            guard let text = String(validating: target.bytes, as: UTF8.self) else { throw FilesystemErrorCode.illegalByteSequence }
            return .string(text)
        }
        filesystem(linker, "[method]descriptor.symlink-at") { host, a in
            try host.directory(a).symlink(target: RawPath(try a.string(1)), at: RawPath(try a.string(2)), "descriptor.symlink-at")
            return nil
        }
        filesystem(linker, "[method]descriptor.link-at") { host, a in
            let source = try host.directory(a)
            let follow = try a.flags(1).contains("symlink-follow")
            let sourcePath = RawPath(try a.string(2))
            let target = try host.directory(a, 3)
            try source.link(sourcePath, followSymlinks: follow, to: RawPath(try a.string(4)), in: target, "descriptor.link-at")
            return nil
        }
        filesystem(linker, "[method]descriptor.rename-at") { host, a in
            let source = try host.directory(a)
            let sourcePath = RawPath(try a.string(1))
            let target = try host.directory(a, 2)
            try source.rename(sourcePath, to: RawPath(try a.string(3)), in: target, "descriptor.rename-at")
            return nil
        }
    }

    /// `open-at`: opens through the shared guest filesystem beneath the descriptor and returns
    /// the new descriptor. A directory opened without the `directory` flag still becomes a
    /// directory descriptor, as open(2) allows; a directory asked for with `write` is
    /// `is-directory`.
    func openAt(
        _ parent: FilesystemDescriptor, follow: Bool, path: String, openFlags: Set<String>, flags: Set<String>
    ) throws -> ComponentValue {
        let directory = try directory(parent)
        let path = RawPath(path)
        let guestPath = directory.guestPath(of: path)
        // A subdirectory may change what its parent may change, no more. Asking for more is a
        // mutation of a read-only tree, refused as every other one is (the WIT says read-only;
        // this host's read-only refusals are all `access`, what libc turns into EACCES).
        if flags.contains("mutate-directory") && !parent.canMutateDirectory {
            let failure = FilesystemFailure(.access, "mutate-directory was asked for beneath a read-only directory")
            policy.deny("descriptor.open-at", guestPath: guestPath, preopen: parent.preopen, reason: failure.description, failure)
            throw failure
        }
        let isDirectory = openFlags.contains("directory")
        if isDirectory {
            guard openFlags.isDisjoint(with: ["create", "exclusive", "truncate"]) else { throw FilesystemErrorCode.invalid }
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
        switch try directory.open(path, options: options, directory: isDirectory, forWriting: flags.contains("write"), "descriptor.open-at") {
        case .directory(let subdirectory):
            let directoryFlags = Set(["read"]).union(parent.canMutateDirectory ? ["mutate-directory"] : [])
            return try register(.directory(subdirectory), directoryFlags, guestPath, parent)
        case .file(let file, let type):
            let fileFlags = flags.intersection(["read", "write", "file-integrity-sync", "data-integrity-sync", "requested-write-sync"])
                .union(writes ? ["write"] : []).union(options.read ? ["read"] : [])
            return try register(.file(file, type), fileFlags, guestPath, parent)
        }
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
            let failure = FilesystemFailure(.insufficientMemory, error.description)
            policy.deny("descriptor.open-at", guestPath: guestPath, preopen: parent.preopen, reason: failure.description, failure)
            throw failure
        }
    }
}
