// The guest's descriptor numbers, what each one is, and the rights it carries.
import CapStd

/// What a guest descriptor refers to.
enum DescriptorKind {
    /// Standard input, output or error (0, 1, 2).
    case stream(Int32)
    /// A directory; `listing` caches `fd_readdir` entries between calls with cookies.
    case directory(Dir, listing: [DirectoryListingEntry]?)
    /// A file.
    case file(File)
}

struct DirectoryListingEntry {
    let name: [UInt8]
    let type: WASIFileType
    let inode: UInt64
}

struct Descriptor {
    var kind: DescriptorKind
    var rightsBase: WASIRights
    var rightsInheriting: WASIRights
    var flags: WASIFDFlags
    /// The path as the guest would name it (`/config/sub`), for denial reports.
    let guestPath: String
    /// The preopen this descriptor was opened through (`/config`).
    let preopen: String
    /// Set only on the preopened descriptors themselves, for `fd_prestat_get`.
    let preopenName: String?

    /// How the guest names `path` beneath this descriptor (`/config/a`, and `/a` under `/`).
    func guestPath(of path: RawPath) -> String {
        GuestDirectory.guestPath(of: path, beneath: guestPath)
    }

    var directory: Dir? {
        if case .directory(let dir, _) = kind { return dir }
        return nil
    }

    var file: File? {
        if case .file(let file) = kind { return file }
        return nil
    }
}

/// Descriptor numbers to descriptors, lowest free number first, at most `limit` open.
struct DescriptorTable {
    private(set) var slots: [Descriptor?] = []
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    var openCount: Int { slots.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// The most descriptors open at once since the table was made: numbers are handed out
    /// lowest free first, so the table grows only when every number is taken.
    var peakOpenCount: Int { slots.count }

    /// Gives `descriptor` the lowest free number, or fails with `MFILE` at the limit.
    mutating func allocate(_ descriptor: Descriptor) throws(WASIErrno) -> UInt32 {
        if let free = slots.firstIndex(where: { $0 == nil }) {
            slots[free] = descriptor
            return UInt32(free)
        }
        guard slots.count < limit else { throw .tooManyFiles }
        slots.append(descriptor)
        return UInt32(slots.count - 1)
    }

    /// The open descriptor `fd`, which must carry `rights` (`BADF` if not open, `NOTCAPABLE`
    /// if a right is missing).
    func get(_ fd: UInt32, _ rights: WASIRights = []) throws(WASIErrno) -> Descriptor {
        guard Int(fd) < slots.count, let descriptor = slots[Int(fd)] else { throw .badFileDescriptor }
        guard descriptor.rightsBase.isSuperset(of: rights) else { throw .notCapable }
        return descriptor
    }

    mutating func update(_ fd: UInt32, _ change: (inout Descriptor) -> Void) {
        if Int(fd) < slots.count, slots[Int(fd)] != nil { change(&slots[Int(fd)]!) }
    }

    /// Removes `fd` and closes what it refers to (the host's standard streams and preopened
    /// directories stay open).
    mutating func close(_ fd: UInt32) throws(WASIErrno) {
        let descriptor = try get(fd)
        slots[Int(fd)] = nil
        Self.release(descriptor)
    }

    /// Moves `from` to the number `to`, closing what `to` held.
    mutating func renumber(_ from: UInt32, to: UInt32) throws(WASIErrno) {
        let moving = try get(from)
        let replaced = try get(to)
        if from == to { return }
        slots[Int(to)] = moving
        slots[Int(from)] = nil
        Self.release(replaced)
    }

    /// Closes every descriptor; called when the instance ends, however it ends.
    mutating func closeAll() {
        for descriptor in slots.compactMap({ $0 }) { Self.release(descriptor) }
        slots.removeAll()
    }

    /// Closes what a descriptor refers to, except a preopened directory: that `Dir` is the
    /// embedder's, and a guest closing its descriptor must not close it for the host.
    private static func release(_ descriptor: Descriptor) {
        if descriptor.preopenName != nil { return }
        switch descriptor.kind {
        case .stream: break
        case .directory(let dir, _): dir.close()
        case .file(let file): file.close()
        }
    }
}
