// fd_* on real files: positional I/O, seeking, sizes, times, listings, renumbering and polling.
import CapStd
import CapWASI
import Glibc
import Testing
import TestSupport

@Suite("WASI file I/O")
struct FileIOTests {
    /// Opens `/output/f` (created, read-write) into the fd stored at address 0.
    static let openOutputFile = """
            (if (call $path_open (i32.const 4) (i32.const 1) @p #p (i32.const 1) (i64.const 0x7FFFFFFF) (i64.const 0) (i32.const 0) (i32.const 0))
              (then (call $exit (i32.const 100))))
        """

    @Test("pwrite, pread, seek, tell, allocate, set_size and filestat agree with the host")
    func positionalIO() throws {
        let tree = try TenantTree()
        let guest = Guest(strings: [("p", "f"), ("text", "0123456789")], Self.openOutputFile + """
                (i32.store (i32.const 64) @text)
                (i32.store (i32.const 68) #text)
                (if (call $fd_pwrite (i32.load (i32.const 0)) (i32.const 64) (i32.const 1) (i64.const 5) (i32.const 72)) (then (call $exit (i32.const 101))))
                (if (i32.ne (i32.load (i32.const 72)) (i32.const 10)) (then (call $exit (i32.const 102))))
                (if (call $fd_tell (i32.load (i32.const 0)) (i32.const 80)) (then (call $exit (i32.const 103))))
                (if (i64.ne (i64.load (i32.const 80)) (i64.const 0)) (then (call $exit (i32.const 104))))
                (if (call $fd_seek (i32.load (i32.const 0)) (i64.const -3) (i32.const 2) (i32.const 80)) (then (call $exit (i32.const 105))))
                (if (i64.ne (i64.load (i32.const 80)) (i64.const 12)) (then (call $exit (i32.const 106))))
                (i32.store (i32.const 64) (i32.const 4096))
                (i32.store (i32.const 68) (i32.const 4))
                (if (call $fd_pread (i32.load (i32.const 0)) (i32.const 64) (i32.const 1) (i64.const 7) (i32.const 72)) (then (call $exit (i32.const 107))))
                (if (i32.ne (i32.load (i32.const 4096)) (i32.const 0x35343332)) (then (call $exit (i32.const 108))))
                (if (call $fd_allocate (i32.load (i32.const 0)) (i64.const 0) (i64.const 100)) (then (call $exit (i32.const 109))))
                (if (call $fd_filestat_get (i32.load (i32.const 0)) (i32.const 512)) (then (call $exit (i32.const 110))))
                (if (i64.ne (i64.load (i32.const 544)) (i64.const 100)) (then (call $exit (i32.const 111))))
                (if (i32.ne (i32.load8_u (i32.const 528)) (i32.const 4)) (then (call $exit (i32.const 112))))
                (if (call $fd_filestat_set_size (i32.load (i32.const 0)) (i64.const 8)) (then (call $exit (i32.const 113))))
                (if (call $fd_filestat_set_times (i32.load (i32.const 0)) (i64.const 5000000000) (i64.const 7000000000) (i32.const 5)) (then (call $exit (i32.const 114))))
                (if (call $fd_seek (i32.load (i32.const 0)) (i64.const 0) (i32.const 9) (i32.const 80)) (then (nop)) (else (call $exit (i32.const 115))))
                (call $exit (call $fd_close (i32.load (i32.const 0))))
            """)
        let result = try tree.run(guest)
        #expect(result.exitCode == 0)
        let metadata = try tree.output.metadata("f")
        #expect(metadata.size == 8)
        #expect(metadata.modified == FileTimestamp(seconds: 7))
        #expect(metadata.accessed == FileTimestamp(seconds: 5))
        #expect(try tree.output.read("f") == [0, 0, 0, 0, 0] + Array("012".utf8))
    }

    @Test("fd_readdir lists . and .., every entry with its type, and resumes from a cookie")
    func readdir() throws {
        let tree = try TenantTree()
        try tree.output.createDir("sub")
        try tree.output.write("file", contents: "x")
        try tree.output.symlink(target: "file", at: "link")
        // Two reads: a buffer of 40 bytes (one whole entry and part of the next), then the rest
        // from the first entry's d_next; both buffers go to stdout.
        let guest = Guest("""
                (if (call $fd_readdir (i32.const 4) (i32.const 4096) (i32.const 40) (i64.const 0) (i32.const 0)) (then (call $exit (i32.const 100))))
                (if (call $fd_readdir (i32.const 4) (i32.const 8192) (i32.const 2048) (i64.load (i32.const 4096)) (i32.const 4)) (then (call $exit (i32.const 101))))
                (i32.store (i32.const 64) (i32.const 4096))
                (i32.store (i32.const 68) (i32.load (i32.const 0)))
                (i32.store (i32.const 72) (i32.const 8192))
                (i32.store (i32.const 76) (i32.load (i32.const 4)))
                (call $exit (call $fd_write (i32.const 1) (i32.const 64) (i32.const 2) (i32.const 80)))
            """)
        let result = try tree.run(guest)
        #expect(result.exitCode == 0)
        #expect(result.stdout.count == 40 + (24 + 2) + 3 * 24 + 3 + 4 + 4)
        let first = Self.dirents(Array(result.stdout.prefix(40)))
        #expect(first.map(\.name) == ["."])
        let rest = Self.dirents(Array(result.stdout.dropFirst(40)))
        #expect(rest.first?.name == "..")
        #expect(Set(rest.dropFirst().map { "\($0.name):\($0.type)" }) == ["sub:3", "file:4", "link:7"])
        #expect(rest.map(\.next) == [2, 3, 4, 5])
    }

    static func dirents(_ bytes: [UInt8]) -> [(next: UInt64, name: String, type: UInt8)] {
        var result: [(next: UInt64, name: String, type: UInt8)] = []
        var offset = 0
        while offset + 24 <= bytes.count {
            let next = bytes[offset..<offset + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let length = Int(bytes[offset + 16]) | Int(bytes[offset + 17]) << 8
            let name = String(decoding: bytes[(offset + 24)..<min(offset + 24 + length, bytes.count)], as: UTF8.self)
            result.append((next, name, bytes[offset + 20]))
            offset += 24 + length
        }
        return result
    }

    @Test("fd_renumber moves a descriptor; fd_prestat names the preopens")
    func renumberAndPrestat() throws {
        let tree = try TenantTree()
        let guest = Guest(strings: [("p", "f")], Self.openOutputFile + """
                (if (call $fd_renumber (i32.load (i32.const 0)) (i32.const 3)) (then (call $exit (i32.const 101))))
                (if (call $fd_fdstat_get (i32.const 3) (i32.const 512)) (then (call $exit (i32.const 102))))
                (if (i32.ne (i32.load8_u (i32.const 512)) (i32.const 4)) (then (call $exit (i32.const 103))))
                (if (call $fd_close (i32.load (i32.const 0))) (then (nop)) (else (call $exit (i32.const 104))))
                (if (call $fd_prestat_get (i32.const 4) (i32.const 600)) (then (call $exit (i32.const 105))))
                (if (call $fd_prestat_dir_name (i32.const 4) (i32.const 700) (i32.load (i32.const 604))) (then (call $exit (i32.const 106))))
                (i32.store (i32.const 64) (i32.const 700))
                (i32.store (i32.const 68) (i32.load (i32.const 604)))
                (call $exit (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 80)))
            """)
        let result = try tree.run(guest)
        #expect(result.exitCode == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "/output")
    }

    @Test("poll_oneoff sleeps for a relative clock subscription")
    func pollClock() throws {
        // One clock subscription: userdata 42, monotonic, 20 ms relative.
        let guest = Guest("""
                (i64.store (i32.const 1024) (i64.const 42))
                (i32.store8 (i32.const 1032) (i32.const 0))
                (i32.store (i32.const 1040) (i32.const 1))
                (i64.store (i32.const 1048) (i64.const 20000000))
                (if (call $poll_oneoff (i32.const 1024) (i32.const 2048) (i32.const 1) (i32.const 0)) (then (call $exit (i32.const 100))))
                (if (i32.ne (i32.load (i32.const 0)) (i32.const 1)) (then (call $exit (i32.const 101))))
                (if (i64.ne (i64.load (i32.const 2048)) (i64.const 42)) (then (call $exit (i32.const 102))))
                (call $exit (i32.load16_u (i32.const 2056)))
            """)
        let result = try WASIRunner.run(guest.module(), configuration: WASIConfiguration())
        #expect(result.exitCode == 0)
        #expect(result.wallTime >= .milliseconds(20))
    }

    /// Counts only descriptors into the tenant's output tree, so parallel tests cannot move it.
    @Test("every descriptor the guest left open is closed when it ends")
    func descriptorsClosed() throws {
        let tree = try TenantTree()
        let loop = """
                (block $done (loop $more
                  (br_if $done (i32.ge_u (i32.load (i32.const 600)) (i32.const 60)))
                  (drop (call $path_open (i32.const 4) (i32.const 1) @p #p (i32.const 1) (i64.const 0x7FFFFFFF) (i64.const 0) (i32.const 0) (i32.const 0)))
                  (i32.store (i32.const 600) (i32.add (i32.load (i32.const 600)) (i32.const 1)))
                  (br $more)))
                (call $exit (i32.const 0))
            """
        let before = try openDescriptors(beneath: tree.path + "/tenant/output")
        let result = try tree.run(Guest(strings: [("p", "f")], loop))
        #expect(result.exitCode == 0)
        #expect(try openDescriptors(beneath: tree.path + "/tenant/output") == before)
    }
}

@Suite("Write quota")
struct WriteQuotaTests {
    @Test("writes past the byte quota get DQUOT and what was written before stays")
    func bytes() throws {
        let tree = try TenantTree()
        // Writes "0123456789" three times to /output/f with a quota of 25 bytes.
        let write = "(call $fd_write (i32.load (i32.const 0)) (i32.const 64) (i32.const 1) (i32.const 72))"
        let guest = Guest(strings: [("p", "f"), ("text", "0123456789")], """
                (if (call $path_open (i32.const 4) (i32.const 1) @p #p (i32.const 1) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 0))
                  (then (call $exit (i32.const 100))))
                (i32.store (i32.const 64) @text)
                (i32.store (i32.const 68) #text)
                (if \(write) (then (call $exit (i32.const 101))))
                (if \(write) (then (call $exit (i32.const 102))))
                (if \(write) (then (call $exit (i32.const 103))))
                (if (i32.ne (i32.load (i32.const 72)) (i32.const 5)) (then (call $exit (i32.const 104))))
                (call $exit \(write))
            """)
        var configuration = try tree.configuration()
        configuration.writeQuota = WriteQuota(maxBytes: 25, maxEntries: 10)
        let result = try WASIRunner.run(guest.module(), configuration: configuration) { _ in }
        #expect(result.exitCode == UInt32(WASIErrno.quota.rawValue))
        #expect(try tree.output.readString("f") == "0123456789012345678901234")
        #expect(result.denials.last?.reason == "the write quota of 25 bytes is used up")
        // Reported under the guest's name for the descriptor written, as WASI 0.2 reports it.
        #expect(result.denials.last?.operation == "fd_write")
        #expect(result.denials.last?.guestPath == "/output/f")
    }

    @Test("creating entries past the quota gets DQUOT; reopening an existing file does not count")
    func entries() throws {
        let tree = try TenantTree()
        let open = { (name: String) in
            "(call $path_open (i32.const 4) (i32.const 1) @\(name) #\(name) (i32.const 1) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 0))"
        }
        let guest = Guest(strings: [("a", "a"), ("b", "b"), ("c", "c")], """
                (if \(open("a")) (then (call $exit (i32.const 100))))
                (if \(open("a")) (then (call $exit (i32.const 101))))
                (if (call $path_create_directory (i32.const 4) @b #b) (then (call $exit (i32.const 102))))
                (call $exit \(open("c")))
            """)
        var configuration = try tree.configuration()
        configuration.writeQuota = WriteQuota(maxBytes: 1000, maxEntries: 2)
        let result = try WASIRunner.run(guest.module(), configuration: configuration) { _ in }
        #expect(result.exitCode == UInt32(WASIErrno.quota.rawValue))
        #expect(Set(try tree.output.entries().map(\.name.description)) == ["a", "b"])
    }
}

@Suite("Preopen ownership")
struct PreopenOwnershipTests {
    /// Regression: fd_close on a preopen closed the embedder's own `Dir`, so the next run for the
    /// same tenant (or the host itself) found it closed.
    @Test("a guest closing its preopens does not close the embedder's directories")
    func closingPreopens() throws {
        let tree = try TenantTree()
        let guest = Guest("""
                (if (call $fd_close (i32.const 3)) (then (call $exit (i32.const 100))))
                (call $exit (call $fd_close (i32.const 4)))
            """)
        #expect(try tree.run(guest).exitCode == 0)
        #expect(!tree.output.isClosed)
        #expect(!tree.config.isClosed)
        try tree.output.write("after", contents: "still usable")
        #expect(try tree.run(guest).exitCode == 0)
        #expect(try tree.output.readString("after") == "still usable")
    }
}
