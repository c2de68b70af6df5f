// A real wasi-libc program (Guests/libc-probe.c) against the tenant tree: ordinary C file calls,
// and every row of the expected-behaviour table through libc.
import CapStd
import CapWASI
import SystemPackage
import TestSupport
import Testing

/// The checked-in guest modules beside this file.
func guestModule(_ name: String) throws -> WASIModule {
    let directory = repositoryRoot.appending("Tests/CapWASITests/Guests")
    let bytes = try Dir.openAmbient(directory, ambientAuthority()).read(RawPath(name + ".wasm"))
    return try WASIModule(bytes: bytes)
}

@Suite("wasi-libc guest")
struct LibcGuestTests {
    static let expected = """
        read /config/settings.toml: ok
        open /config/../../etc/passwd: ENOTCAPABLE
        open /etc/passwd: ENOENT
        follow /config/alias.toml (inside): ok
        follow /config/leak (outside): ENOTCAPABLE
        write /config/modified.toml: EACCES
        write /output/report.txt: ok
        write /output/../config/settings.toml: ENOTCAPABLE
        open /tmp/other: ENOENT
        stat /output/report.txt: ok
        mkdir /output/sub: ok
        mkdir /output/sub again: EEXIST
        rename report.txt to sub/moved.txt: ok
        symlink sub/moved.txt as /output/link: ok
        readlink /output/link: ok
        read through /output/link: ok
        symlink to /etc/passwd: EPERM
        rmdir non-empty /output/sub: ENOTEMPTY
        open sub/moved.txt/ (trailing slash): ENOTDIR
        readdir /output: ok
        unlink /output/link: ok
        unlink /output/sub/moved.txt: ok
        rmdir /output/sub: ok
        stat /output/link after unlink: ENOENT

        """

    @Test("libc calls behave as under wasmtime, and every seed-table row holds")
    func probe() throws {
        let tree = try TenantTree()
        let result = try WASIRunner.run(guestModule("libc-probe"), configuration: tree.configuration())
        #expect(result.exitCode == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self) == Self.expected)
        #expect(try tree.output.entries().isEmpty)
        #expect(result.denials.map(\.operation) == ["path_open", "path_open", "path_open", "path_open", "path_symlink"])
        try tree.expectOutsideUntouched()
    }
}
