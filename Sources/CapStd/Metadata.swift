// What `stat` says about a file, in Swift types.
import SystemPackage

/// A point in time as file systems record it: seconds and nanoseconds since the Unix epoch.
public struct FileTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: Int64

    public init(seconds: Int64, nanoseconds: Int64 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    init(_ time: Syscalls.Time) {
        self.init(seconds: Int64(time.tv_sec), nanoseconds: Int64(time.tv_nsec))
    }

    public static func < (lhs: FileTimestamp, rhs: FileTimestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    public var description: String { "\(seconds).\(String(nanoseconds).leftPadded(to: 9))s" }
}

/// A change to one of a file's timestamps.
public enum TimestampUpdate: Sendable, Hashable {
    /// Leave it as it is.
    case unchanged
    /// Set it to the current time.
    case now
    /// Set it to this time.
    case at(FileTimestamp)

    var timespec: Syscalls.Time {
        switch self {
        case .unchanged: Syscalls.time(seconds: 0, nanoseconds: Int(Syscalls.utimeOmit))
        case .now: Syscalls.time(seconds: 0, nanoseconds: Int(Syscalls.utimeNow))
        case .at(let time): Syscalls.time(seconds: Int(time.seconds), nanoseconds: Int(time.nanoseconds))
        }
    }
}

/// Metadata of a file, directory or symlink.
public struct Metadata: Sendable, Hashable {
    /// Regular file, directory, symlink, ...
    public var type: FileType
    /// The permission bits (including set-user-ID, set-group-ID and sticky).
    public var permissions: FilePermissions
    /// Size in bytes.
    public var size: Int64
    /// The device holding the file.
    public var device: UInt64
    /// The inode number; with ``device``, it identifies the file.
    public var inode: UInt64
    /// Number of hard links.
    public var linkCount: Int
    /// Owner and group.
    public var userID: UInt32
    public var groupID: UInt32
    /// Last access, last modification and last status change.
    public var accessed: FileTimestamp
    public var modified: FileTimestamp
    public var changed: FileTimestamp

    init(_ raw: Syscalls.Status) {
        type = FileType(rawValue: raw.st_mode & Syscalls.fileTypeMask)
        permissions = FilePermissions(rawValue: raw.st_mode & 0o7777)
        size = Int64(raw.st_size)
        device = UInt64(raw.st_dev)
        inode = UInt64(raw.st_ino)
        linkCount = Int(raw.st_nlink)
        userID = raw.st_uid
        groupID = raw.st_gid
        accessed = FileTimestamp(raw.st_atim)
        modified = FileTimestamp(raw.st_mtim)
        changed = FileTimestamp(raw.st_ctim)
    }

    public var isDirectory: Bool { type == .directory }
    public var isFile: Bool { type == .regular }
    public var isSymlink: Bool { type == .symbolicLink }

    /// Whether two metadata values describe the same file (same device and inode).
    public func isSameFile(as other: Metadata) -> Bool {
        device == other.device && inode == other.inode
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
