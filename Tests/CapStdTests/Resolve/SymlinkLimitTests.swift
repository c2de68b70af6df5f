// The symlink expansion limit (Linux MAXSYMLINKS = 40) is the same for both resolvers.
import CapStd
import SystemPackage
import Testing

@Suite("Symlink expansion limit")
struct SymlinkLimitTests {
    /// `link-0 -> f`, `link-n -> link-(n-1)`: opening `link-n` expands n + 1 symlinks.
    static func chain(length: Int) -> [String] {
        ["f=end", "link-0 -> f"] + (1..<length).map { "link-\($0) -> link-\($0 - 1)" }
    }

    @Test("40 expansions resolve; the 41st is ELOOP", arguments: bothResolvers)
    func limit(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: Self.chain(length: 41))
        #expect(try sandbox.root.readString("link-39") == "end")
        #expect(capStdError { _ = try sandbox.root.read("link-40") }?.errno == .tooManySymbolicLinkLevels)
        // Expansions count across the whole path, intermediate components included.
        try sandbox.root.createDir("d")
        try sandbox.root.symlink(target: "..", at: "d/up")
        #expect(try sandbox.root.readString("d/up/link-38") == "end")
        #expect(capStdError { _ = try sandbox.root.read("d/up/link-39") }?.errno == .tooManySymbolicLinkLevels)
    }
}
