// fd_*: reading, writing, seeking, metadata, listing and managing descriptors.
import CapStd
import SystemPackage
import WasmKit

extension WASIHost {
    func defineDescriptorFunctions(into imports: inout Imports, store: Store) {
        function("fd_read", [.i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, .fdRead, "fd_read")
            let total = try host.transfer(entry, memory.ioVectors(at: a[1].u32, count: a[2].u32), memory, offset: nil, write: false, "fd_read")
            try memory.store(UInt32(total), at: a[3].u32)
        }
        function("fd_write", [.i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, .fdWrite, "fd_write")
            let total = try host.transfer(entry, memory.ioVectors(at: a[1].u32, count: a[2].u32), memory, offset: nil, write: true, "fd_write")
            try memory.store(UInt32(total), at: a[3].u32)
        }
        function("fd_pread", [.i32, .i32, .i32, .i64, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, [.fdRead, .fdSeek], "fd_pread")
            let total = try host.transfer(
                entry, memory.ioVectors(at: a[1].u32, count: a[2].u32), memory, offset: Int64(bitPattern: a[3].u64), write: false, "fd_pread")
            try memory.store(UInt32(total), at: a[4].u32)
        }
        function("fd_pwrite", [.i32, .i32, .i32, .i64, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, [.fdWrite, .fdSeek], "fd_pwrite")
            let total = try host.transfer(
                entry, memory.ioVectors(at: a[1].u32, count: a[2].u32), memory, offset: Int64(bitPattern: a[3].u64), write: true, "fd_pwrite")
            try memory.store(UInt32(total), at: a[4].u32)
        }
        function("fd_seek", [.i32, .i64, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, .fdSeek, "fd_seek")
            let origin: File.SeekOrigin
            switch a[2].u32 {
            case 0: origin = .start
            case 1: origin = .current
            case 2: origin = .end
            default: throw .invalid
            }
            let position = try host.seek(entry, Int64(bitPattern: a[1].u64), origin)
            try memory.store(UInt64(position), at: a[3].u32)
        }
        function("fd_tell", [.i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, .fdTell, "fd_tell")
            try memory.store(UInt64(try host.seek(entry, 0, .current)), at: a[1].u32)
        }
        function("fd_close", [.i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            try host.table.close(a[0].u32)
        }
        function("fd_renumber", [.i32, .i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            try host.table.renumber(a[0].u32, to: a[1].u32)
        }
        function("fd_sync", [.i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, .fdSync, "fd_sync")
            try host.told { () throws(FilesystemFailure) in try host.object(entry)?.sync(dataOnly: false, "fd_sync") }
        }
        function("fd_datasync", [.i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, .fdDatasync, "fd_datasync")
            try host.told { () throws(FilesystemFailure) in try host.object(entry)?.sync(dataOnly: true, "fd_datasync") }
        }
        function("fd_advise", [.i32, .i64, .i64, .i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            _ = try host.descriptor(a[0].u32, .fdAdvise, "fd_advise")
            // Advice is a hint; the only error is an advice value preview 1 does not define.
            guard a[3].u32 <= 5 else { throw .invalid }
        }
        function("fd_allocate", [.i32, .i64, .i64], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, .fdAllocate, "fd_allocate")
            guard entry.file != nil else { throw .badFileDescriptor }
            let (end, overflow) = a[1].u64.addingReportingOverflow(a[2].u64)
            guard !overflow, end <= UInt64(Int64.max) else { throw .fileTooBig }
            try host.grow(entry, to: Int64(end), "fd_allocate")
        }
        function("fd_fdstat_get", [.i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, [], "fd_fdstat_get")
            let pointer = a[1].u32
            try memory.withMutableBytes(at: pointer, count: 24) { buffer in buffer.initializeMemory(as: UInt8.self, repeating: 0) }
            try memory.store(try host.fileType(entry).rawValue, at: pointer)
            try memory.store(entry.flags.rawValue, at: pointer + 2)
            try memory.store(entry.rightsBase.rawValue, at: pointer + 8)
            try memory.store(entry.rightsInheriting.rawValue, at: pointer + 16)
        }
        function("fd_fdstat_set_flags", [.i32, .i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            let fd = a[0].u32
            let entry = try host.descriptor(fd, .fdFdstatSetFlags, "fd_fdstat_set_flags")
            let flags = WASIFDFlags(rawValue: UInt16(truncatingIfNeeded: a[1].u32))
            guard flags.isSubset(of: .defined) else { throw .invalid }
            // Append and nonblock are the descriptor's own. The sync flags were fixed at open and
            // Linux cannot change them (fcntl ignores O_SYNC and O_DSYNC), so asking for the ones
            // the descriptor has is fine and asking for others is EINVAL, Wasmtime's answer.
            guard flags.intersection(.synchronization) == entry.flags.intersection(.synchronization) else {
                throw .invalid
            }
            host.table.update(fd) { $0.flags = flags }
        }
        function("fd_fdstat_set_rights", [.i32, .i64, .i64], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            let fd = a[0].u32
            let entry = try host.table.get(fd)
            let base = WASIRights(rawValue: a[1].u64)
            let inheriting = WASIRights(rawValue: a[2].u64)
            // Rights only ever shrink.
            guard entry.rightsBase.isSuperset(of: base), entry.rightsInheriting.isSuperset(of: inheriting) else {
                throw .notCapable
            }
            host.table.update(fd) {
                $0.rightsBase = base
                $0.rightsInheriting = inheriting
            }
        }
        function("fd_filestat_get", [.i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, .fdFilestatGet, "fd_filestat_get")
            switch entry.kind {
            case .stream:
                try memory.withMutableBytes(at: a[1].u32, count: 64) { buffer in buffer.initializeMemory(as: UInt8.self, repeating: 0) }
                try memory.store(try host.fileType(entry).rawValue, at: a[1].u32 + 16)
            case .directory, .file:
                let metadata = try host.told { () throws(FilesystemFailure) in try host.object(entry)!.metadata("fd_filestat_get") }
                try Self.storeFilestat(metadata, memory, a[1].u32)
            }
        }
        function("fd_filestat_set_size", [.i32, .i64], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, .fdFilestatSetSize, "fd_filestat_set_size")
            guard entry.file != nil else { throw .badFileDescriptor }
            guard a[1].u64 <= UInt64(Int64.max) else { throw .fileTooBig }
            try host.grow(entry, to: Int64(a[1].u64), "fd_filestat_set_size", shrink: true)
        }
        function("fd_filestat_set_times", [.i32, .i64, .i64, .i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            let entry = try host.descriptor(a[0].u32, .fdFilestatSetTimes, "fd_filestat_set_times")
            let (accessed, modified) = try Self.timestampUpdates(a[1].u64, a[2].u64, a[3].u32)
            try host.told { () throws(FilesystemFailure) in
                try host.object(entry)?.setTimes(accessed: accessed, modified: modified, "fd_filestat_set_times")
            }
        }
        function("fd_prestat_get", [.i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let entry = try host.table.get(a[0].u32)
            guard let name = entry.preopenName else { throw .badFileDescriptor }
            try memory.store(UInt32(0), at: a[1].u32)
            try memory.store(UInt32(name.utf8.count), at: a[1].u32 + 4)
        }
        function("fd_prestat_dir_name", [.i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let entry = try host.table.get(a[0].u32)
            guard let name = entry.preopenName else { throw .badFileDescriptor }
            let bytes = Array(name.utf8)
            guard a[2].u32 >= bytes.count else { throw .nameTooLong }
            try memory.store(bytes, at: a[1].u32)
        }
        function("fd_readdir", [.i32, .i32, .i32, .i64, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let used = try host.readDirectory(a[0].u32, memory, buffer: a[1].u32, length: a[2].u32, cookie: a[3].u64)
            try memory.store(used, at: a[4].u32)
        }
    }

    // MARK: Helpers

    /// What `entry` holds open, for the operations every WASI version shares; nil for a
    /// standard stream.
    func object(_ entry: Descriptor) -> GuestObject? {
        let kind: GuestObject.Kind
        switch entry.kind {
        case .stream: return nil
        case .directory(let dir, _): kind = .directory(dir)
        case .file(let file): kind = .file(file)
        }
        return GuestObject(kind: kind, guestPath: entry.guestPath, preopen: entry.preopen, policy: policy)
    }

    /// Sets a file's length, counting growth against the write quota.
    func grow(_ entry: Descriptor, to length: Int64, _ operation: String, shrink: Bool = false) throws(WASIErrno) {
        try told { () throws(FilesystemFailure) in
            guard let object = object(entry) else { throw FilesystemFailure(.badDescriptor) }
            try object.resize(to: length, shrink: shrink, operation)
        }
    }

    /// Runs a CapStd call for `operation`, turning its error into the guest's errno.
    @discardableResult
    func capStd<R>(
        _ operation: String, _ entry: Descriptor, path: RawPath? = nil, _ body: () throws(CapStdError) -> R
    ) throws(WASIErrno) -> R {
        do { return try body() } catch { throw fail(operation, entry, path, error) }
    }

    /// Moves bytes between the guest's iovecs and a descriptor; stops at the first short transfer.
    func transfer(
        _ entry: Descriptor, _ vectors: [(pointer: UInt32, length: UInt32)], _ memory: GuestMemory, offset: Int64?,
        write: Bool, _ operation: String
    ) throws(WASIErrno) -> Int {
        var total = 0
        switch entry.kind {
        case .directory:
            throw .isDirectory
        case .stream(let fd):
            guard offset == nil else { throw .invalidSeek }
            for vector in vectors {
                let moved = try memory.withMutableBytes(at: vector.pointer, count: vector.length) { buffer in
                    switch (write, fd) {
                    case (true, 1): policy.writeStandard(.output, UnsafeRawBufferPointer(buffer))
                    case (true, _): policy.writeStandard(.error, UnsafeRawBufferPointer(buffer))
                    case (false, 0): policy.readStandardInput(into: buffer)
                    case (false, _): 0
                    }
                }
                total += moved
                if moved < Int(vector.length) { break }
            }
        case .file(let file):
            // fd_pwrite on an append descriptor writes at its offset, as POSIX and the preview 1
            // spec say; Linux's pwrite(2) under O_APPEND (and so Wasmtime) appends instead.
            let appends = write && offset == nil && entry.flags.contains(.append)
            for vector in vectors {
                let position = offset.map { $0 + Int64(total) }
                var moved = 0
                if write {
                    try memory.withBytes(at: vector.pointer, count: vector.length) { buffer throws(WASIErrno) in
                        try told { () throws(FilesystemFailure) in
                            try policy.write(buffer.count, operation, guestPath: entry.guestPath, preopen: entry.preopen, written: &moved) {
                                allowed, written throws(CapStdError) in
                                let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<allowed])
                                switch position {
                                case nil where appends: written += try file.append(bytes)
                                case nil: written += try file.write(bytes)
                                case let at?: written += try file.write(bytes, at: at)
                                }
                            }
                        }
                    }
                } else {
                    moved = try memory.withMutableBytes(at: vector.pointer, count: vector.length) { buffer throws(WASIErrno) in
                        try capStd(operation, entry) { () throws(CapStdError) in
                            if let position { try file.read(into: buffer, at: position) } else { try file.read(into: buffer) }
                        }
                    }
                }
                total += moved
                if moved < Int(vector.length) { break }
            }
        }
        return total
    }

    func seek(_ entry: Descriptor, _ offset: Int64, _ origin: File.SeekOrigin) throws(WASIErrno) -> Int64 {
        switch entry.kind {
        case .stream: throw .invalidSeek
        case .directory: throw .badFileDescriptor
        case .file(let file):
            return try capStd("fd_seek", entry) { () throws(CapStdError) in try file.seek(to: offset, from: origin) }
        }
    }

    func fileType(_ entry: Descriptor) throws(WASIErrno) -> WASIFileType {
        switch entry.kind {
        // A terminal is a character device; a pipe, a file or captured output is unknown, as
        // Wasmtime answers (a guest must not take its terminal code path for a pipe).
        case .stream(let fd): return configuration.isTerminal(fd) ? .characterDevice : .unknown
        case .directory: return .directory
        case .file(let file):
            return Self.fileType(try capStd("fd_fdstat_get", entry) { () throws(CapStdError) in try file.metadata() }.type)
        }
    }

    static func fileType(_ type: FileType) -> WASIFileType {
        switch type {
        case .directory: .directory
        case .regular: .regularFile
        case .symbolicLink: .symbolicLink
        case .blockSpecial: .blockDevice
        case .characterSpecial: .characterDevice
        case .socket: .socketStream
        default: .unknown
        }
    }

    /// `filestat`: dev, ino, filetype, nlink, size, atim, mtim, ctim (64 bytes).
    static func storeFilestat(_ metadata: Metadata, _ memory: GuestMemory, _ pointer: UInt32) throws(WASIErrno) {
        try memory.withMutableBytes(at: pointer, count: 64) { buffer in buffer.initializeMemory(as: UInt8.self, repeating: 0) }
        try memory.store(metadata.device, at: pointer)
        try memory.store(metadata.inode, at: pointer + 8)
        try memory.store(fileType(metadata.type).rawValue, at: pointer + 16)
        try memory.store(UInt64(metadata.linkCount), at: pointer + 24)
        try memory.store(UInt64(metadata.size), at: pointer + 32)
        for (index, time) in [metadata.accessed, metadata.modified, metadata.changed].enumerated() {
            let nanoseconds = UInt64(clamping: time.seconds) &* 1_000_000_000 &+ UInt64(clamping: time.nanoseconds)
            try memory.store(nanoseconds, at: pointer + 40 + UInt32(index) * 8)
        }
    }

    /// The timestamp changes `fstflags` asks for; `INVAL` for "set and now" on the same time.
    static func timestampUpdates(
        _ accessTime: UInt64, _ modifyTime: UInt64, _ rawFlags: UInt32
    ) throws(WASIErrno) -> (TimestampUpdate, TimestampUpdate) {
        let flags = WASITimeFlags(rawValue: UInt16(truncatingIfNeeded: rawFlags))
        func update(_ time: UInt64, set: WASITimeFlags, now: WASITimeFlags) throws(WASIErrno) -> TimestampUpdate {
            switch (flags.contains(set), flags.contains(now)) {
            case (true, true): throw .invalid
            case (true, false):
                return .at(FileTimestamp(seconds: Int64(time / 1_000_000_000), nanoseconds: Int64(time % 1_000_000_000)))
            case (false, true): return .now
            case (false, false): return .unchanged
            }
        }
        return (
            try update(accessTime, set: .accessTime, now: .accessTimeNow),
            try update(modifyTime, set: .modifyTime, now: .modifyTimeNow)
        )
    }

    /// Fills the guest's buffer with `dirent` records from position `cookie` on. The listing is
    /// read afresh when a listing starts (cookie 0) and reused while it continues; `.` and `..`
    /// come first, as on a POSIX system. A record that does not fit is cut off: a full buffer
    /// tells the guest to ask again from the last whole record's `d_next`.
    func readDirectory(_ fd: UInt32, _ memory: GuestMemory, buffer: UInt32, length: UInt32, cookie: UInt64) throws(WASIErrno) -> UInt32 {
        let entry = try descriptor(fd, .fdReaddir, "fd_readdir")
        guard case .directory(let dir, let cached) = entry.kind else { throw .notDirectory }
        _ = try memory.checked(buffer, UInt64(length))
        var listing = cached ?? []
        if cookie == 0 || cached == nil {
            let own = try capStd("fd_readdir", entry) { () throws(CapStdError) in try dir.metadata() }
            listing = [
                DirectoryListingEntry(name: [0x2E], type: .directory, inode: own.inode),
                DirectoryListingEntry(name: [0x2E, 0x2E], type: .directory, inode: own.inode),
            ]
            let entries = try capStd("fd_readdir", entry) { () throws(CapStdError) in try dir.entries() }
            listing += entries.map { DirectoryListingEntry(name: $0.name.bytes, type: Self.fileType($0.type), inode: $0.inode) }
            table.update(fd) { $0.kind = .directory(dir, listing: listing) }
        }
        guard cookie <= UInt64(listing.count) else { return 0 }
        var used: UInt32 = 0
        for index in Int(cookie)..<listing.count where used < length {
            let item = listing[index]
            var record = [UInt8](repeating: 0, count: 24)
            withUnsafeBytes(of: UInt64(index + 1).littleEndian) { record.replaceSubrange(0..<8, with: $0) }
            withUnsafeBytes(of: item.inode.littleEndian) { record.replaceSubrange(8..<16, with: $0) }
            withUnsafeBytes(of: UInt32(item.name.count).littleEndian) { record.replaceSubrange(16..<20, with: $0) }
            record[20] = item.type.rawValue
            record += item.name
            let fitting = record.prefix(Int(length - used))
            try memory.store(fitting, at: buffer + used)
            used += UInt32(fitting.count)
        }
        return used
    }
}
