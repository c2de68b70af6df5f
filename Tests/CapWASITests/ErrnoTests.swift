// Exact errno values, one WASI call each, against a tenant tree: fd 3 = /config (read-only),
// fd 4 = /output (read-write) holding f, d/x, empty/, link -> f, out -> ../../secret.
import CapStd
import CapWASI
import Testing
import TestSupport

struct ErrnoCase: Sendable, CustomTestStringConvertible {
    let function: String
    let arguments: String
    let strings: [(String, String)]
    let expected: WASIErrno
    let note: String

    init(_ note: String, _ function: String, _ arguments: String, _ expected: WASIErrno) {
        self.init(note, function, arguments, [], expected)
    }

    init(_ note: String, _ function: String, _ arguments: String, _ strings: [(String, String)], _ expected: WASIErrno) {
        self.note = note
        self.function = function
        self.arguments = arguments
        self.strings = strings
        self.expected = expected
    }

    var testDescription: String { "\(function): \(note) → \(expected)" }
}

let errnoCases: [ErrnoCase] = [
    .init("unknown descriptor", "fd_close", "(i32.const 99)", .badFileDescriptor),
    .init("closing a preopen", "fd_close", "(i32.const 4)", .success),
    .init("trailing slash on a file", "path_open", openArgs(4, follow: 1, oflags: 0), [("p", "f/")], .notDirectory),
    .init("final symlink without follow", "path_open", openArgs(4, follow: 0, oflags: 0), [("p", "link")], .loop),
    .init("missing file", "path_open", openArgs(4, follow: 1, oflags: 0), [("p", "nope")], .noEntry),
    .init("exclusive create over a file", "path_open", openArgs(4, follow: 1, oflags: 5), [("p", "f")], .exists),
    .init("O_DIRECTORY on a file", "path_open", openArgs(4, follow: 1, oflags: 2), [("p", "f")], .notDirectory),
    // A directory cannot be created, made exclusively or truncated by an open: the rule both
    // WASI hosts share, and what `wasmtime run` answers (O_EXCL alone too: errno 28).
    .init("O_DIRECTORY with O_CREAT", "path_open", openArgs(4, follow: 1, oflags: 3), [("p", "d")], .invalid),
    .init("O_DIRECTORY with O_EXCL", "path_open", openArgs(4, follow: 1, oflags: 6), [("p", "d")], .invalid),
    .init("O_DIRECTORY with O_TRUNC", "path_open", openArgs(4, follow: 1, oflags: 10), [("p", "d")], .invalid),
    .init("a NUL byte in the path", "path_open", openArgs(4, follow: 1, oflags: 0), [("p", "f\0../../secret")], .invalid),
    .init("a symlink out", "path_open", openArgs(4, follow: 1, oflags: 0), [("p", "out")], .notCapable),
    .init("a path opened from a file descriptor", "path_open", openArgs(1, follow: 1, oflags: 0), [("p", "x")], .notDirectory),
    .init("path pointer outside memory", "path_open",
        "(i32.const 4) (i32.const 1) (i32.const 0xFFFFFFF0) (i32.const 32) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)",
        .fault),
    .init("existing directory", "path_create_directory", "(i32.const 4) @p #p", [("p", "d")], .exists),
    .init("in the read-only preopen", "path_create_directory", "(i32.const 3) @p #p", [("p", "new")], .access),
    .init("escape", "path_create_directory", "(i32.const 4) @p #p", [("p", "../new")], .notCapable),
    .init("non-empty directory", "path_remove_directory", "(i32.const 4) @p #p", [("p", "d")], .notEmpty),
    .init("a file", "path_remove_directory", "(i32.const 4) @p #p", [("p", "f")], .notDirectory),
    .init("a directory", "path_unlink_file", "(i32.const 4) @p #p", [("p", "d")], .isDirectory),
    .init("trailing slash on a file", "path_unlink_file", "(i32.const 4) @p #p", [("p", "f/")], .notDirectory),
    .init("absolute target", "path_symlink", "@t #t (i32.const 4) @p #p", [("t", "/etc/passwd"), ("p", "abs")], .notPermitted),
    .init("relative target", "path_symlink", "@t #t (i32.const 4) @p #p", [("t", "f"), ("p", "rel")], .success),
    .init("not a symlink", "path_readlink", "(i32.const 4) @p #p (i32.const 4096) (i32.const 100) (i32.const 0)", [("p", "f")], .invalid),
    .init("escaping link, followed", "path_filestat_get", "(i32.const 4) (i32.const 1) @p #p (i32.const 4096)", [("p", "out")], .notCapable),
    .init("escaping link itself", "path_filestat_get", "(i32.const 4) (i32.const 0) @p #p (i32.const 4096)", [("p", "out")], .success),
    .init("into the read-only preopen", "path_rename", "(i32.const 4) @a #a (i32.const 3) @b #b", [("a", "f"), ("b", "g")], .access),
    .init("out of the tree", "path_rename", "(i32.const 4) @a #a (i32.const 4) @b #b", [("a", "f"), ("b", "../f")], .notCapable),
    .init("link out of the tree", "path_link", "(i32.const 4) (i32.const 0) @a #a (i32.const 4) @b #b", [("a", "f"), ("b", "../x")], .notCapable),
    .init("growing rights", "fd_fdstat_set_rights", "(i32.const 4) (i64.const -1) (i64.const -1)", .notCapable),
    .init("writing to stdin", "fd_write", "(i32.const 0) (i32.const 64) (i32.const 0) (i32.const 72)", .notCapable),
    .init("iovecs outside memory", "fd_write", "(i32.const 1) (i32.const 0xFFFFFFF0) (i32.const 4) (i32.const 72)", .fault),
    .init("a huge iovec count", "fd_write", "(i32.const 1) (i32.const 64) (i32.const 0x7FFFFFFF) (i32.const 72)", .fault),
    .init("not a preopen", "fd_prestat_get", "(i32.const 1) (i32.const 64)", .badFileDescriptor),
    .init("name buffer too short", "fd_prestat_dir_name", "(i32.const 3) (i32.const 64) (i32.const 2)", .nameTooLong),
    .init("not a socket", "sock_accept", "(i32.const 3) (i32.const 0) (i32.const 64)", .notSocket),
    .init("unknown descriptor", "sock_shutdown", "(i32.const 99) (i32.const 0)", .badFileDescriptor),
    .init("signals", "proc_raise", "(i32.const 9)", .notSupported),
    .init("yield", "sched_yield", "", .success),
    .init("unknown clock", "clock_time_get", "(i32.const 9) (i64.const 0) (i32.const 64)", .invalid),
    .init("result pointer outside memory", "clock_time_get", "(i32.const 0) (i64.const 0) (i32.const 0x1FFFC)", .fault),
    .init("unknown advice", "fd_advise", "(i32.const 4) (i64.const 0) (i64.const 0) (i32.const 9)", .invalid),
]

/// `path_open(fd, follow, @p, #p, oflags, read rights, 0, 0, result at 0)`.
func openArgs(_ fd: Int, follow: Int, oflags: Int) -> String {
    "(i32.const \(fd)) (i32.const \(follow)) @p #p (i32.const \(oflags)) (i64.const 0x200026) (i64.const 0) (i32.const 0) (i32.const 0)"
}

@Suite("WASI errno")
struct ErrnoTests {
    static func prepare(_ tree: TenantTree) throws {
        try tree.output.write("f", contents: "hello")
        try tree.output.createDir("d")
        try tree.output.write("d/x", contents: "x")
        try tree.output.createDir("empty")
        try tree.output.symlink(target: "f", at: "link")
        try tree.output.symlink(target: "../../secret", at: "out")
    }

    @Test("each call returns exactly the errno preview 1 defines", arguments: errnoCases)
    func errno(_ testCase: ErrnoCase) throws {
        let tree = try TenantTree()
        try Self.prepare(tree)
        let guest = Guest.exitWithErrno(of: testCase.function, testCase.arguments, strings: testCase.strings)
        let result = try tree.run(guest)
        #expect(result.exitCode == UInt32(testCase.expected.rawValue), "got \(WASIErrno(rawValue: UInt16(result.exitCode)))")
        try tree.expectOutsideUntouched()
    }

    @Test("the descriptor limit gives MFILE and is reported")
    func descriptorLimit() throws {
        let tree = try TenantTree()
        try Self.prepare(tree)
        let open = "(call $path_open \(openArgs(4, follow: 1, oflags: 0)))"
        let guest = Guest(strings: [("p", "f")], """
                (if \(open) (then (call $exit (i32.const 100))))
                (call $exit \(open))
            """)
        let result = try tree.run(guest, limits: WASILimits(maxDescriptors: 6))
        #expect(result.exitCode == UInt32(WASIErrno.tooManyFiles.rawValue))
        #expect(result.denials.last?.reason == "the instance holds its limit of 6 open descriptors")
    }

    @Test("a preopen's access is its Dir's: a read-only Dir offered as read-write stays read-only")
    func preopenAccessIsTheDirs() throws {
        let tree = try TenantTree()
        let readOnly = try tree.output.readOnly()
        defer { readOnly.close() }
        #expect(try Preopen(guestPath: "/output", dir: readOnly, access: .readWrite).access == .readOnly)
        #expect(try Preopen(guestPath: "/output", dir: tree.output, access: .readWrite).access == .readWrite)
        let narrowed = try Preopen(guestPath: "/output", dir: tree.output, access: .readOnly)
        defer { narrowed.dir.close() }
        #expect(narrowed.access == .readOnly)
    }

    @Test("a dropped right is enforced on the next call")
    func droppedRight() throws {
        let tree = try TenantTree()
        try Self.prepare(tree)
        let guest = Guest(strings: [("p", "f")], """
                (if (call $path_open \(openArgs(4, follow: 1, oflags: 0))) (then (call $exit (i32.const 100))))
                (if (call $fd_fdstat_set_rights (i32.load (i32.const 0)) (i64.const 0x4) (i64.const 0)) (then (call $exit (i32.const 101))))
                (i32.store (i32.const 64) (i32.const 4096))
                (i32.store (i32.const 68) (i32.const 10))
                (call $exit (call $fd_read (i32.load (i32.const 0)) (i32.const 64) (i32.const 1) (i32.const 72)))
            """)
        let result = try tree.run(guest)
        #expect(result.exitCode == UInt32(WASIErrno.notCapable.rawValue))
        #expect(result.denials.last?.operation == "fd_read")
    }
}

/// Every mutation preview 1 offers, aimed at the read-only preopen (fd 3).
let readOnlyMutations: [ErrnoCase] = [
    .init("create", "path_open", "(i32.const 3) (i32.const 1) @p #p (i32.const 1) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 0)", [("p", "new")], .access),
    .init("truncate", "path_open", "(i32.const 3) (i32.const 1) @p #p (i32.const 8) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 0)", [("p", "settings.toml")], .access),
    .init("open for writing", "path_open", "(i32.const 3) (i32.const 1) @p #p (i32.const 0) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 0)", [("p", "settings.toml")], .access),
    .init("open for appending", "path_open", "(i32.const 3) (i32.const 1) @p #p (i32.const 0) (i64.const 0x40) (i64.const 0) (i32.const 1) (i32.const 0)", [("p", "settings.toml")], .access),
    .init("mkdir", "path_create_directory", "(i32.const 3) @p #p", [("p", "new")], .access),
    .init("rmdir", "path_remove_directory", "(i32.const 3) @p #p", [("p", "sub")], .access),
    .init("unlink", "path_unlink_file", "(i32.const 3) @p #p", [("p", "settings.toml")], .access),
    .init("rename", "path_rename", "(i32.const 3) @a #a (i32.const 3) @b #b", [("a", "settings.toml"), ("b", "moved")], .access),
    .init("rename out", "path_rename", "(i32.const 3) @a #a (i32.const 4) @b #b", [("a", "settings.toml"), ("b", "moved")], .access),
    .init("link out", "path_link", "(i32.const 3) (i32.const 0) @a #a (i32.const 4) @b #b", [("a", "settings.toml"), ("b", "linked")], .access),
    .init("link in", "path_link", "(i32.const 4) (i32.const 0) @a #a (i32.const 3) @b #b", [("a", "f"), ("b", "linked")], .access),
    .init("symlink", "path_symlink", "@t #t (i32.const 3) @p #p", [("t", "settings.toml"), ("p", "l")], .access),
    .init("set times", "path_filestat_set_times", "(i32.const 3) (i32.const 1) @p #p (i64.const 0) (i64.const 0) (i32.const 10)", [("p", "settings.toml")], .access),
    .init("set times of the directory", "fd_filestat_set_times", "(i32.const 3) (i64.const 0) (i64.const 0) (i32.const 10)", .access),
]

@Suite("Read-only preopen")
struct ReadOnlyPreopenTests {
    @Test("every mutation is ACCES and the host tree is byte-for-byte unchanged", arguments: readOnlyMutations)
    func refused(_ testCase: ErrnoCase) throws {
        let tree = try TenantTree()
        try ErrnoTests.prepare(tree)
        let before = try TreeSnapshot(tree.config)
        let guest = Guest.exitWithErrno(of: testCase.function, testCase.arguments, strings: testCase.strings)
        let result = try tree.run(guest)
        #expect(result.exitCode == UInt32(testCase.expected.rawValue), "got \(WASIErrno(rawValue: UInt16(result.exitCode)))")
        #expect(try TreeSnapshot(tree.config) == before)
        #expect(result.denials.count == 1)
        #expect(result.denials.first?.preopen == "/config")
        try tree.expectOutsideUntouched()
    }

    @Test("a file opened from the read-only preopen cannot be resized or re-timed")
    func fileFromReadOnlyPreopen() throws {
        let tree = try TenantTree()
        // Read rights plus fd_filestat_set_times: the open succeeds (read-only), the change does not.
        let guest = Guest(strings: [("p", "settings.toml")], """
                (if (call $path_open (i32.const 3) (i32.const 1) @p #p (i32.const 0) (i64.const 0x800026) (i64.const 0) (i32.const 0) (i32.const 0))
                  (then (call $exit (i32.const 100))))
                (if (i32.ne (call $fd_filestat_set_size (i32.load (i32.const 0)) (i64.const 0)) (i32.const 76)) (then (call $exit (i32.const 101))))
                (call $exit (call $fd_filestat_set_times (i32.load (i32.const 0)) (i64.const 0) (i64.const 0) (i32.const 10)))
            """)
        let result = try tree.run(guest)
        #expect(result.exitCode == UInt32(WASIErrno.access.rawValue))
        try tree.expectOutsideUntouched()
    }
}
