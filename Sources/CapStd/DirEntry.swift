// One entry of a directory listing, and the getdents64 reader that produces them.
import SystemPackage

/// A name in a directory, as ``Dir/entries(_:)`` lists it.
public struct DirEntry: Sendable, Hashable {
    /// The entry's name: one path component, exactly as stored (it need not be UTF-8).
    public var name: RawPath
    /// What the entry is, without following a symlink.
    public var type: FileType
    /// The entry's inode number.
    public var inode: UInt64
    /// The directory position after this entry (the kernel's `d_off`), for resuming a listing.
    public var nextCookie: UInt64
}

/// Reads directory entries from a descriptor opened with `O_RDONLY | O_DIRECTORY`.
enum DirectoryReader {
    private static let bufferSize = 32 * 1024

    /// Every entry except `.` and `..`, from the start of the directory.
    static func readAll(_ fd: Int32) throws(Errno) -> [DirEntry] {
        _ = try Syscalls.lseek(fd, offset: 0, whence: 0)
        var entries: [DirEntry] = []
        try withUnsafeTemporaryAllocation(byteCount: bufferSize, alignment: 8) { (buffer) throws(Errno) in
            while true {
                let filled = try Syscalls.getdents64(fd, into: buffer)
                if filled == 0 { return }
                var offset = 0
                while offset < filled {
                    let record = buffer.baseAddress! + offset
                    let inode = record.loadUnaligned(as: UInt64.self)
                    let cookie = record.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                    let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                    let kind = record.load(fromByteOffset: 18, as: UInt8.self)
                    let nameStart = record.assumingMemoryBound(to: UInt8.self) + 19
                    var nameLength = 0
                    while nameLength < length - 19 && nameStart[nameLength] != 0 { nameLength += 1 }
                    offset += length
                    let name = UnsafeBufferPointer(start: nameStart, count: nameLength)
                    if isDotOrDotDot(name) { continue }
                    var type = FileType(rawValue: UInt32(kind) << 12)
                    if kind == 0 {
                        // DT_UNKNOWN: some file systems do not fill d_type; ask the inode.
                        var cName = Array(name).map { CChar(bitPattern: $0) }
                        cName.append(0)
                        type = Metadata(try Syscalls.fstatat(fd, cName, flags: Syscalls.atSymlinkNoFollow)).type
                    }
                    entries.append(DirEntry(name: RawPath(bytes: name), type: type, inode: inode, nextCookie: cookie))
                }
            }
        }
        return entries
    }

    private static func isDotOrDotDot(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let dot = UInt8(ascii: ".")
        return (name.count == 1 && name[0] == dot) || (name.count == 2 && name[0] == dot && name[1] == dot)
    }
}
