// The one error type of CapStd: what was attempted, on which path, and why it failed.
import SystemPackage

/// An operation on a `Dir` or `File` that failed.
///
/// Match on ``code`` (or ``isEscape``) rather than on the message: the code says what went wrong in
/// terms a caller can act on, and ``errno`` is the exact POSIX error behind it.
///
/// ```swift
/// do {
///     _ = try config.read("../../etc/passwd")
/// } catch let error as CapStdError where error.isEscape {
///     // the path tried to leave `config`
/// }
/// ```
public struct CapStdError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a caller would act on it.
    public enum Code: Sendable, Hashable {
        /// The path would leave the directory: absolute, `..` above it, or a symlink out (`EXDEV`).
        case escape
        /// The directory is a read-only view and the operation would change something (`EACCES`).
        case readOnly
        /// An absolute symlink target was refused at creation (`EPERM`).
        case absoluteSymlinkTarget
        /// The path contains a NUL byte (`EINVAL`).
        case containsNUL
        /// The `Dir` or `File` was already closed (`EBADF`).
        case closed
        /// The file's contents are not valid UTF-8 (`EILSEQ`).
        case invalidUTF8
        /// A rename or hard link between two file systems (`EXDEV` from the kernel, not an escape).
        case crossesFileSystems
        /// ``Dir/openRegularFile(_:followSymlinks:)`` found a directory, FIFO, device or socket
        /// (`EINVAL`); nothing was read from it.
        case notRegularFile
        /// Any other failure; ``CapStdError/errno`` says which.
        case system
    }

    /// The operation that failed, for example `"open"` or `"rename"`.
    public let operation: String
    /// The path the caller passed, relative to the `Dir`.
    public let path: RawPath
    /// The POSIX error.
    public let errno: Errno
    /// The kind of failure.
    public let code: Code

    /// Creates an error; `EXDEV` means an escape unless `code` says otherwise.
    public init(_ operation: String, _ path: RawPath, _ errno: Errno, code: Code? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.code = code ?? (errno == .improperLink ? .escape : .system)
    }

    /// True exactly when the path would have left the directory.
    public var isEscape: Bool { code == .escape }

    /// For example `open "config/../../etc/passwd": escapes the directory (EXDEV)`.
    public var description: String {
        "\(operation) \"\(path)\": \(reason) (\(ErrnoName.of(errno)))"
    }

    private var reason: String {
        switch code {
        case .escape: "escapes the directory"
        case .readOnly: "the directory is read-only"
        case .absoluteSymlinkTarget: "absolute symlink targets are refused"
        case .containsNUL: "the path contains a NUL byte"
        case .closed: "the handle is closed"
        case .invalidUTF8: "the contents are not valid UTF-8"
        case .crossesFileSystems: "source and destination are on different file systems"
        case .notRegularFile: "not a regular file"
        case .system: ErrnoName.reason(errno)
        }
    }
}

/// Symbolic names and short reasons for the errors file operations produce.
enum ErrnoName {
    private static let table: [Int32: (name: String, reason: String)] = [
        1: ("EPERM", "operation not permitted"),
        2: ("ENOENT", "no such file or directory"),
        5: ("EIO", "input/output error"),
        9: ("EBADF", "bad file descriptor"),
        11: ("EAGAIN", "resource temporarily unavailable"),
        12: ("ENOMEM", "out of memory"),
        13: ("EACCES", "permission denied"),
        16: ("EBUSY", "device or resource busy"),
        17: ("EEXIST", "already exists"),
        18: ("EXDEV", "crosses devices"),
        20: ("ENOTDIR", "not a directory"),
        21: ("EISDIR", "is a directory"),
        22: ("EINVAL", "invalid argument"),
        23: ("ENFILE", "too many open files in the system"),
        24: ("EMFILE", "too many open files"),
        26: ("ETXTBSY", "text file busy"),
        27: ("EFBIG", "file too large"),
        28: ("ENOSPC", "no space left on device"),
        29: ("ESPIPE", "illegal seek"),
        30: ("EROFS", "read-only file system"),
        31: ("EMLINK", "too many links"),
        36: ("ENAMETOOLONG", "name too long"),
        38: ("ENOSYS", "function not implemented"),
        39: ("ENOTEMPTY", "directory not empty"),
        40: ("ELOOP", "too many levels of symbolic links"),
        61: ("ENODATA", "no data available"),
        75: ("EOVERFLOW", "value too large"),
        84: ("EILSEQ", "invalid byte sequence"),
        95: ("EOPNOTSUPP", "operation not supported"),
        122: ("EDQUOT", "disk quota exceeded"),
    ]

    static func of(_ errno: Errno) -> String {
        table[errno.rawValue]?.name ?? "errno \(errno.rawValue)"
    }

    static func reason(_ errno: Errno) -> String {
        table[errno.rawValue]?.reason ?? errno.description
    }
}
