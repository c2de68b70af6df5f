// wasi:filesystem/types: descriptors over CapStd, every path operation beneath the descriptor's Dir.
import CapComponent
import CapStd
import SystemPackage

extension Preview2Host {
    static let filesystemTypes = "wasi:filesystem/types"

    /// Defines a function returning `result<T, error-code>`: the body returns `T`'s value (nil
    /// for none) or throws the ``FilesystemFailure`` or ``FilesystemErrorCode`` that becomes
    /// the `error-code`; the resource limit is `insufficient-memory` (0.2 has no EMFILE),
    /// reported under the descriptor the function was called on.
    private func filesystem<each Argument: HostArgument>(
        _ linker: ComponentLinker, _ name: String, _ body: @escaping (Preview2Host, repeat each Argument) throws -> ComponentValue?
    ) {
        let operation = "descriptor." + (name.split(separator: ".").last ?? "")
        define(linker, Self.filesystemTypes, name, errorResult: { try Self.errorCode($0, $1, $2, operation) }, body)
    }

    /// The `error-code` of what a filesystem function threw; anything else traps.
    private static func errorCode(
        _ host: Preview2Host, _ error: any Error, _ first: Any?, _ operation: String
    ) throws -> ComponentValue {
        switch error {
        case let failure as FilesystemFailure: return failure.code.value
        case let code as FilesystemErrorCode: return code.value
        case let full as DescriptorLimitReached:
            let descriptor = first as? FilesystemDescriptor
            host.policy.deny(
                operation, guestPath: descriptor?.guestPath ?? "", preopen: descriptor?.preopen ?? "",
                reason: full.description, FilesystemFailure(.insufficientMemory))
            return FilesystemErrorCode.insufficientMemory.value
        default: throw error
        }
    }

    /// Runs one CapStd call for `operation` on the descriptor itself, reporting escapes and
    /// read-only refusals with the guest's name for it.
    func capStd<R>(
        _ operation: String, _ descriptor: FilesystemDescriptor, _ body: () throws(CapStdError) -> R
    ) throws(FilesystemFailure) -> R {
        try object(descriptor).capStd("descriptor.\(operation)", body)
    }

    /// What the descriptor holds open, for the operations every WASI version shares.
    func object(_ descriptor: FilesystemDescriptor) -> GuestObject {
        let kind: GuestObject.Kind
        switch descriptor.kind {
        case .directory(let dir): kind = .directory(dir)
        case .file(let file, _): kind = .file(file)
        }
        return GuestObject(kind: kind, guestPath: descriptor.guestPath, preopen: descriptor.preopen, policy: policy)
    }

    /// The descriptor as the shared guest filesystem holds it; `not-directory` for a file.
    func directory(_ descriptor: FilesystemDescriptor) throws(FilesystemErrorCode) -> GuestDirectory {
        guard case .directory(let dir) = descriptor.kind else { throw .notDirectory }
        return GuestDirectory(dir: dir, guestPath: descriptor.guestPath, preopen: descriptor.preopen, policy: policy)
    }

    /// The descriptor's file if it was opened with `flag` (`read` or `write`); `bad-descriptor`
    /// otherwise, and for a directory, as in Wasmtime.
    static func file(_ descriptor: FilesystemDescriptor, _ flag: DescriptorFlags = []) throws(FilesystemErrorCode) -> File {
        guard case .file(let file, _) = descriptor.kind, descriptor.flags.isSuperset(of: flag) else { throw .badDescriptor }
        return file
    }

    /// A `filesize` offset as a file offset; past `Int64.max` no file can reach.
    static func offset(_ value: UInt64) throws(FilesystemErrorCode) -> Int64 {
        guard value <= UInt64(Int64.max) else { throw .fileTooLarge }
        return Int64(value)
    }

    func bindTypes(to linker: ComponentLinker) {
        bindDescriptorIO(to: linker)
        bindDescriptorMetadata(to: linker)
        bindPathOperations(to: linker)
        filesystem(linker, "[method]directory-entry-stream.read-directory-entry") { (host, stream: DirectoryEntryStream) in
            guard let entry = try stream.nextEntry() else { return .option(nil) }
            return .option(.record([DescriptorType(entry.type).value, .string(entry.name)]))
        }
        define(linker, Self.filesystemTypes, "filesystem-error-code") { (host, failure: StreamFailure) in
            .option(failure.code.value)
        }
    }

    // MARK: Reading and writing

    private func bindDescriptorIO(to linker: ComponentLinker) {
        filesystem(linker, "[method]descriptor.read-via-stream") { (host, descriptor: FilesystemDescriptor, offset: UInt64) in
            let file = try Self.file(descriptor, .read)
            return try host.own(.inputStream(InputStream(.file(file, offset: try Self.offset(offset)))), host.types.inputStream)
        }
        filesystem(linker, "[method]descriptor.write-via-stream") { (host, descriptor: FilesystemDescriptor, offset: UInt64) in
            let file = try Self.file(descriptor, .write)
            let stream = OutputStream(
                .file(file, offset: try Self.offset(offset), append: false), guestPath: descriptor.guestPath, preopen: descriptor.preopen)
            return try host.own(.outputStream(stream), host.types.outputStream)
        }
        filesystem(linker, "[method]descriptor.append-via-stream") { (host, descriptor: FilesystemDescriptor) in
            let file = try Self.file(descriptor, .write)
            let stream = OutputStream(.file(file, offset: 0, append: true), guestPath: descriptor.guestPath, preopen: descriptor.preopen)
            return try host.own(.outputStream(stream), host.types.outputStream)
        }
        filesystem(linker, "[method]descriptor.read") { (host, descriptor: FilesystemDescriptor, length: UInt64, offset: UInt64) in
            let file = try Self.file(descriptor, .read)
            let offset = try Self.offset(offset)
            var buffer = [UInt8](repeating: 0, count: Int(min(length, 1 << 20)))
            let read = try host.capStd("read", descriptor) { () throws(CapStdError) in
                try buffer.withUnsafeMutableBytes { bytes in Result { () throws(CapStdError) in try file.read(into: bytes, at: offset) } }.get()
            }
            buffer.removeLast(buffer.count - read)
            return .tuple([.bytes(buffer), .bool(read == 0 && length > 0)])
        }
        filesystem(linker, "[method]descriptor.write") { (host, descriptor: FilesystemDescriptor, bytes: GuestBytes, offset: UInt64) in
            let file = try Self.file(descriptor, .write)
            let offset = try Self.offset(offset)
            var written = 0
            try host.policy.write(
                bytes.buffer.count, "descriptor.write", guestPath: descriptor.guestPath, preopen: descriptor.preopen, written: &written
            ) { allowed, written throws(CapStdError) in
                written += try file.write(UnsafeRawBufferPointer(rebasing: bytes.buffer[0..<allowed]), at: offset)
            }
            return .u64(UInt64(written))
        }
        filesystem(linker, "[method]descriptor.set-size") { (host, descriptor: FilesystemDescriptor, size: UInt64) in
            _ = try Self.file(descriptor, .write)
            guard size <= UInt64(Int64.max) else { throw FilesystemErrorCode.fileTooLarge }
            try host.object(descriptor).resize(to: Int64(size), shrink: true, "descriptor.set-size")
            return nil
        }
        filesystem(linker, "[method]descriptor.advise") { (host, descriptor: FilesystemDescriptor, _: UInt64, _: UInt64, _: Advice) in
            _ = try Self.file(descriptor)
            // Advice is a hint, and none of it changes what the guest can reach.
            return nil
        }
        filesystem(linker, "[method]descriptor.sync-data") { (host, descriptor: FilesystemDescriptor) in
            try host.object(descriptor).sync(dataOnly: true, "descriptor.sync-data")
            return nil
        }
        filesystem(linker, "[method]descriptor.sync") { (host, descriptor: FilesystemDescriptor) in
            try host.object(descriptor).sync(dataOnly: false, "descriptor.sync")
            return nil
        }
        filesystem(linker, "[method]descriptor.read-directory") { (host, descriptor: FilesystemDescriptor) in
            let dir = try host.directory(descriptor).dir
            let entries = try host.capStd("read-directory", descriptor) { () throws(CapStdError) in try dir.entries() }
            return try host.own(.directoryEntries(DirectoryEntryStream(entries)), host.types.directoryEntryStream)
        }
    }

    // MARK: Metadata

    private func bindDescriptorMetadata(to linker: ComponentLinker) {
        filesystem(linker, "[method]descriptor.get-flags") { (host, descriptor: FilesystemDescriptor) in
            descriptor.flags.value
        }
        filesystem(linker, "[method]descriptor.get-type") { (host, descriptor: FilesystemDescriptor) in
            switch descriptor.kind {
            case .directory: DescriptorType.directory.value
            case .file(_, let type): DescriptorType(type).value
            }
        }
        filesystem(linker, "[method]descriptor.stat") { (host, descriptor: FilesystemDescriptor) in
            Self.descriptorStat(try host.object(descriptor).metadata("descriptor.stat"))
        }
        filesystem(linker, "[method]descriptor.stat-at") { (host, descriptor: FilesystemDescriptor, flags: PathFlags, path: String) in
            Self.descriptorStat(
                try host.directory(descriptor).metadata(
                    of: RawPath(path), followSymlinks: flags.contains(.symlinkFollow), "descriptor.stat-at"))
        }
        filesystem(linker, "[method]descriptor.set-times") {
            (host, descriptor: FilesystemDescriptor, accessed: NewTimestamp, modified: NewTimestamp) in
            try host.object(descriptor).setTimes(accessed: try accessed.update(), modified: try modified.update(), "descriptor.set-times")
            return nil
        }
        filesystem(linker, "[method]descriptor.set-times-at") {
            (host, descriptor: FilesystemDescriptor, flags: PathFlags, path: String, accessed: NewTimestamp, modified: NewTimestamp) in
            let directory = try host.directory(descriptor)
            try directory.setTimes(
                of: RawPath(path), accessed: try accessed.update(), modified: try modified.update(),
                followSymlinks: flags.contains(.symlinkFollow), "descriptor.set-times-at")
            return nil
        }
        define(linker, Self.filesystemTypes, "[method]descriptor.is-same-object") {
            (host, first: FilesystemDescriptor, second: FilesystemDescriptor) in
            guard let one = try? first.metadata(), let other = try? second.metadata() else { return .bool(false) }
            return .bool(one.device == other.device && one.inode == other.inode)
        }
        filesystem(linker, "[method]descriptor.metadata-hash") { (host, descriptor: FilesystemDescriptor) in
            Self.metadataHash(try host.object(descriptor).metadata("descriptor.metadata-hash"))
        }
        filesystem(linker, "[method]descriptor.metadata-hash-at") {
            (host, descriptor: FilesystemDescriptor, flags: PathFlags, path: String) in
            Self.metadataHash(
                try host.directory(descriptor).metadata(
                    of: RawPath(path), followSymlinks: flags.contains(.symlinkFollow), "descriptor.metadata-hash-at"))
        }
    }

    // MARK: Paths

    private func bindPathOperations(to linker: ComponentLinker) {
        filesystem(linker, "[method]descriptor.open-at") {
            (host, parent: FilesystemDescriptor, pathFlags: PathFlags, path: String, openFlags: OpenFlags, flags: DescriptorFlags) in
            try host.openAt(parent, follow: pathFlags.contains(.symlinkFollow), path: path, openFlags: openFlags, flags: flags)
        }
        filesystem(linker, "[method]descriptor.create-directory-at") { (host, descriptor: FilesystemDescriptor, path: String) in
            try host.directory(descriptor).createDirectory(RawPath(path), "descriptor.create-directory-at")
            return nil
        }
        filesystem(linker, "[method]descriptor.remove-directory-at") { (host, descriptor: FilesystemDescriptor, path: String) in
            try host.directory(descriptor).removeDirectory(RawPath(path), "descriptor.remove-directory-at")
            return nil
        }
        filesystem(linker, "[method]descriptor.unlink-file-at") { (host, descriptor: FilesystemDescriptor, path: String) in
            try host.directory(descriptor).removeFile(RawPath(path), "descriptor.unlink-file-at")
            return nil
        }
        filesystem(linker, "[method]descriptor.readlink-at") { (host, descriptor: FilesystemDescriptor, path: String) in
            let target = try host.directory(descriptor).readLink(RawPath(path), "descriptor.readlink-at")
            guard let text = String(validating: target.bytes, as: UTF8.self) else { throw FilesystemErrorCode.illegalByteSequence }
            return .string(text)
        }
        filesystem(linker, "[method]descriptor.symlink-at") { (host, descriptor: FilesystemDescriptor, target: String, path: String) in
            try host.directory(descriptor).symlink(target: RawPath(target), at: RawPath(path), "descriptor.symlink-at")
            return nil
        }
        filesystem(linker, "[method]descriptor.link-at") {
            (host, source: FilesystemDescriptor, flags: PathFlags, sourcePath: String, target: FilesystemDescriptor, targetPath: String) in
            try host.directory(source).link(
                RawPath(sourcePath), followSymlinks: flags.contains(.symlinkFollow), to: RawPath(targetPath),
                in: try host.directory(target), "descriptor.link-at")
            return nil
        }
        filesystem(linker, "[method]descriptor.rename-at") {
            (host, source: FilesystemDescriptor, sourcePath: String, target: FilesystemDescriptor, targetPath: String) in
            try host.directory(source).rename(RawPath(sourcePath), to: RawPath(targetPath), in: try host.directory(target), "descriptor.rename-at")
            return nil
        }
    }

    /// `open-at`: opens through the shared guest filesystem beneath the descriptor and returns
    /// the new descriptor. A directory opened without the `directory` flag still becomes a
    /// directory descriptor, as open(2) allows; a directory asked for with `write` is
    /// `is-directory`.
    func openAt(
        _ parent: FilesystemDescriptor, follow: Bool, path: String, openFlags: OpenFlags, flags: DescriptorFlags
    ) throws -> ComponentValue {
        let directory = try directory(parent)
        let path = RawPath(path)
        let guestPath = directory.guestPath(of: path)
        // A subdirectory may change what its parent may change, no more. Asking for more is a
        // mutation of a read-only tree, refused as every other one is (the WIT says read-only;
        // this host's read-only refusals are all `access`, what libc turns into EACCES).
        if flags.contains(.mutateDirectory) && !parent.flags.contains(.mutateDirectory) {
            let failure = FilesystemFailure(.access, "mutate-directory was asked for beneath a read-only directory")
            policy.deny("descriptor.open-at", guestPath: guestPath, preopen: parent.preopen, reason: failure.description, failure)
            throw failure
        }
        let request = GuestDirectory.OpenRequest(
            directory: openFlags.contains(.directory), create: openFlags.contains(.create),
            exclusive: openFlags.contains(.exclusive), truncating: openFlags.contains(.truncate), read: flags.contains(.read),
            write: flags.contains(.write), forWriting: flags.contains(.write), followSymlinks: follow,
            synchronization: !flags.isDisjoint(with: [.fileIntegritySync, .requestedWriteSync])
                ? .file : flags.contains(.dataIntegritySync) ? .data : .none)
        switch try directory.open(path, request, "descriptor.open-at") {
        case .directory(let subdirectory):
            return try register(.directory(subdirectory), parent.flags.intersection([.mutateDirectory]).union(.read), guestPath, parent)
        case .file(let file, let type):
            var fileFlags = flags.intersection(.file)
            if request.writes { fileFlags.insert(.write) }
            if request.reads { fileFlags.insert(.read) }
            return try register(.file(file, type), fileFlags, guestPath, parent)
        }
    }

    /// Stores a newly opened descriptor; at the limit it is closed, reported, and the guest
    /// gets `insufficient-memory` (0.2 has no EMFILE).
    private func register(
        _ kind: FilesystemDescriptor.Kind, _ flags: DescriptorFlags, _ guestPath: String, _ parent: FilesystemDescriptor
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
