// The kinds of ambient file system access the audit recognises.

/// A kind of ambient file system access: an API that resolves paths against the process's root
/// and working directory instead of a capability.
public struct AuditRule: Sendable, Hashable, Codable {
    /// A stable identifier, used in JSON and SARIF output.
    public let id: String
    /// One sentence saying why the access is ambient.
    public let summary: String

    public static let fileManager = AuditRule(
        id: "foundation-filemanager", summary: "Foundation's FileManager acts on the whole file system of the process")
    public static let fileHandle = AuditRule(
        id: "foundation-filehandle", summary: "a FileHandle opened by path or URL reaches any file the process may open")
    public static let contentsOf = AuditRule(
        id: "foundation-contents", summary: "reading a file by path or URL reaches any file the process may read")
    public static let writeTo = AuditRule(
        id: "foundation-write", summary: "writing to a path or URL reaches any file the process may write")
    public static let stream = AuditRule(
        id: "foundation-stream", summary: "a stream opened on a path or URL reaches any file the process may open")
    public static let libcPath = AuditRule(
        id: "libc-path", summary: "a C library call resolves its path against the process's root and working directory")
    public static let libcAt = AuditRule(
        id: "libc-at", summary: "a raw *at system call bypasses CapStd's confined path resolution")
    public static let systemOpen = AuditRule(
        id: "system-filedescriptor-open", summary: "swift-system's FileDescriptor.open opens a path ambiently")
    public static let nioFileSystem = AuditRule(
        id: "nio-filesystem", summary: "SwiftNIO's file system APIs open paths ambiently")
    public static let ambientAuthority = AuditRule(
        id: "ambient-authority", summary: "ambientAuthority() hands out the process's ambient file system authority")
    public static let workingDirectory = AuditRule(
        id: "at-fdcwd", summary: "AT_FDCWD makes an *at call resolve against the working directory")
    public static let configured = AuditRule(
        id: "configured-function", summary: "a function the audit configuration lists as ambient")

    /// Every rule, in the order reports list them.
    public static let all: [AuditRule] = [
        .fileManager, .fileHandle, .contentsOf, .writeTo, .stream, .libcPath, .libcAt, .systemOpen, .nioFileSystem,
        .ambientAuthority, .workingDirectory, .configured,
    ]
}

/// The APIs behind the rules, by name.
enum AmbientCatalogue {
    /// C functions that take a path, with their number of parameters (all unlabeled in Swift);
    /// a bare call with that many unlabeled arguments is taken to be the C function.
    static let libcPathFunctions: [String: ClosedRange<Int>] = [
        "open": 2...3, "creat": 2...2, "fopen": 2...2, "freopen": 3...3, "stat": 2...2, "lstat": 2...2,
        "access": 2...2, "unlink": 1...1, "remove": 1...1, "rename": 2...2, "mkdir": 2...2, "rmdir": 1...1,
        "symlink": 2...2, "link": 2...2, "readlink": 3...3, "chmod": 2...2, "chown": 3...3, "lchown": 3...3,
        "truncate": 2...2, "opendir": 1...1, "mkfifo": 2...2, "mknod": 3...3, "utime": 2...2, "utimes": 2...2,
        "realpath": 2...2, "chdir": 1...1, "chroot": 1...1, "statfs": 2...2, "statvfs": 2...2, "mkdtemp": 1...1,
        "mkstemp": 1...1, "scandir": 4...4, "nftw": 4...4, "ftw": 3...3, "dlopen": 2...2,
    ]

    /// The *at family: given a directory descriptor, but resolved by the kernel without confinement.
    static let libcAtFunctions: [String: ClosedRange<Int>] = [
        "openat": 3...4, "openat2": 4...4, "mkdirat": 3...3, "unlinkat": 3...3, "renameat": 4...4, "renameat2": 5...5,
        "linkat": 5...5, "symlinkat": 3...3, "readlinkat": 4...4, "fstatat": 4...4, "faccessat": 4...4,
        "fchmodat": 4...4, "fchownat": 5...5, "utimensat": 4...4, "mknodat": 4...4, "mkfifoat": 3...3,
        "name_to_handle_at": 5...5, "statx": 5...5,
    ]

    /// C function names distinctive enough that a bare reference (not a call) means the function.
    static let distinctiveCFunctions: Set<String> = Set(libcAtFunctions.keys).union([
        "fopen", "freopen", "creat", "opendir", "lstat", "unlink", "rmdir", "mkdir", "symlink", "readlink", "chmod",
        "chown", "lchown", "truncate", "mkfifo", "mknod", "realpath", "chroot", "mkdtemp", "mkstemp", "scandir", "nftw",
        "ftw", "dlopen",
    ])

    /// Module names that may qualify a C function (`Glibc.open`).
    static let cModules: Set<String> = ["Glibc", "Musl", "Darwin", "WASILibc", "ucrt", "Android", "Bionic", "SwiftGlibc"]

    /// Labels of `FileHandle` initializers that open a path or URL.
    static let fileHandleLabels: Set<String> = [
        "forReadingAtPath", "forWritingAtPath", "forUpdatingAtPath", "forReadingFrom", "forWritingTo", "forUpdating",
    ]

    /// Types whose initializers read a file when given these first labels.
    static let contentsTypes: Set<String> = [
        "Data", "NSData", "String", "NSString", "NSArray", "NSDictionary", "NSMutableData", "NSAttributedString",
        "PropertyListDecoder",
    ]
    static let contentsLabels: Set<String> = ["contentsOf", "contentsOfFile", "contentsOfURL"]

    /// Stream initializers that open a file: type and first label.
    static let streamInitializers: [String: Set<String>] = [
        "InputStream": ["fileAtPath", "url"], "OutputStream": ["toFileAtPath", "url"],
    ]

    /// `NonBlockingFileIO` methods that take a path (`path:` or `_path:`).
    static let nioPathMethods: Set<String> = [
        "openFile", "readFileSize", "createDirectory", "listDirectory", "lstat", "rename", "remove", "symlink",
        "readlink", "unlink", "withFileRegion", "withFileHandle",
    ]

    /// Modules whose import makes `FileSystem` NIO's and `FileDescriptor` swift-system's.
    static let nioModules: Set<String> = ["NIOFileSystem", "_NIOFileSystem", "NIOFS"]
    static let systemModules: Set<String> = ["SystemPackage", "System"]
    static let foundationModules: Set<String> = ["Foundation", "FoundationEssentials"]
}
