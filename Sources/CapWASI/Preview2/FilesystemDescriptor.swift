// The host object behind a wasi:filesystem descriptor: a CapStd Dir or File and what it may do.
import CapComponent
import CapStd
import SystemPackage

/// A `descriptor`: a directory beneath a preopen, or an open file, with the `descriptor-flags`
/// it was opened with. Every path operation on it is one call into its CapStd `Dir`.
final class FilesystemDescriptor {
    enum Kind {
        case directory(Dir)
        /// A file and its type, taken when it was opened: an open descriptor's type cannot
        /// change, and the adapter asks for it after every open.
        case file(File, FileType)
    }

    let kind: Kind
    /// What it was opened for: `read`, `write`, `mutate-directory` and the sync flags.
    let flags: DescriptorFlags
    /// How the guest names this descriptor, such as `/output/logs`.
    let guestPath: String
    /// The preopen it was reached through, such as `/output`.
    let preopen: String
    /// A preopen's `Dir` is the embedder's: it is never closed here.
    let isPreopen: Bool

    init(_ kind: Kind, flags: DescriptorFlags, guestPath: String, preopen: String, isPreopen: Bool = false) {
        self.kind = kind
        self.flags = flags
        self.guestPath = guestPath
        self.preopen = preopen
        self.isPreopen = isPreopen
    }

    /// The descriptor of a preopen: its `Dir`, `read` and, read-write, `mutate-directory`.
    convenience init(preopen: Preopen) {
        let flags: DescriptorFlags = preopen.access == .readWrite ? [.read, .mutateDirectory] : .read
        self.init(.directory(preopen.dir), flags: flags, guestPath: preopen.guestPath, preopen: preopen.guestPath, isPreopen: true)
    }

    func close() {
        switch kind {
        case .directory(let dir): if !isPreopen { dir.close() }
        case .file(let file, _): file.close()
        }
    }

    func metadata() throws(CapStdError) -> Metadata {
        switch kind {
        case .directory(let dir): try dir.metadata()
        case .file(let file, _): try file.metadata()
        }
    }
}

/// A `directory-entry-stream`: the listing taken when the guest asked for it, `.` and `..` left
/// out as the interface requires, handed out one entry at a time.
final class DirectoryEntryStream {
    private let entries: [DirEntry]
    private var next = 0

    init(_ entries: [DirEntry]) {
        self.entries = entries
    }

    /// The next entry, `nil` at the end; a name that is not UTF-8 cannot be a WIT `string`, so
    /// it is `illegal-byte-sequence`, as in Wasmtime.
    func nextEntry() throws(FilesystemErrorCode) -> (type: FileType, name: String)? {
        guard next < entries.count else { return nil }
        let entry = entries[next]
        next += 1
        guard let name = String(validating: entry.name.bytes, as: UTF8.self) else { throw .illegalByteSequence }
        return (entry.type, name)
    }
}

extension Preview2Host {
    /// `descriptor-stat`: type, link count, size and the three timestamps.
    static func descriptorStat(_ metadata: Metadata) -> ComponentValue {
        // A `datetime` counts from 1970; an earlier time has no value, as in Wasmtime.
        func time(_ stamp: FileTimestamp) -> ComponentValue {
            guard stamp.seconds >= 0 else { return .option(nil) }
            return .option(datetime(seconds: UInt64(stamp.seconds), nanoseconds: UInt32(clamping: stamp.nanoseconds)))
        }
        return .record([
            DescriptorType(metadata.type).value, .u64(UInt64(metadata.linkCount)), .u64(UInt64(clamping: metadata.size)),
            time(metadata.accessed), time(metadata.modified), time(metadata.changed),
        ])
    }

    /// `metadata-hash-value` of a file's device and inode: equal for the same file, and
    /// revealing neither number directly.
    static func metadataHash(_ metadata: Metadata) -> ComponentValue {
        func mix(_ value: UInt64) -> UInt64 {
            var z = value &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let lower = mix(metadata.inode ^ mix(metadata.device))
        return .record([.u64(lower), .u64(mix(lower ^ metadata.device))])
    }
}
