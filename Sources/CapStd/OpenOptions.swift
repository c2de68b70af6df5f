// How `Dir.open` opens a file: access mode, creation, truncation and symlink following.
import SystemPackage

/// Options for ``Dir/open(_:options:)``, with the meanings of Rust's `std::fs::OpenOptions`.
///
/// At least one of `read`, `write` or `append` must be set; `create`, `createNew` and `truncate`
/// need `write` or `append`, and `truncate` cannot go with `append` (`EINVAL` otherwise).
public struct OpenOptions: Sendable, Hashable {
    /// Open for reading.
    public var read: Bool
    /// Open for writing.
    public var write: Bool
    /// Every write goes to the end of the file (`O_APPEND`).
    public var append: Bool
    /// Cut the file to zero length (`O_TRUNC`).
    public var truncate: Bool
    /// Create the file if it does not exist (`O_CREAT`).
    public var create: Bool
    /// Create the file, failing with `EEXIST` if anything exists at the path, even a dangling
    /// symlink (`O_CREAT | O_EXCL`). Takes precedence over `create`.
    public var createNew: Bool
    /// Follow a symlink in the final component (confined beneath the `Dir` like any other).
    /// When false, a final symlink fails with `ELOOP` (`O_NOFOLLOW`).
    public var followSymlinks: Bool
    /// Permissions of a newly created file, before the process umask applies.
    public var permissions: FilePermissions
    /// How far each write is on stable storage when it returns. Fixed at open: Linux cannot
    /// change it on an open descriptor (`fcntl(F_SETFL)` ignores `O_SYNC` and `O_DSYNC`).
    public var synchronization: Synchronization
    /// Open without waiting (`O_NONBLOCK`): opening a FIFO with no writer, or a device, returns at
    /// once instead of blocking. Reads and writes of a regular file are unaffected (Linux ignores
    /// the flag for them); of anything else they may then fail with `EAGAIN`.
    public var nonBlocking: Bool

    /// What a write waits for before it returns.
    public enum Synchronization: Sendable, Hashable {
        /// Nothing: the data may still be in the page cache.
        case none
        /// The data and the metadata needed to read it back (`O_DSYNC`, like `fdatasync`).
        case data
        /// The data and all metadata (`O_SYNC`, like `fsync`).
        case file
    }

    public init(
        read: Bool = false, write: Bool = false, append: Bool = false, truncate: Bool = false,
        create: Bool = false, createNew: Bool = false, followSymlinks: Bool = true,
        permissions: FilePermissions = [.ownerReadWrite, .groupReadWrite, .otherReadWrite],
        synchronization: Synchronization = .none, nonBlocking: Bool = false
    ) {
        self.nonBlocking = nonBlocking
        self.read = read
        self.write = write
        self.append = append
        self.truncate = truncate
        self.create = create
        self.createNew = createNew
        self.followSymlinks = followSymlinks
        self.permissions = permissions
        self.synchronization = synchronization
    }

    /// Read an existing file.
    public static var read: OpenOptions { OpenOptions(read: true) }
    /// Write a file, creating it or cutting it to zero length.
    public static var writeTruncating: OpenOptions { OpenOptions(write: true, truncate: true, create: true) }

    /// Whether opening with these options would change the tree or a file.
    var mutates: Bool { write || append || truncate || create || createNew }

    /// The `open(2)` flags, or `EINVAL` for a combination that has no meaning.
    func flags() throws(Errno) -> Int32 {
        let writes = write || append
        var flags: Int32
        switch (read, writes) {
        case (true, false): flags = Syscalls.openReadOnly
        case (false, true): flags = Syscalls.openWriteOnly
        case (true, true): flags = Syscalls.openReadWrite
        case (false, false): throw .invalidArgument
        }
        if (create || createNew || truncate) && !writes { throw .invalidArgument }
        if truncate && append { throw .invalidArgument }
        if append { flags |= Syscalls.openAppend }
        if truncate { flags |= Syscalls.openTruncate }
        if createNew {
            flags |= Syscalls.openCreate | Syscalls.openExclusive
        } else if create {
            flags |= Syscalls.openCreate
        }
        if !followSymlinks { flags |= Syscalls.openNoFollow }
        if nonBlocking { flags |= Syscalls.openNonBlocking }
        switch synchronization {
        case .none: break
        case .data: flags |= Syscalls.openDataSync
        case .file: flags |= Syscalls.openFileSync
        }
        return flags
    }
}
