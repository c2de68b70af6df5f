// The WIT types of wasi:filesystem/types that the host reads and writes, as Swift types.
import CapComponent
import CapStd
import SystemPackage

/// `path-flags`.
struct PathFlags: WITFlags {
    let rawValue: UInt32
    static let symlinkFollow = PathFlags(rawValue: 1 << 0)
    static let names = ["symlink-follow"]
    static var witName: String { "path-flags" }
}

/// `open-flags`.
struct OpenFlags: WITFlags {
    let rawValue: UInt32
    static let create = OpenFlags(rawValue: 1 << 0)
    static let directory = OpenFlags(rawValue: 1 << 1)
    static let exclusive = OpenFlags(rawValue: 1 << 2)
    static let truncate = OpenFlags(rawValue: 1 << 3)
    static let names = ["create", "directory", "exclusive", "truncate"]
    static var witName: String { "open-flags" }
}

/// `descriptor-flags`: what a descriptor was opened for.
struct DescriptorFlags: WITFlags {
    let rawValue: UInt32
    static let read = DescriptorFlags(rawValue: 1 << 0)
    static let write = DescriptorFlags(rawValue: 1 << 1)
    static let fileIntegritySync = DescriptorFlags(rawValue: 1 << 2)
    static let dataIntegritySync = DescriptorFlags(rawValue: 1 << 3)
    static let requestedWriteSync = DescriptorFlags(rawValue: 1 << 4)
    static let mutateDirectory = DescriptorFlags(rawValue: 1 << 5)
    static let names = [
        "read", "write", "file-integrity-sync", "data-integrity-sync", "requested-write-sync", "mutate-directory",
    ]
    static var witName: String { "descriptor-flags" }
    /// The flags a file descriptor keeps of those asked for.
    static let file: DescriptorFlags = [.read, .write, .fileIntegritySync, .dataIntegritySync, .requestedWriteSync]
}

/// `descriptor-type`.
enum DescriptorType: Int, WITEnum {
    case unknown, blockDevice, characterDevice, directory, fifo, symbolicLink, regularFile, socket
    static var witName: String { "a descriptor-type" }

    init(_ type: FileType) {
        self =
            switch type {
            case .blockSpecial: .blockDevice
            case .characterSpecial: .characterDevice
            case .directory: .directory
            case .fifo: .fifo
            case .symbolicLink: .symbolicLink
            case .regular: .regularFile
            case .socket: .socket
            default: .unknown
            }
    }
}

/// `advice`: a hint, which changes nothing the guest can reach.
enum Advice: Int, WITEnum {
    case normal, sequential, random, willNeed, dontNeed, noReuse
    static var witName: String { "an advice" }
}

/// `new-timestamp`: leave a timestamp as it is, set it to now, or to a `datetime`.
enum NewTimestamp: HostArgument {
    case noChange
    case now
    case timestamp(seconds: UInt64, nanoseconds: UInt32)

    /// The cases in the order the WIT declares them: a variant's value is its case's position.
    private enum Case: Int {
        case noChange, now, timestamp
    }

    static func decode(_ value: ComponentValue, in host: Preview2Host) -> NewTimestamp? {
        switch value {
        case .variant(case: Case.noChange.rawValue, nil): .noChange
        case .variant(case: Case.now.rawValue, nil): .now
        case .variant(case: Case.timestamp.rawValue, .record(let fields)?) where fields.count == 2:
            if case .u64(let seconds) = fields[0], case .u32(let nanoseconds) = fields[1] {
                .timestamp(seconds: seconds, nanoseconds: nanoseconds)
            } else {
                nil
            }
        default: nil
        }
    }
    static var witName: String { "a new-timestamp" }

    /// The update CapStd makes; nanoseconds past a second are `invalid`.
    func update() throws(FilesystemErrorCode) -> TimestampUpdate {
        switch self {
        case .noChange: return .unchanged
        case .now: return .now
        case .timestamp(let seconds, let nanoseconds):
            guard nanoseconds < 1_000_000_000 else { throw .invalid }
            return .at(FileTimestamp(seconds: Int64(clamping: seconds), nanoseconds: Int64(nanoseconds)))
        }
    }
}

extension FilesystemDescriptor: HostResourceArgument {
    static func extract(_ resource: HostResource) -> FilesystemDescriptor? {
        guard case .descriptor(let descriptor) = resource else { return nil }
        return descriptor
    }
    static var witName: String { "an open descriptor" }
}

extension DirectoryEntryStream: HostResourceArgument {
    static func extract(_ resource: HostResource) -> DirectoryEntryStream? {
        guard case .directoryEntries(let stream) = resource else { return nil }
        return stream
    }
    static var witName: String { "a directory-entry-stream" }
}
