// wasi:filesystem's error-code: the one vocabulary in which guest filesystem failures are named.
import CapStd
import SystemPackage

/// `wasi:filesystem/types.error-code`, whose case order is the WIT's: what a failed guest
/// filesystem operation tells the guest. Host failures are named once, here (``init(_:)-(CapStdError)``);
/// preview 1's errno derives from the code (``WASIErrno/init(_:)-(FilesystemErrorCode)``), as
/// Wasmtime derives it (`crates/wasi/src/p1.rs`), so a guest hears the same failure through
/// either ABI.
enum FilesystemErrorCode: Int, Error, CaseIterable {
    case access, wouldBlock, already, badDescriptor, busy, deadlock, quota, exist, fileTooLarge
    case illegalByteSequence, inProgress, interrupted, invalid, io, isDirectory, loop, tooManyLinks
    case messageSize, nameTooLong, noDevice, noEntry, noLock, insufficientMemory, insufficientSpace
    case notDirectory, notEmpty, notRecoverable, unsupported, noTTY, noSuchDevice, overflow
    case notPermitted, pipe, readOnly, invalidSeek, textFileBusy, crossDevice

    /// The code for a CapStd failure: an escape (a path leading outside the guest's
    /// directories) is `not-permitted`, as in Wasmtime; a read-only view's refusal is `access`.
    init(_ error: CapStdError) {
        switch error.code {
        case .escape, .absoluteSymlinkTarget: self = .notPermitted
        case .readOnly: self = .access
        case .closed: self = .badDescriptor
        case .containsNUL, .notRegularFile: self = .invalid
        case .crossesFileSystems: self = .crossDevice
        case .invalidUTF8: self = .illegalByteSequence
        case .system: self.init(error.errno)
        }
    }

    /// The code for a host errno (Linux's numbers); one the interface has no case for is `io`.
    /// Errnos without a case of their own take the nearest: the descriptor limits (`EMFILE`,
    /// `ENFILE`) are `insufficient-memory`, `ENOSYS` is `unsupported`, `EFAULT` and `E2BIG`
    /// are `invalid`.
    init(_ errno: Errno) {
        self = Self.fromHost[errno.rawValue] ?? .io
    }

    /// The case's name in the WIT, such as `not-permitted`.
    var name: String { Self.names[rawValue] }

    private static let names = [
        "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist", "file-too-large",
        "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io", "is-directory", "loop", "too-many-links",
        "message-size", "name-too-long", "no-device", "no-entry", "no-lock", "insufficient-memory", "insufficient-space",
        "not-directory", "not-empty", "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow",
        "not-permitted", "pipe", "read-only", "invalid-seek", "text-file-busy", "cross-device",
    ]

    private static let fromHost: [Int32: FilesystemErrorCode] = [
        1: .notPermitted, 2: .noEntry, 4: .interrupted, 5: .io, 6: .noSuchDevice, 7: .invalid, 9: .badDescriptor,
        11: .wouldBlock, 12: .insufficientMemory, 13: .access, 14: .invalid, 16: .busy, 17: .exist, 18: .crossDevice,
        19: .noDevice, 20: .notDirectory, 21: .isDirectory, 22: .invalid, 23: .insufficientMemory,
        24: .insufficientMemory, 25: .noTTY, 26: .textFileBusy, 27: .fileTooLarge, 28: .insufficientSpace,
        29: .invalidSeek, 30: .readOnly, 31: .tooManyLinks, 32: .pipe, 35: .deadlock, 36: .nameTooLong, 37: .noLock,
        38: .unsupported, 39: .notEmpty, 40: .loop, 75: .overflow, 84: .illegalByteSequence, 90: .messageSize,
        95: .unsupported, 114: .already, 115: .inProgress, 122: .quota, 131: .notRecoverable,
    ]
}

/// A guest filesystem operation that failed, as every WASI version's host hears it: the
/// `error-code` the guest is told, and whether the path led outside the guest's directories,
/// which preview 1 names apart (`ERRNO_NOTCAPABLE`, where WASI 0.2 says `not-permitted`).
struct FilesystemFailure: Error, CustomStringConvertible {
    let code: FilesystemErrorCode
    /// Whether CapStd refused a path that leads outside the directory it was resolved in.
    let isEscape: Bool
    /// What failed, in words: the host error's description (its paths escaped), or the
    /// host's reason for the refusal.
    let description: String

    init(_ code: FilesystemErrorCode, _ description: String? = nil) {
        self.code = code
        isEscape = false
        self.description = description ?? "\(code)"
    }

    init(_ error: CapStdError) {
        code = FilesystemErrorCode(error)
        isEscape = error.code == .escape
        description = error.description
    }
}

extension WASIErrno {
    /// Preview 1's errno for an `error-code`: the case of the same name (Wasmtime's table).
    init(_ code: FilesystemErrorCode) {
        self = Self.fromErrorCode[code.rawValue]
    }

    /// Preview 1's errno for a failed filesystem operation: an escape is `NOTCAPABLE` (the
    /// path is outside every capability the guest holds), anything else its code's errno.
    init(_ failure: FilesystemFailure) {
        self = failure.isEscape ? .notCapable : WASIErrno(failure.code)
    }

    /// Indexed by `FilesystemErrorCode.rawValue`.
    private static let fromErrorCode: [WASIErrno] = [
        .access, .again, .already, .badFileDescriptor, .busy, .deadlock, .quota, .exists, .fileTooBig,
        .illegalSequence, .inProgress, .interrupted, .invalid, .io, .isDirectory, .loop, .tooManyLinks,
        .messageSize, .nameTooLong, .noDevice, .noEntry, .noLock, .noMemory, .noSpace,
        .notDirectory, .notEmpty, .notRecoverable, .notSupported, .notTTY, .noSuchDevice, .overflow,
        .notPermitted, .pipe, .readOnlyFileSystem, .invalidSeek, .textBusy, .crossDevice,
    ]
}
