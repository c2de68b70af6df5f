// The WASI 0.2 guest Guests/p2-filesystem.c against the tenant tree: every function of
// wasi:filesystem/types and wasi:filesystem/preopens, line by line, then the host tree it leaves.
import CapStd
import CapWASI
import Testing

@Suite("wasi:filesystem component guest")
struct ComponentFilesystemTests {
    /// What the guest prints with /config read-only and /output read-write. Where no read-only
    /// preopen is involved, Wasmtime 49 prints the same, except for the lines ``probe()`` names.
    static let expected = """
        get-directories: ok
        get-type /config: ok
        get-flags /config: ok
        get-flags /output: ok
        stat /config: ok
        is-same-object /config and /config/.: ok
        is-same-object /config and /output: ok
        open-at /config/settings.toml (read): ok
        get-type settings.toml: ok
        get-flags settings.toml: ok
        stat settings.toml: ok
        read settings.toml 100 at 0: ok
        read settings.toml 4 at 8: ok
        read settings.toml 10 at its end: ok
        read settings.toml 10 past its end: ok
        read settings.toml 0 at 0: ok
        read-via-stream settings.toml at 7: ok
        advise settings.toml (sequential): ok
        sync settings.toml (read-only descriptor): ok
        sync-data settings.toml (read-only descriptor): ok
        write settings.toml (read-only descriptor): bad-descriptor
        write-via-stream settings.toml (read-only descriptor): bad-descriptor
        append-via-stream settings.toml (read-only descriptor): bad-descriptor
        set-size settings.toml (read-only descriptor): bad-descriptor
        set-times settings.toml: access
        metadata-hash settings.toml equals metadata-hash-at: ok
        metadata-hash-at alias.toml (follow) equals settings.toml: ok
        metadata-hash-at alias.toml (no follow) differs: ok
        open-at /config/alias.toml (follow) reads settings.toml: ok
        is-same-object settings.toml and alias.toml: ok
        is-same-object settings.toml and /config: ok
        open-at /config/alias.toml (no follow): loop
        open-at /config/sub/../settings.toml (stays inside): ok
        stat-at /config settings.toml: ok
        stat-at /config alias.toml (no follow): ok
        stat-at /config alias.toml (follow): ok
        stat-at /config leak (no follow): ok
        readlink-at /config alias.toml: ok
        readlink-at /config leak (relative, pointing outside): ok
        readlink-at /config abs-link (absolute target): not-permitted
        readlink-at /config settings.toml (not a link): invalid
        readlink-at /config missing: no-entry
        read-directory /config: ok
        open-at /config/sub (directory): ok
        get-flags /config/sub: ok
        create-directory-at /config/sub/new: access
        read-directory /config/sub (empty): ok
        open-at /config/sub (directory, mutate-directory): access
        open-at /config/settings.toml (write): access
        open-at /config/new.txt (create): access
        open-at /config/settings.toml (truncate): access
        create-directory-at /config/new: access
        unlink-file-at /config/settings.toml: access
        remove-directory-at /config/sub: access
        rename-at /config/settings.toml to /config/renamed.toml: access
        rename-at /config/settings.toml to /output/stolen.toml: access
        symlink-at /config/new-link: access
        link-at /config/settings.toml to /config/hard.toml: access
        link-at /config/settings.toml to /output/hard.toml: access
        set-times /config: access
        set-times-at /config settings.toml: access
        open-at /config/../../etc/passwd: not-permitted
        open-at /config//etc/passwd (absolute): not-permitted
        open-at /config/sub/../../secret: not-permitted
        open-at /config/leak (follow, outside): not-permitted
        open-at /config/abs-link (follow, absolute): not-permitted
        open-at /output/../config/settings.toml: not-permitted
        stat-at /config ..: not-permitted
        stat-at /config leak (follow): not-permitted
        stat-at /config abs-link (follow): not-permitted
        metadata-hash-at /config leak (follow): not-permitted
        create-directory-at /output/../escape: not-permitted
        unlink-file-at /output/../config/settings.toml: not-permitted
        set-times-at /output/../../secret: not-permitted
        link-at /output/../../secret to /output/stolen: not-permitted
        symlink-at /output/abs to /etc/passwd: not-permitted
        symlink-at /output/up to ../../secret: ok
        open-at /output/up (follow): not-permitted
        readlink-at /output/up: ok
        unlink-file-at /output/up: ok
        symlink-at /output/dangling to ../../created-outside: ok
        open-at /output/dangling (follow, create): not-permitted
        unlink-file-at /output/dangling: ok
        symlink-at /output/updir to ..: ok
        create-directory-at /output/updir/escaped: not-permitted
        open-at /output/updir/new.txt (create): not-permitted
        symlink-at /output/updir/link: not-permitted
        open-at /output/updir/config/settings.toml: not-permitted
        unlink-file-at /output/updir: ok
        readlink-at /output/abs-dangling (planted, absolute): not-permitted
        open-at /output/abs-dangling (follow, create): not-permitted
        stat-at /output/abs-dangling (no follow): ok
        unlink-file-at /output/abs-dangling: ok
        create-directory-at /output/dir: ok
        create-directory-at /output/dir (again): exist
        open-at /output/dir/file.txt (create, exclusive, read|write): ok
        get-flags file.txt: ok
        write "hello world" at 0: ok
        write "WASI!" at 6: ok
        read file.txt after write: ok
        write-via-stream file.txt at 6: ok
        append-via-stream file.txt (twice): ok
        read-via-stream file.txt at 12 (2 bytes, then 3): ok
        set-size file.txt 5: ok
        read file.txt after set-size 5: ok
        set-size file.txt 8: ok
        read file.txt after set-size 8 (zero-filled): ok
        stat file.txt: ok
        set-times file.txt (1000000000, 1234567890): ok
        stat file.txt times: ok
        set-times file.txt (no-change, now): ok
        stat file.txt times after now: ok
        set-times-at /output dir/file.txt (1500000000.5, 1600000000): ok
        stat-at dir/file.txt times: ok
        set-times-at dir/file.txt (nanoseconds 1000000000): invalid
        set-times /output (no-change, 1600000000): ok
        sync file.txt: ok
        sync-data file.txt: ok
        sync /output: ok
        sync-data /output: ok
        advise file.txt (dont-need): ok
        write file.txt at 2^63-1: invalid
        read file.txt at 2^63-1: invalid
        filesystem-error-code of a write-via-stream at 2^63-1: invalid
        filesystem-error-code of a read-via-stream at 2^63-1: invalid
        open-at /output/dir/file.txt (read): ok
        is-same-object file.txt (read|write) and file.txt (read): ok
        write file.txt (read-only descriptor): bad-descriptor
        set-size file.txt (read-only descriptor): bad-descriptor
        write-via-stream file.txt (read-only descriptor): bad-descriptor
        open-at /output/dir/file.txt (write): ok
        read file.txt (write-only descriptor): bad-descriptor
        read-via-stream file.txt (write-only descriptor): bad-descriptor
        open-at /output/dir/file.txt (read|write|data-integrity-sync): ok
        get-flags file.txt (data-integrity-sync): ok
        open-at /output/dir/copy.txt (create, write): ok
        write "copy" to copy.txt: ok
        open-at /output/dir/copy.txt (create, existing): ok
        read copy.txt (create keeps contents): ok
        open-at /output/dir/copy.txt (truncate): ok
        stat copy.txt after truncate: ok
        metadata-hash file.txt differs from copy.txt: ok
        metadata-hash /output differs from /config: ok
        open-at /output/dir/file.txt (create, exclusive): exist
        open-at /output/dir/file.txt (directory): not-directory
        open-at /output/dir/file.txt/x: not-directory
        open-at /output/dir/file.txt/ (trailing slash): not-directory
        open-at /output "" (empty path): no-entry
        stat-at /output "" (empty path): no-entry
        open-at /output/dir (write): is-directory
        open-at /output/dir (directory, create): invalid
        open-at /output/missing.txt: no-entry
        open-at /output/missing/new.txt (create): no-entry
        stat-at /output/missing.txt: no-entry
        open-at /output/dir (no directory flag): ok
        get-type /output/dir: ok
        get-flags /output/dir: ok
        create-directory-at /output/dir/sub (through dir): ok
        read /output/dir: bad-descriptor
        write /output/dir: bad-descriptor
        read-via-stream /output/dir: bad-descriptor
        write-via-stream /output/dir: bad-descriptor
        append-via-stream /output/dir: bad-descriptor
        set-size /output/dir: bad-descriptor
        advise /output/dir: bad-descriptor
        create-directory-at on file.txt: not-directory
        read-directory on file.txt: not-directory
        stat-at on file.txt: not-directory
        open-at on file.txt: not-directory
        link-at /output/dir/file.txt to /output/hard.txt: ok
        stat-at dir/file.txt link count: ok
        is-same-object file.txt and hard.txt: ok
        metadata-hash file.txt equals hard.txt: ok
        link-at dir/file.txt to hard.txt (exists): exist
        link-at dir/file.txt (symlink-follow): invalid
        link-at /output/dir (a directory): not-permitted
        link-at /output/missing.txt: no-entry
        symlink-at /output/link to dir/file.txt: ok
        symlink-at /output/link (exists): exist
        readlink-at /output/link: ok
        stat-at /output/link (follow): ok
        metadata-hash-at link (follow) equals hard.txt: ok
        set-times-at /output/link (no follow, 1400000000): ok
        stat-at /output/link (no follow) times: ok
        stat-at dir/file.txt times unchanged by the link's: ok
        symlink-at /output/loop to loop: ok
        open-at /output/loop (follow): loop
        stat-at /output/loop (follow): loop
        open-at /output/link (no follow): loop
        open-at /output/loop/x (create): loop
        symlink-at /output/dlink to dir: ok
        open-at /output/dlink/file.txt (no follow: only the last component): ok
        open-at /output/dlink (directory, follow): ok
        open-at /output/dlink (directory, no follow): not-directory
        remove-directory-at /output/dlink: not-directory
        unlink-file-at /output/dlink: ok
        create-directory-at /output/other: ok
        rename-at hard.txt to other/moved.txt: ok
        stat-at hard.txt after rename: no-entry
        rename-at missing.txt: no-entry
        rename-at dir into dir/inside: invalid
        rename-at other/moved.txt over dir: is-directory
        rename-at dir/sub over other/moved.txt: not-directory
        rename-at dir/sub over other (not empty): not-empty
        rename-at other/moved.txt to /config/moved.txt: access
        rename-at other/moved.txt to ../moved.txt: not-permitted
        rename-at dir/copy.txt to other/copy.txt (over nothing): ok
        rename-at other/copy.txt over other/moved.txt: ok
        remove-directory-at /output/dir (not empty): not-empty
        remove-directory-at /output/dir/file.txt: not-directory
        remove-directory-at /output/missing: no-entry
        remove-directory-at /output/.: invalid
        unlink-file-at /output/dir: is-directory
        unlink-file-at /output/missing.txt: no-entry
        read-directory /output: ok
        read-directory /output/dir: ok
        unlink-file-at /output/loop: ok
        unlink-file-at /output/other/moved.txt: ok
        remove-directory-at /output/other: ok
        remove-directory-at /output/dir/sub: ok
        stat-at /output/other after removal: no-entry
        get-directories after dropping both: ok
        read /config/settings.toml through the new handle: ok

        """

    /// Every refusal the host reports: read-only changes to /config (`EACCES`), escapes and
    /// absolute link targets (`EPERM`, which is `not-permitted`).
    static let denials = [
        "descriptor.set-times /config/settings.toml ERRNO_ACCES",
        "descriptor.readlink-at /config/abs-link ERRNO_PERM",
        "descriptor.create-directory-at /config/sub/new ERRNO_ACCES",
        "descriptor.open-at /config/sub ERRNO_ACCES",
        "descriptor.open-at /config/settings.toml ERRNO_ACCES",
        "descriptor.open-at /config/new.txt ERRNO_ACCES",
        "descriptor.open-at /config/settings.toml ERRNO_ACCES",
        "descriptor.create-directory-at /config/new ERRNO_ACCES",
        "descriptor.unlink-file-at /config/settings.toml ERRNO_ACCES",
        "descriptor.remove-directory-at /config/sub ERRNO_ACCES",
        "descriptor.rename-at /config/settings.toml ERRNO_ACCES",
        "descriptor.rename-at /config/settings.toml ERRNO_ACCES",
        "descriptor.symlink-at /config/new-link ERRNO_ACCES",
        "descriptor.link-at /config/settings.toml ERRNO_ACCES",
        "descriptor.link-at /config/settings.toml ERRNO_ACCES",
        "descriptor.set-times /config ERRNO_ACCES",
        "descriptor.set-times-at /config/settings.toml ERRNO_ACCES",
        "descriptor.open-at /config/../../etc/passwd ERRNO_PERM",
        "descriptor.open-at /config//etc/passwd ERRNO_PERM",
        "descriptor.open-at /config/sub/../../secret ERRNO_PERM",
        "descriptor.open-at /config/leak ERRNO_PERM",
        "descriptor.open-at /config/abs-link ERRNO_PERM",
        "descriptor.open-at /output/../config/settings.toml ERRNO_PERM",
        "descriptor.stat-at /config/.. ERRNO_PERM",
        "descriptor.stat-at /config/leak ERRNO_PERM",
        "descriptor.stat-at /config/abs-link ERRNO_PERM",
        "descriptor.metadata-hash-at /config/leak ERRNO_PERM",
        "descriptor.create-directory-at /output/../escape ERRNO_PERM",
        "descriptor.unlink-file-at /output/../config/settings.toml ERRNO_PERM",
        "descriptor.set-times-at /output/../../secret ERRNO_PERM",
        "descriptor.link-at /output/../../secret ERRNO_PERM",
        "descriptor.symlink-at /output/abs ERRNO_PERM",
        "descriptor.open-at /output/up ERRNO_PERM",
        "descriptor.open-at /output/dangling ERRNO_PERM",
        "descriptor.create-directory-at /output/updir/escaped ERRNO_PERM",
        "descriptor.open-at /output/updir/new.txt ERRNO_PERM",
        "descriptor.symlink-at /output/updir/link ERRNO_PERM",
        "descriptor.open-at /output/updir/config/settings.toml ERRNO_PERM",
        "descriptor.readlink-at /output/abs-dangling ERRNO_PERM",
        "descriptor.open-at /output/abs-dangling ERRNO_PERM",
        "descriptor.rename-at /config/moved.txt ERRNO_ACCES",
        "descriptor.rename-at /output/../moved.txt ERRNO_PERM",
    ]

    /// Run under `wasmtime run --dir` on the same tree, where /config cannot be read-only, every
    /// line that does not change /config is the same except these, where Capsule is stricter or
    /// closer to Linux: `read` of 0 bytes at offset 0 is not end-of-file (Wasmtime: it is); write-via-stream,
    /// append-via-stream on a read-only descriptor and read-via-stream on a write-only one
    /// (Wasmtime: ok); set-size on a read-only descriptor (Wasmtime: invalid); set-times with
    /// 10^9 nanoseconds (Wasmtime: ok); set-times on a preopen (Wasmtime: bad-descriptor);
    /// open-at with data-integrity-sync (Wasmtime: unsupported); get-flags of a directory opened
    /// with only `read` (Wasmtime: read); read-via-stream on a directory (Wasmtime:
    /// is-directory); open-at of a symlink to a directory with `directory` and no follow
    /// (Wasmtime: loop).
    @Test("every filesystem function gives the expected answer, and only /output changes")
    func probe() throws {
        let tree = try TenantTree()
        try tree.plantAbsoluteLinks()
        let configBefore = try treeListing(tree.config)
        let seen = DenialCollector()
        let result = try WASIRunner.run(guestComponent("p2-filesystem"), configuration: tree.configuration()) { seen.add($0) }
        #expect(result.exitCode == 0)
        #expect(String(decoding: result.stderr, as: UTF8.self) == "")

        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = Self.expected.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == expectedLines.count)
        for (line, expected) in zip(lines, expectedLines) {
            #expect(line == expected)
        }

        #expect(seen.denials == result.denials)
        #expect(result.denials.map { "\($0.operation) \($0.guestPath) \($0.errno)" } == Self.denials)
        // What the guest was told, in its own words: ACCES is access, PERM not-permitted.
        #expect(result.denials.map(\.errorCode) == Self.denials.map { $0.hasSuffix("ERRNO_PERM") ? "not-permitted" : "access" })
        #expect(result.denials.allSatisfy { $0.instance == "tenant-a" && ($0.guestPath == $0.preopen || $0.guestPath.hasPrefix($0.preopen + "/")) })

        #expect(try treeListing(tree.config) == configBefore)
        #expect(try treeListing(tree.output, times: false) == ["dir/", #"dir/file.txt = "hello\0\0\0""#, "link -> dir/file.txt"])
        #expect(try tree.output.metadata("dir/file.txt").modified == FileTimestamp(seconds: 1_600_000_000))
        #expect(try tree.output.symlinkMetadata("link").modified == FileTimestamp(seconds: 1_400_000_000))
        try tree.expectOutsideUntouched()
    }
}
