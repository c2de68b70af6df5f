// The flag sets and enumerations of wasi_snapshot_preview1, as the guest encodes them.

/// Rights of a descriptor (`rights` in the preview 1 witx), checked on every operation.
public struct WASIRights: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let fdDatasync = WASIRights(rawValue: 1 << 0)
    public static let fdRead = WASIRights(rawValue: 1 << 1)
    public static let fdSeek = WASIRights(rawValue: 1 << 2)
    public static let fdFdstatSetFlags = WASIRights(rawValue: 1 << 3)
    public static let fdSync = WASIRights(rawValue: 1 << 4)
    public static let fdTell = WASIRights(rawValue: 1 << 5)
    public static let fdWrite = WASIRights(rawValue: 1 << 6)
    public static let fdAdvise = WASIRights(rawValue: 1 << 7)
    public static let fdAllocate = WASIRights(rawValue: 1 << 8)
    public static let pathCreateDirectory = WASIRights(rawValue: 1 << 9)
    public static let pathCreateFile = WASIRights(rawValue: 1 << 10)
    public static let pathLinkSource = WASIRights(rawValue: 1 << 11)
    public static let pathLinkTarget = WASIRights(rawValue: 1 << 12)
    public static let pathOpen = WASIRights(rawValue: 1 << 13)
    public static let fdReaddir = WASIRights(rawValue: 1 << 14)
    public static let pathReadlink = WASIRights(rawValue: 1 << 15)
    public static let pathRenameSource = WASIRights(rawValue: 1 << 16)
    public static let pathRenameTarget = WASIRights(rawValue: 1 << 17)
    public static let pathFilestatGet = WASIRights(rawValue: 1 << 18)
    public static let pathFilestatSetSize = WASIRights(rawValue: 1 << 19)
    public static let pathFilestatSetTimes = WASIRights(rawValue: 1 << 20)
    public static let fdFilestatGet = WASIRights(rawValue: 1 << 21)
    public static let fdFilestatSetSize = WASIRights(rawValue: 1 << 22)
    public static let fdFilestatSetTimes = WASIRights(rawValue: 1 << 23)
    public static let pathSymlink = WASIRights(rawValue: 1 << 24)
    public static let pathRemoveDirectory = WASIRights(rawValue: 1 << 25)
    public static let pathUnlinkFile = WASIRights(rawValue: 1 << 26)
    public static let pollFdReadwrite = WASIRights(rawValue: 1 << 27)
    public static let sockShutdown = WASIRights(rawValue: 1 << 28)
    public static let sockAccept = WASIRights(rawValue: 1 << 29)

    /// Every right preview 1 defines.
    public static let all = WASIRights(rawValue: (1 << 30) - 1)

    /// What a regular file descriptor can do at most.
    public static let regularFile: WASIRights = [
        .fdDatasync, .fdRead, .fdSeek, .fdFdstatSetFlags, .fdSync, .fdTell, .fdWrite, .fdAdvise, .fdAllocate,
        .fdFilestatGet, .fdFilestatSetSize, .fdFilestatSetTimes, .pollFdReadwrite,
    ]

    /// What a directory descriptor can do at most.
    public static let directory: WASIRights = [
        .fdFdstatSetFlags, .fdSync, .fdAdvise, .pathCreateDirectory, .pathCreateFile, .pathLinkSource,
        .pathLinkTarget, .pathOpen, .fdReaddir, .pathReadlink, .pathRenameSource, .pathRenameTarget,
        .pathFilestatGet, .pathFilestatSetSize, .pathFilestatSetTimes, .fdFilestatGet, .fdFilestatSetTimes,
        .pathSymlink, .pathRemoveDirectory, .pathUnlinkFile, .pollFdReadwrite, .fdDatasync,
    ]

    /// What standard input can do.
    public static let standardInput: WASIRights = [.fdRead, .fdFdstatSetFlags, .fdFilestatGet, .pollFdReadwrite]
    /// What standard output and error can do.
    public static let standardOutput: WASIRights = [.fdWrite, .fdFdstatSetFlags, .fdFilestatGet, .pollFdReadwrite]
}

/// `filetype`.
enum WASIFileType: UInt8 {
    case unknown = 0, blockDevice, characterDevice, directory, regularFile, socketDgram, socketStream, symbolicLink
}

/// `fdflags`.
struct WASIFDFlags: OptionSet {
    let rawValue: UInt16
    static let append = WASIFDFlags(rawValue: 1 << 0)
    static let dsync = WASIFDFlags(rawValue: 1 << 1)
    static let nonblock = WASIFDFlags(rawValue: 1 << 2)
    static let rsync = WASIFDFlags(rawValue: 1 << 3)
    static let sync = WASIFDFlags(rawValue: 1 << 4)
    /// Every flag preview 1 defines; other bits are `ERRNO_INVAL`.
    static let defined: WASIFDFlags = [.append, .dsync, .nonblock, .rsync, .sync]
    /// The flags fixed when a file is opened.
    static let synchronization: WASIFDFlags = [.dsync, .rsync, .sync]
}

/// `oflags`.
struct WASIOpenFlags: OptionSet {
    let rawValue: UInt16
    static let create = WASIOpenFlags(rawValue: 1 << 0)
    static let directory = WASIOpenFlags(rawValue: 1 << 1)
    static let exclusive = WASIOpenFlags(rawValue: 1 << 2)
    static let truncate = WASIOpenFlags(rawValue: 1 << 3)
}

/// `lookupflags`: whether the final symlink of a path is followed.
let lookupSymlinkFollow: UInt32 = 1

/// `fstflags`.
struct WASITimeFlags: OptionSet {
    let rawValue: UInt16
    static let accessTime = WASITimeFlags(rawValue: 1 << 0)
    static let accessTimeNow = WASITimeFlags(rawValue: 1 << 1)
    static let modifyTime = WASITimeFlags(rawValue: 1 << 2)
    static let modifyTimeNow = WASITimeFlags(rawValue: 1 << 3)
}
