// The host side of every WASI 0.2 resource one component instance holds, by representation.
import CapStd

/// One host object behind a guest handle.
enum HostResource {
    case descriptor(FilesystemDescriptor)
    case directoryEntries(DirectoryEntryStream)
    case inputStream(InputStream)
    case outputStream(OutputStream)
    case pollable(Pollable)
    case error(StreamFailure)
    case terminal
    case network
}

/// The host objects of one instance. A handle's representation is its slot here; the component
/// runtime's own handle tables map the guest's handle numbers to these. The limit counts every
/// kind together, as the instance's descriptor limit does for preview 1.
final class HostResourceTable {
    private var slots: [HostResource?] = []
    private var free: [UInt32] = []
    private(set) var count = 0
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Stores `resource`; `MFILE` when the instance holds its limit.
    func insert(_ resource: HostResource) throws(Preview2Host.ResourceLimitReached) -> UInt32 {
        guard count < limit else { throw Preview2Host.ResourceLimitReached(limit: limit) }
        count += 1
        if let slot = free.popLast() {
            slots[Int(slot)] = resource
            return slot
        }
        slots.append(resource)
        return UInt32(slots.count - 1)
    }

    /// The most resources held at once since the table was made or emptied: a freed slot is
    /// taken before a new one, so the table grows only when every slot is taken.
    var peakCount: Int { slots.count }

    func get(_ representation: UInt32) -> HostResource? {
        Int(representation) < slots.count ? slots[Int(representation)] : nil
    }

    /// Removes a resource when the guest drops its handle. Files and directories close when the
    /// last holder lets go: a stream keeps the file it reads or writes.
    func remove(_ representation: UInt32) {
        guard get(representation) != nil else { return }
        slots[Int(representation)] = nil
        free.append(representation)
        count -= 1
    }

    /// Closes every file and directory the instance opened (preopened `Dir`s stay the
    /// embedder's) and forgets every resource.
    func closeAll() {
        for resource in slots {
            switch resource {
            case .descriptor(let descriptor): descriptor.close()
            case .inputStream(let stream): stream.close()
            case .outputStream(let stream): stream.close()
            default: break
            }
        }
        slots.removeAll()
        free.removeAll()
        count = 0
    }
}
