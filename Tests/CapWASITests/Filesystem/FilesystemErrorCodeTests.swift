// error-code as the one vocabulary: host failures name a code once, and preview 1's errno derives from it as in Wasmtime.
import CapStd
@testable import CapWASI
import SystemPackage
import Testing

@Suite("error-code, and preview 1's errno from it")
struct FilesystemErrorCodeTests {
    /// Wasmtime's `From<ErrorCode> for Errno` (`crates/wasi/src/p1.rs`), written out: the WIT
    /// name of each code and the errno preview 1 says for it.
    static let wasmtime: [(String, String)] = [
        ("access", "ACCES"), ("would-block", "AGAIN"), ("already", "ALREADY"), ("bad-descriptor", "BADF"),
        ("busy", "BUSY"), ("deadlock", "DEADLK"), ("quota", "DQUOT"), ("exist", "EXIST"), ("file-too-large", "FBIG"),
        ("illegal-byte-sequence", "ILSEQ"), ("in-progress", "INPROGRESS"), ("interrupted", "INTR"), ("invalid", "INVAL"),
        ("io", "IO"), ("is-directory", "ISDIR"), ("loop", "LOOP"), ("too-many-links", "MLINK"), ("message-size", "MSGSIZE"),
        ("name-too-long", "NAMETOOLONG"), ("no-device", "NODEV"), ("no-entry", "NOENT"), ("no-lock", "NOLCK"),
        ("insufficient-memory", "NOMEM"), ("insufficient-space", "NOSPC"), ("not-directory", "NOTDIR"),
        ("not-empty", "NOTEMPTY"), ("not-recoverable", "NOTRECOVERABLE"), ("unsupported", "NOTSUP"), ("no-tty", "NOTTY"),
        ("no-such-device", "NXIO"), ("overflow", "OVERFLOW"), ("not-permitted", "PERM"), ("pipe", "PIPE"),
        ("read-only", "ROFS"), ("invalid-seek", "SPIPE"), ("text-file-busy", "TXTBSY"), ("cross-device", "XDEV"),
    ]

    @Test("every code, in the WIT's order, gives the errno Wasmtime gives")
    func errnoOfEachCode() {
        #expect(FilesystemErrorCode.allCases.map(\.name) == Self.wasmtime.map(\.0))
        for (code, (name, errno)) in zip(FilesystemErrorCode.allCases, Self.wasmtime) {
            #expect(WASIErrno(code).description == "ERRNO_" + errno, "\(name)")
        }
    }

    @Test("host errnos name their code once; both versions hear the same failure")
    func hostErrnos() {
        let cases: [(Errno, FilesystemErrorCode)] = [
            (.noSuchFileOrDirectory, .noEntry), (.permissionDenied, .access), (.fileExists, .exist),
            (.directoryNotEmpty, .notEmpty), (.tooManySymbolicLinkLevels, .loop), (.readOnlyFileSystem, .readOnly),
            // No code of their own: the nearest, as Wasmtime's cap-std error conversion chooses.
            (.tooManyOpenFiles, .insufficientMemory), (.noFunction, .unsupported), (.badAddress, .invalid),
            (.diskQuotaExceeded, .quota), (Errno(rawValue: 9999), .io),
        ]
        for (errno, code) in cases {
            #expect(FilesystemErrorCode(errno) == code, "\(errno)")
            #expect(WASIErrno(errno) == WASIErrno(code), "\(errno)")
        }
    }

    @Test("an escape is NOTCAPABLE for a module and not-permitted for a component; other refusals are the same code")
    func escapes() {
        let escape = CapStdError("open", "../x", .notPermitted, code: .escape)
        #expect(WASIErrno(escape) == .notCapable)
        #expect(FilesystemFailure(escape).code == .notPermitted)
        #expect(FilesystemFailure(escape).isEscape)
        let readOnly = CapStdError("createDir", "x", .permissionDenied, code: .readOnly)
        #expect(WASIErrno(readOnly) == .access)
        #expect(FilesystemFailure(readOnly).code == .access)
        let absolute = CapStdError("readLink", "x", .notPermitted, code: .absoluteSymlinkTarget)
        #expect(WASIErrno(absolute) == .notPermitted)
        #expect(!FilesystemFailure(absolute).isEscape)
    }
}
