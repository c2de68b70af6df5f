// Request paths into paths beneath the served directory: each hostile form refused or confined.
import CapServe
import CapStd
import Testing

@Suite("ServedPath")
struct ServedPathTests {
    @Test(
        "wire paths decode once, per name",
        arguments: [
            ("/index.html", ["index.html"], false), ("/", [], true), ("", [], false), ("/docs/", ["docs"], true),
            ("//etc/passwd", ["etc", "passwd"], false), ("/a/./b//c", ["a", "b", "c"], false),
            ("/caf%C3%A9.txt", ["café.txt"], false), ("/%252e%252e/x", ["%2e%2e", "x"], false),
            ("/a%20b", ["a b"], false), ("/%2E", [], false),
        ])
    func decodes(_ path: String, _ names: [String], _ trailingSlash: Bool) throws {
        let served = try ServedPath(encoded: path)
        #expect(served.components == names.map { RawPath($0) })
        #expect(served.hasTrailingSlash == trailingSlash)
    }

    @Test(
        "hostile wire paths are refused with the reason",
        arguments: [
            ("/../secret", RequestPathError.parentReference), ("/a/../../b", .parentReference), ("/%2e%2e/secret", .parentReference),
            ("/%2E%2e", .parentReference), ("/a%2f..%2fb", .encodedSeparator), ("/a%2Fb", .encodedSeparator),
            ("/note.txt%00.html", .nul), ("/bad%zz", .invalidEscape), ("/bad%4", .invalidEscape), ("/bad%", .invalidEscape),
        ])
    func refusesWire(_ path: String, _ reason: RequestPathError) {
        #expect(throws: reason) { try ServedPath(encoded: path) }
    }

    @Test("a name that decodes to bytes that are not UTF-8 is exactly those bytes")
    func nonUTF8() throws {
        let served = try ServedPath(encoded: "/%FF%FE.bin")
        #expect(served.components == [RawPath(bytes: [0xFF, 0xFE] + Array(".bin".utf8))])
        #expect(served.relative.bytes == [0xFF, 0xFE] + Array(".bin".utf8))
    }

    @Test("already-decoded paths (Hummingbird's) keep the same rules for what is left to check")
    func decoded() throws {
        #expect(try ServedPath(decoded: "/a/b.txt").relative == "a/b.txt")
        #expect(try ServedPath(decoded: "a").relative == "a")
        #expect(try ServedPath(decoded: "/").relative == ".")
        #expect(throws: RequestPathError.nul) { try ServedPath(decoded: "/note.txt\u{0}.html") }
        #expect(throws: RequestPathError.parentReference) { try ServedPath(decoded: "/x/../../y") }
        // %2F was decoded by the framework already: it is a separator by now, and the names stay beneath.
        #expect(try ServedPath(decoded: "/a/%2e%2e").components == ["a", "%2e%2e"])
    }
}
