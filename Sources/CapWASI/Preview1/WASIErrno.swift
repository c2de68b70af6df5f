// The errno values of wasi_snapshot_preview1; host errors reach them through wasi:filesystem's error-code.
import CapStd
import SystemPackage

/// An error code as WASI preview 1 defines it (`errno` in `wasi_snapshot_preview1.witx`).
public struct WASIErrno: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let success = WASIErrno(rawValue: 0)
    public static let tooBig = WASIErrno(rawValue: 1)
    public static let access = WASIErrno(rawValue: 2)
    public static let again = WASIErrno(rawValue: 6)
    public static let already = WASIErrno(rawValue: 7)
    public static let badFileDescriptor = WASIErrno(rawValue: 8)
    public static let busy = WASIErrno(rawValue: 10)
    public static let deadlock = WASIErrno(rawValue: 16)
    public static let quota = WASIErrno(rawValue: 19)
    public static let exists = WASIErrno(rawValue: 20)
    public static let fault = WASIErrno(rawValue: 21)
    public static let fileTooBig = WASIErrno(rawValue: 22)
    public static let illegalSequence = WASIErrno(rawValue: 25)
    public static let inProgress = WASIErrno(rawValue: 26)
    public static let interrupted = WASIErrno(rawValue: 27)
    public static let invalid = WASIErrno(rawValue: 28)
    public static let io = WASIErrno(rawValue: 29)
    public static let isDirectory = WASIErrno(rawValue: 31)
    public static let loop = WASIErrno(rawValue: 32)
    public static let tooManyFiles = WASIErrno(rawValue: 33)
    public static let tooManyLinks = WASIErrno(rawValue: 34)
    public static let messageSize = WASIErrno(rawValue: 35)
    public static let nameTooLong = WASIErrno(rawValue: 37)
    public static let fileTableOverflow = WASIErrno(rawValue: 41)
    public static let noDevice = WASIErrno(rawValue: 43)
    public static let noEntry = WASIErrno(rawValue: 44)
    public static let noLock = WASIErrno(rawValue: 46)
    public static let noMemory = WASIErrno(rawValue: 48)
    public static let noSpace = WASIErrno(rawValue: 51)
    public static let noSystemCall = WASIErrno(rawValue: 52)
    public static let notDirectory = WASIErrno(rawValue: 54)
    public static let notEmpty = WASIErrno(rawValue: 55)
    public static let notRecoverable = WASIErrno(rawValue: 56)
    public static let notSocket = WASIErrno(rawValue: 57)
    public static let notSupported = WASIErrno(rawValue: 58)
    public static let notTTY = WASIErrno(rawValue: 59)
    public static let noSuchDevice = WASIErrno(rawValue: 60)
    public static let overflow = WASIErrno(rawValue: 61)
    public static let notPermitted = WASIErrno(rawValue: 63)
    public static let pipe = WASIErrno(rawValue: 64)
    public static let readOnlyFileSystem = WASIErrno(rawValue: 69)
    public static let invalidSeek = WASIErrno(rawValue: 70)
    public static let textBusy = WASIErrno(rawValue: 74)
    public static let crossDevice = WASIErrno(rawValue: 75)
    public static let notCapable = WASIErrno(rawValue: 76)

    private static let names: [UInt16: String] = [
        0: "SUCCESS", 1: "2BIG", 2: "ACCES", 6: "AGAIN", 7: "ALREADY", 8: "BADF", 10: "BUSY", 16: "DEADLK",
        19: "DQUOT", 20: "EXIST", 21: "FAULT", 22: "FBIG", 25: "ILSEQ", 26: "INPROGRESS", 27: "INTR", 28: "INVAL",
        29: "IO", 31: "ISDIR", 32: "LOOP", 33: "MFILE", 34: "MLINK", 35: "MSGSIZE", 37: "NAMETOOLONG", 41: "NFILE",
        43: "NODEV", 44: "NOENT", 46: "NOLCK", 48: "NOMEM", 51: "NOSPC", 52: "NOSYS", 54: "NOTDIR", 55: "NOTEMPTY",
        56: "NOTRECOVERABLE", 57: "NOTSOCK", 58: "NOTSUP", 59: "NOTTY", 60: "NXIO", 61: "OVERFLOW", 63: "PERM",
        64: "PIPE", 69: "ROFS", 70: "SPIPE", 74: "TXTBSY", 75: "XDEV", 76: "NOTCAPABLE",
    ]

    /// `ERRNO_NOTCAPABLE` and the like.
    public var description: String { "ERRNO_" + (Self.names[rawValue] ?? String(rawValue)) }

    /// The guest's view of a host error: the errno of its WASI 0.2 `error-code`, as Wasmtime
    /// derives it.
    public init(_ errno: Errno) {
        self.init(FilesystemErrorCode(errno))
    }

    /// The guest's view of a CapStd failure: an escape is `NOTCAPABLE` (the path is outside
    /// every capability the guest holds), anything else the errno of its `error-code` (a
    /// read-only view's refusal is `ACCES`).
    public init(_ error: CapStdError) {
        self.init(FilesystemFailure(error))
    }
}
