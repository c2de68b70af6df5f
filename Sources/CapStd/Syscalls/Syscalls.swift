// The only Swift file that calls the kernel's file system interface; everything above it sees `Errno`.
import CCapStdShims
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Thin, typed wrappers over the shims: a negative result becomes a thrown `Errno`, EINTR is retried.
enum Syscalls {
    static let openPath = CAPSULE_O_PATH
    static let openDirectory = CAPSULE_O_DIRECTORY
    static let openNoFollow = CAPSULE_O_NOFOLLOW
    static let openCloseOnExec = CAPSULE_O_CLOEXEC
    static let openFileSync = CAPSULE_O_SYNC
    static let openDataSync = CAPSULE_O_DSYNC
    static let atEmptyPath = CAPSULE_AT_EMPTY_PATH
    static let atSymlinkNoFollow = CAPSULE_AT_SYMLINK_NOFOLLOW
    static let atRemoveDir = CAPSULE_AT_REMOVEDIR
    static let resolveBeneath = CAPSULE_RESOLVE_BENEATH | CAPSULE_RESOLVE_NO_MAGICLINKS
    static let renameNoReplace = CAPSULE_RENAME_NOREPLACE
    static let renameExchange = CAPSULE_RENAME_EXCHANGE
    static let procSuperMagic = CAPSULE_PROC_SUPER_MAGIC
    static let utimeNow = CAPSULE_UTIME_NOW
    static let utimeOmit = CAPSULE_UTIME_OMIT
    // open(2)'s access modes and the flags CapStd sets itself.
    static let openReadOnly = O_RDONLY
    static let openWriteOnly = O_WRONLY
    static let openReadWrite = O_RDWR
    static let openCreate = O_CREAT
    static let openExclusive = O_EXCL
    static let openTruncate = O_TRUNC
    static let openAppend = O_APPEND
    static let openNonBlocking = O_NONBLOCK
    // lseek(2)'s origins.
    static let seekStart = SEEK_SET
    static let seekCurrent = SEEK_CUR
    static let seekEnd = SEEK_END
    // The file type bits of `st_mode`, as Linux defines them (glibc and SystemPackage both
    // export the macros, so a name would be ambiguous here).
    static let fileTypeMask: mode_t = 0o170_000
    static let typeDirectory: mode_t = 0o040_000
    static let typeSymlink: mode_t = 0o120_000

    /// Permission bits, as `mkdirat` and `open` take them.
    typealias Mode = mode_t
    /// What `stat` fills in.
    typealias Status = stat
    /// A time as `stat` reports it and `utimensat` takes it.
    typealias Time = timespec

    /// A `timespec`; `nanoseconds` may be ``utimeNow`` or ``utimeOmit``.
    static func time(seconds: Int, nanoseconds: Int) -> Time {
        timespec(tv_sec: seconds, tv_nsec: nanoseconds)
    }

    @inline(__always)
    private static func check(_ result: Int32) throws(Errno) -> Int32 {
        if result < 0 { throw Errno(rawValue: -result) }
        return result
    }

    @inline(__always)
    private static func checkLong(_ result: Int) throws(Errno) -> Int {
        if result < 0 { throw Errno(rawValue: Int32(-result)) }
        return result
    }

    @inline(__always)
    private static func retryingInterrupts(_ call: () -> Int32) throws(Errno) -> Int32 {
        while true {
            let result = call()
            if result != -EINTR { return try check(result) }
        }
    }

    @inline(__always)
    private static func retryingInterrupts(_ call: () -> Int) throws(Errno) -> Int {
        while true {
            let result = call()
            if result != -Int(EINTR) { return try checkLong(result) }
        }
    }

    // MARK: Opening and closing

    static func openat2(
        _ dirfd: Int32, _ path: UnsafePointer<CChar>, flags: Int32, mode: mode_t
    ) throws(Errno) -> Int32 {
        try retryingInterrupts {
            capsule_openat2(dirfd, path, UInt64(UInt32(bitPattern: flags | openCloseOnExec)), UInt64(mode), resolveBeneath)
        }
    }

    static func openat(
        _ dirfd: Int32, _ path: UnsafePointer<CChar>, flags: Int32, mode: mode_t = 0
    ) throws(Errno) -> Int32 {
        try retryingInterrupts { capsule_openat(dirfd, path, flags | openCloseOnExec, mode) }
    }

    /// Opens a directory by absolute or working-directory-relative path: the one ambient open.
    static func openAmbientDirectory(_ path: UnsafePointer<CChar>) throws(Errno) -> Int32 {
        try openat(AT_FDCWD, path, flags: openPath | openDirectory)
    }

    /// Closes a descriptor. Errors are not reported: on Linux the descriptor is released even when
    /// close fails, so retrying would close someone else's descriptor.
    static func close(_ fd: Int32) {
        _ = capsule_close(fd)
    }

    static func duplicate(_ fd: Int32) throws(Errno) -> Int32 {
        try check(capsule_dup(fd))
    }

    // MARK: Names in a directory

    static func mkdirat(_ dirfd: Int32, _ name: UnsafePointer<CChar>, mode: mode_t) throws(Errno) {
        _ = try check(capsule_mkdirat(dirfd, name, mode))
    }

    static func unlinkat(_ dirfd: Int32, _ name: UnsafePointer<CChar>, flags: Int32) throws(Errno) {
        _ = try check(capsule_unlinkat(dirfd, name, flags))
    }

    static func renameat2(
        _ oldDirfd: Int32, _ oldName: UnsafePointer<CChar>,
        _ newDirfd: Int32, _ newName: UnsafePointer<CChar>, flags: UInt32
    ) throws(Errno) {
        _ = try check(capsule_renameat2(oldDirfd, oldName, newDirfd, newName, flags))
    }

    static func linkat(
        _ oldDirfd: Int32, _ oldName: UnsafePointer<CChar>,
        _ newDirfd: Int32, _ newName: UnsafePointer<CChar>, flags: Int32
    ) throws(Errno) {
        _ = try check(capsule_linkat(oldDirfd, oldName, newDirfd, newName, flags))
    }

    static func symlinkat(_ target: UnsafePointer<CChar>, _ dirfd: Int32, _ name: UnsafePointer<CChar>) throws(Errno) {
        _ = try check(capsule_symlinkat(target, dirfd, name))
    }

    /// The target of the symlink `name` in `dirfd`, as raw bytes.
    static func readlinkat(_ dirfd: Int32, _ name: UnsafePointer<CChar>) throws(Errno) -> [UInt8] {
        var capacity = 256
        while true {
            let bytes = try [UInt8](unsafeUninitializedCapacity: capacity) { (buffer, count) throws(Errno) in
                let length = try checkLong(
                    buffer.withMemoryRebound(to: CChar.self) { capsule_readlinkat(dirfd, name, $0.baseAddress, capacity) })
                count = length
            }
            if bytes.count < capacity { return bytes }
            capacity *= 4
            if capacity > 1 << 20 { throw .fileNameTooLong }
        }
    }

    // MARK: Terminals

    /// Whether `fd` refers to a terminal (`isatty`); false for anything else, a closed
    /// descriptor included.
    static func isTerminal(_ fd: Int32) -> Bool {
        isatty(fd) == 1
    }

    // MARK: Metadata

    static func fstat(_ fd: Int32) throws(Errno) -> stat {
        var result = stat()
        _ = try check(capsule_fstat(fd, &result))
        return result
    }

    static func fstatat(_ dirfd: Int32, _ name: UnsafePointer<CChar>, flags: Int32) throws(Errno) -> stat {
        var result = stat()
        _ = try check(capsule_fstatat(dirfd, name, &result, flags))
        return result
    }

    static func fileSystemType(_ fd: Int32) throws(Errno) -> Int {
        try checkLong(capsule_fstatfs_type(fd))
    }

    static func utimensat(
        _ dirfd: Int32, _ name: UnsafePointer<CChar>, access: timespec, modification: timespec, flags: Int32
    ) throws(Errno) {
        _ = try check(
            capsule_utimensat(
                dirfd, name, Int64(access.tv_sec), access.tv_nsec, Int64(modification.tv_sec), modification.tv_nsec, flags))
    }

    static func changeModeOfPathDescriptor(_ fd: Int32, mode: mode_t) throws(Errno) {
        _ = try check(capsule_fchmod_path_fd(fd, mode))
    }

    static func fchmod(_ fd: Int32, mode: mode_t) throws(Errno) {
        _ = try check(capsule_fchmod(fd, mode))
    }

    // MARK: Directory contents

    static func getdents64(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retryingInterrupts { capsule_getdents64(fd, buffer.baseAddress, buffer.count) }
    }

    // MARK: File contents

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retryingInterrupts { capsule_read(fd, buffer.baseAddress, buffer.count) }
    }

    static func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try retryingInterrupts { capsule_write(fd, buffer.baseAddress, buffer.count) }
    }

    static func pread(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try retryingInterrupts { capsule_pread(fd, buffer.baseAddress, buffer.count, offset) }
    }

    static func pwrite(_ fd: Int32, from buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try retryingInterrupts { capsule_pwrite(fd, buffer.baseAddress, buffer.count, offset) }
    }

    static func writeAppending(_ fd: Int32, from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try retryingInterrupts { capsule_write_appending(fd, buffer.baseAddress, buffer.count) }
    }

    static func lseek(_ fd: Int32, offset: Int64, whence: Int32) throws(Errno) -> Int64 {
        let result = capsule_lseek(fd, offset, whence)
        if result < 0 { throw Errno(rawValue: Int32(-result)) }
        return result
    }

    static func ftruncate(_ fd: Int32, length: Int64) throws(Errno) {
        _ = try retryingInterrupts { capsule_ftruncate(fd, length) }
    }

    static func fsync(_ fd: Int32) throws(Errno) {
        _ = try retryingInterrupts { capsule_fsync(fd) }
    }

    static func fdatasync(_ fd: Int32) throws(Errno) {
        _ = try retryingInterrupts { capsule_fdatasync(fd) }
    }

    /// Copies up to `length` bytes between the current offsets of two descriptors inside the kernel.
    static func copyFileRange(from input: Int32, to output: Int32, length: Int) throws(Errno) -> Int {
        try retryingInterrupts { capsule_copy_file_range(input, output, length) }
    }
}
