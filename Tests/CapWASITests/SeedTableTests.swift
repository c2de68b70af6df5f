// Every row of the design document's expected-behaviour table, as a WASI guest sees it.
import CapStd
import CapWASI
import Testing

/// Rights a guest asks for when opening to read, and to write.
let readRights = "(i64.const 0x200026)"
let writeRights = "(i64.const 0x600066)"

@Suite("Seed table through WASI")
struct SeedTableTests {
    /// Opens `@p` under `fd` with `oflags` and `rights`, then copies up to 200 bytes from it to stdout.
    static func readToStdout(fd: Int, follow: Bool = true) -> String {
        """
            (i32.store (i32.const 80) (call $path_open (i32.const \(fd)) (i32.const \(follow ? 1 : 0)) @p #p (i32.const 0) \(readRights) (i64.const 0) (i32.const 0) (i32.const 0)))
            (if (i32.load (i32.const 80)) (then (call $exit (i32.load (i32.const 80)))))
            (i32.store (i32.const 64) (i32.const 4096))
            (i32.store (i32.const 68) (i32.const 200))
            (if (call $fd_read (i32.load (i32.const 0)) (i32.const 64) (i32.const 1) (i32.const 72)) (then (call $exit (i32.const 201))))
            (i32.store (i32.const 68) (i32.load (i32.const 72)))
            (if (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 76)) (then (call $exit (i32.const 202))))
            (call $exit (i32.const 0))
        """
    }

    /// Creates or truncates `@p` under `fd` and writes `@text` into it.
    static func writeFile(fd: Int, oflags: Int) -> String {
        """
            (i32.store (i32.const 80) (call $path_open (i32.const \(fd)) (i32.const 1) @p #p (i32.const \(oflags)) \(writeRights) (i64.const 0) (i32.const 0) (i32.const 0)))
            (if (i32.load (i32.const 80)) (then (call $exit (i32.load (i32.const 80)))))
            (i32.store (i32.const 64) @text)
            (i32.store (i32.const 68) #text)
            (call $exit (call $fd_write (i32.load (i32.const 0)) (i32.const 64) (i32.const 1) (i32.const 72)))
        """
    }

    @Test("read /config/settings.toml: success")
    func readConfig() throws {
        let tree = try TenantTree()
        let result = try tree.run(Guest(strings: [("p", "settings.toml")], Self.readToStdout(fd: 3)))
        #expect(result.exitCode == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "mode = \"fast\"\n")
        #expect(result.denials.isEmpty)
    }

    @Test("open /config/../../etc/passwd: NOTCAPABLE, reported")
    func traversal() throws {
        let tree = try TenantTree()
        let result = try tree.run(Guest(strings: [("p", "../../etc/passwd")], Self.readToStdout(fd: 3)))
        #expect(result.exitCode == UInt32(WASIErrno.notCapable.rawValue))
        #expect(result.stdout.isEmpty)
        let denial = try #require(result.denials.first)
        #expect(denial.operation == "path_open")
        #expect(denial.guestPath == "/config/../../etc/passwd")
        #expect(denial.preopen == "/config")
        #expect(denial.instance == "tenant-a")
        #expect(denial.reason == #"open "../../etc/passwd": escapes the directory (EXDEV)"#)
        try tree.expectOutsideUntouched()
    }

    @Test("an absolute path given to path_open: NOTCAPABLE, never resolved on the host", arguments: ["/etc/passwd", "//etc/passwd", "/./etc/passwd"])
    func absolutePath(_ path: String) throws {
        let tree = try TenantTree()
        let result = try tree.run(Guest(strings: [("p", path)], Self.readToStdout(fd: 3)))
        #expect(result.exitCode == UInt32(WASIErrno.notCapable.rawValue))
        #expect(result.stdout.isEmpty)
    }

    @Test("follow a symlink in /config to a file in /config: success")
    func symlinkInside() throws {
        let tree = try TenantTree()
        let result = try tree.run(Guest(strings: [("p", "alias.toml")], Self.readToStdout(fd: 3)))
        #expect(result.exitCode == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "mode = \"fast\"\n")
    }

    @Test("follow a symlink in /config to a file outside it: NOTCAPABLE")
    func symlinkOutside() throws {
        let tree = try TenantTree()
        let result = try tree.run(Guest(strings: [("p", "leak")], Self.readToStdout(fd: 3)))
        #expect(result.exitCode == UInt32(WASIErrno.notCapable.rawValue))
        #expect(result.stdout.isEmpty)
        #expect(result.denials.count == 1)
        try tree.expectOutsideUntouched()
    }

    @Test("write /config/modified.toml: ACCES, nothing created")
    func writeReadOnly() throws {
        let tree = try TenantTree()
        let result = try tree.run(Guest(strings: [("p", "modified.toml"), ("text", "x")], Self.writeFile(fd: 3, oflags: 1)))
        #expect(result.exitCode == UInt32(WASIErrno.access.rawValue))
        #expect(try !tree.config.exists("modified.toml"))
        #expect(result.denials.first?.reason == #"open "modified.toml": the directory is read-only (EACCES)"#)
        try tree.expectOutsideUntouched()
    }

    @Test("truncate /config/settings.toml: ACCES, contents unchanged")
    func truncateReadOnly() throws {
        let tree = try TenantTree()
        let result = try tree.run(Guest(strings: [("p", "settings.toml"), ("text", "x")], Self.writeFile(fd: 3, oflags: 8)))
        #expect(result.exitCode == UInt32(WASIErrno.access.rawValue))
        try tree.expectOutsideUntouched()
    }

    @Test("write /output/report.txt: success")
    func writeOutput() throws {
        let tree = try TenantTree()
        let result = try tree.run(Guest(strings: [("p", "report.txt"), ("text", "report body")], Self.writeFile(fd: 4, oflags: 1 | 8)))
        #expect(result.exitCode == 0)
        #expect(try tree.output.readString("report.txt") == "report body")
        #expect(result.denials.isEmpty)
    }

    @Test("write /output/../config/settings.toml: NOTCAPABLE, the file unchanged")
    func writeEscape() throws {
        let tree = try TenantTree()
        let result = try tree.run(Guest(strings: [("p", "../config/settings.toml"), ("text", "pwned")], Self.writeFile(fd: 4, oflags: 1 | 8)))
        #expect(result.exitCode == UInt32(WASIErrno.notCapable.rawValue))
        try tree.expectOutsideUntouched()
    }
}
