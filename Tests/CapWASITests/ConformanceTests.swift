// The preview 1 behaviours wasi-testsuite checks that Capsule once got wrong, each against the host tree.
import CapStd
import CapWASI
import Testing

@Suite("WASI preview 1 conformance")
struct ConformanceTests {
    /// `path_open(/output, follow, @p, oflags, all rights, fdflags)` into the fd at address 0, or exit 100.
    static func open(_ name: String = "p", oflags: Int, fdflags: Int, failing exitCode: Int = 100) -> String {
        """
            (if (call $path_open (i32.const 4) (i32.const 1) @\(name) #\(name) (i32.const \(oflags)) (i64.const 0x7FFFFFFF) (i64.const 0) (i32.const \(fdflags)) (i32.const 0))
              (then (call $exit (i32.const \(exitCode)))))
        """
    }

    /// Writes the string `name` at the descriptor's offset (fd_write), or exits with `exitCode`.
    static func write(_ name: String, failing exitCode: Int) -> String {
        """
            (i32.store (i32.const 64) @\(name))
            (i32.store (i32.const 68) #\(name))
            (if (call $fd_write (i32.load (i32.const 0)) (i32.const 64) (i32.const 1) (i32.const 72)) (then (call $exit (i32.const \(exitCode)))))
        """
    }

    static func seekToStart(failing exitCode: Int) -> String {
        "    (if (call $fd_seek (i32.load (i32.const 0)) (i64.const 0) (i32.const 0) (i32.const 80)) (then (call $exit (i32.const \(exitCode)))))\n"
    }

    /// Exits with `exitCode` unless fd_fdstat_get reports exactly `flags`.
    static func expectFlags(_ flags: Int, failing exitCode: Int) -> String {
        """
            (if (call $fd_fdstat_get (i32.load (i32.const 0)) (i32.const 512)) (then (call $exit (i32.const \(exitCode)))))
            (if (i32.ne (i32.load16_u (i32.const 514)) (i32.const \(flags))) (then (call $exit (i32.const \(exitCode + 1)))))
        """
    }

    @Test("O_CREAT|O_TRUNC|O_WRONLY|O_APPEND truncates, appends every write, and pwrite leaves the offset (c/pwrite-with-append)")
    func truncateWithAppend() throws {
        let tree = try TenantTree()
        try tree.output.write("p", contents: "what was there before")
        let guest = Guest(strings: [("p", "p"), ("ab", "ab"), ("xyz", "xyz")],
            Self.open(oflags: 9, fdflags: 1) + Self.write("ab", failing: 101) + Self.seekToStart(failing: 102)
                + Self.write("ab", failing: 103) + """
                    (if (call $fd_tell (i32.load (i32.const 0)) (i32.const 80)) (then (call $exit (i32.const 104))))
                    (if (i64.ne (i64.load (i32.const 80)) (i64.const 4)) (then (call $exit (i32.const 105))))
                    (i32.store (i32.const 64) @xyz)
                    (i32.store (i32.const 68) #xyz)
                    (if (call $fd_pwrite (i32.load (i32.const 0)) (i32.const 64) (i32.const 1) (i64.const 0) (i32.const 72)) (then (call $exit (i32.const 106))))
                    (if (call $fd_tell (i32.load (i32.const 0)) (i32.const 80)) (then (call $exit (i32.const 107))))
                    (if (i64.ne (i64.load (i32.const 80)) (i64.const 4)) (then (call $exit (i32.const 108))))
                """)
        let result = try tree.run(guest)
        #expect(result.exitCode == 0)
        // The seek to 0 did not stop the second write appending; fd_pwrite wrote at its offset.
        #expect(try tree.output.readString("p") == "xyzb")
        try tree.expectOutsideUntouched()
    }

    @Test("fd_fdstat_set_flags turns append off and on again (rust/fd_flags_set)")
    func appendToggles() throws {
        let tree = try TenantTree()
        let guest = Guest(strings: [("p", "p"), ("aa", "aa"), ("bb", "bb"), ("cc", "cc"), ("dd", "dd")],
            Self.open(oflags: 1, fdflags: 1) + Self.write("aa", failing: 101) + Self.seekToStart(failing: 102)
                + Self.write("bb", failing: 103) + Self.expectFlags(1, failing: 104) + """
                    (if (call $fd_fdstat_set_flags (i32.load (i32.const 0)) (i32.const 0)) (then (call $exit (i32.const 106))))
                """ + Self.expectFlags(0, failing: 107) + Self.seekToStart(failing: 109) + Self.write("cc", failing: 110) + """
                    (if (call $fd_fdstat_set_flags (i32.load (i32.const 0)) (i32.const 1)) (then (call $exit (i32.const 111))))
                """ + Self.seekToStart(failing: 112) + Self.write("dd", failing: 113))
        let result = try tree.run(guest)
        #expect(result.exitCode == 0)
        #expect(try tree.output.readString("p") == "ccbbdd")
    }

    @Test("the sync flags given to path_open are reported by fd_fdstat_get and cannot change (rust/path_filestat)")
    func synchronizationFlags() throws {
        let tree = try TenantTree()
        let guest = Guest(strings: [("s", "s"), ("d", "d"), ("u", "u"), ("aa", "aa")],
            Self.open("s", oflags: 1, fdflags: 0x11) + Self.expectFlags(0x11, failing: 101) + """
                    (if (call $fd_fdstat_set_flags (i32.load (i32.const 0)) (i32.const 0x11)) (then (call $exit (i32.const 103))))
                    (if (i32.ne (call $fd_fdstat_set_flags (i32.load (i32.const 0)) (i32.const 0x01)) (i32.const 28)) (then (call $exit (i32.const 104))))
                    (if (i32.ne (call $fd_fdstat_set_flags (i32.load (i32.const 0)) (i32.const 0x40)) (i32.const 28)) (then (call $exit (i32.const 105))))
                """ + Self.expectFlags(0x11, failing: 106) + Self.write("aa", failing: 108)
                + Self.open("d", oflags: 1, fdflags: 0x02, failing: 109) + Self.expectFlags(0x02, failing: 110) + """
                    (if (i32.ne (call $path_open (i32.const 4) (i32.const 1) @u #u (i32.const 1) (i64.const 0x7FFFFFFF) (i64.const 0) (i32.const 0x20) (i32.const 0)) (i32.const 28))
                      (then (call $exit (i32.const 112))))
                """)
        let result = try tree.run(guest)
        #expect(result.exitCode == 0)
        #expect(try tree.output.readString("s") == "aa")
        // The refused open with an undefined flag created nothing.
        #expect(try !tree.output.exists("u"))
    }

    @Test("O_DIRECTORY with the write right is ISDIR, without it a directory opens (rust/path_open_preopen)")
    func directoryForWriting() throws {
        let tree = try TenantTree()
        try tree.output.write("f", contents: "x")
        /// path_open(fd, ".", O_DIRECTORY, rights) must return `errno`, or exit with `code`.
        func openDirectory(_ fd: Int, _ name: String, rights: Int, _ errno: Int, _ code: Int) -> String {
            """
                (if (i32.ne (call $path_open (i32.const \(fd)) (i32.const 0) @\(name) #\(name) (i32.const 2) (i64.const \(rights)) (i64.const 0) (i32.const 0) (i32.const 0)) (i32.const \(errno)))
                  (then (call $exit (i32.const \(code)))))
            """
        }
        let guest = Guest(strings: [("dot", "."), ("f", "f")],
            openDirectory(4, "dot", rights: 0x42, 31, 100) + openDirectory(4, "dot", rights: 0x2, 0, 101)
                + openDirectory(4, "dot", rights: 0, 0, 102) + openDirectory(3, "dot", rights: 0x42, 31, 103)
                + openDirectory(4, "f", rights: 0x42, 54, 104))
        let result = try tree.run(guest)
        #expect(result.exitCode == 0)
        #expect(result.denials.isEmpty)
    }

    @Test("path_readlink refuses an absolute target with PERM and leaves the buffer untouched; relative targets read")
    func readlinkAbsolute() throws {
        let tree = try TenantTree()
        try tree.output.symlink(target: "/srv/tenant-b/config", at: "abs", allowingAbsoluteTarget: true)
        try tree.output.symlink(target: "sub/f", at: "rel")
        let guest = Guest(strings: [("abs", "abs"), ("rel", "rel")], """
                (if (i32.ne (call $path_readlink (i32.const 4) @abs #abs (i32.const 4096) (i32.const 100) (i32.const 0)) (i32.const 63))
                  (then (call $exit (i32.const 100))))
                (if (call $path_readlink (i32.const 4) @rel #rel (i32.const 4196) (i32.const 100) (i32.const 8)) (then (call $exit (i32.const 101))))
                (i32.store (i32.const 64) (i32.const 4096))
                (i32.store (i32.const 68) (i32.add (i32.const 100) (i32.load (i32.const 8))))
                (call $exit (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 72)))
            """)
        let result = try tree.run(guest)
        #expect(result.exitCode == 0)
        #expect(result.stdout == Array(repeating: 0, count: 100) + Array("sub/f".utf8))
        #expect(result.denials.map(\.operation) == ["path_readlink"])
        #expect(result.denials.first?.errno == .notPermitted)
    }
}
