// The host side of every WASI 0.2 resource one component instance holds, by representation.
import CapStd

/// One host object behind a guest handle.
enum HostResource {
    /// How a resource made at instantiation is made again for another run's configuration.
    enum Recipe: Equatable {
        /// The directory the preopen of this guest path names.
        case preopen(String)
        case standardInput
        case standardOutput(InstancePolicy.StandardOutput, guestPath: String)
        case readyPollable
        case network

        /// The resource for `configuration`; `nil` if it has no preopen of that name.
        func make(for configuration: WASIConfiguration) -> HostResource? {
            switch self {
            case .preopen(let guestPath):
                guard let preopen = configuration.preopens.first(where: { $0.guestPath == guestPath }) else { return nil }
                return .descriptor(FilesystemDescriptor(preopen: preopen))
            case .standardInput: return .inputStream(InputStream(.standardInput))
            case .standardOutput(let output, let guestPath): return .outputStream(OutputStream(.standard(output), guestPath: guestPath, preopen: ""))
            case .readyPollable: return .pollable(.ready)
            case .network: return .network
            }
        }
    }

    /// How to make this resource again for another run; `nil` for one that belongs to the
    /// run that made it (a file, a listing, an error, a clock's pollable).
    var recipe: Recipe? {
        switch self {
        case .descriptor(let descriptor) where descriptor.isPreopen: .preopen(descriptor.guestPath)
        case .inputStream(let stream) where stream.isStandardInput: .standardInput
        case .outputStream(let stream):
            stream.standardOutput.map { .standardOutput($0, guestPath: stream.guestPath) }
        case .pollable(.ready): .readyPollable
        case .network: .network
        default: nil
        }
    }

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

    /// What a reused instance needs remade for every run: the resources its instantiation made
    /// (a C program's libc and the preview 1 adapter take their preopens and standard streams
    /// then), which the guest keeps handles to. `nil` when one of them cannot be remade, a file
    /// the instantiation opened, say.
    var instantiationResources: [HostResource.Recipe?]? {
        var recipes: [HostResource.Recipe?] = []
        for slot in slots {
            guard let slot else {
                recipes.append(nil)
                continue
            }
            guard let recipe = slot.recipe else { return nil }
            recipes.append(recipe)
        }
        return recipes
    }

    /// A table holding, at the same representations, `recipes` made for `configuration`; `nil`
    /// when the configuration lacks a preopen one of them names.
    init?(limit: Int, remaking recipes: [HostResource.Recipe?], for configuration: WASIConfiguration) {
        self.limit = limit
        for (index, recipe) in recipes.enumerated() {
            guard let recipe else {
                slots.append(nil)
                free.append(UInt32(index))
                continue
            }
            guard let resource = recipe.make(for: configuration) else { return nil }
            slots.append(resource)
            count += 1
        }
        // Freed slots are taken last first, as insert takes them.
        free.reverse()
    }

    /// Stores `resource`; `MFILE` when the instance holds its limit.
    func insert(_ resource: HostResource) throws(DescriptorLimitReached) -> UInt32 {
        guard count < limit else { throw DescriptorLimitReached(limit: limit) }
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
