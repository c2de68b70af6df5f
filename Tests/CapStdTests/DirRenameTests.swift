// Renaming through one Dir and between two.
import CapStd
import SystemPackage
import Testing

@Suite("Dir.rename")
struct DirRenameTests {
    @Test("files move into and out of subdirectories", arguments: bothResolvers)
    func intoAndOutOfSubdirectories(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f=hello", "d/", "d/sub/"])
        let root = sandbox.root
        try root.rename("f", to: "d/sub/f")
        #expect(try root.readString("d/sub/f") == "hello")
        try root.rename("d/sub/f", to: "d/sub/../../back")
        #expect(try root.readString("back") == "hello")
        try root.rename("d/sub", to: "moved/")
        #expect(try root.metadata("moved").isDirectory)
        try sandbox.expectOutsideUntouched()
    }

    @Test("rename between two Dirs, and escapes from either side", arguments: bothResolvers)
    func betweenDirs(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["a/", "a/f=from a", "b/"])
        let a = try sandbox.root.openDir("a")
        let b = try sandbox.root.openDir("b")
        try a.rename("f", to: "g", in: b)
        #expect(try b.readString("g") == "from a")
        #expect(capStdError { try b.rename("g", to: "../../stolen", in: a) }?.isEscape == true)
        #expect(capStdError { try b.rename("../../canary", to: "c", in: a) }?.isEscape == true)
        #expect(capStdError { try a.rename("../b/g", to: "x", in: a) }?.isEscape == true)
        try sandbox.expectOutsideUntouched()
    }

    @Test("POSIX errors for slashes, dots and type mismatches", arguments: bothResolvers)
    func errors(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f", "g", "d/", "e/", "e/x", "link-d -> d"])
        let root = sandbox.root
        #expect(capStdError { try root.rename("f", to: "g/") }?.errno == .notDirectory)
        #expect(capStdError { try root.rename("f/", to: "h") }?.errno == .notDirectory)
        #expect(capStdError { try root.rename("link-d/", to: "h") }?.errno == .notDirectory)
        #expect(capStdError { try root.rename("d", to: "f") }?.errno == .notDirectory)
        #expect(capStdError { try root.rename("f", to: "d") }?.errno == .isDirectory)
        #expect(capStdError { try root.rename("d", to: "e") }?.errno == .directoryNotEmpty)
        #expect(capStdError { try root.rename(".", to: "h") }?.errno == .resourceBusy)
        #expect(capStdError { try root.rename("f", to: "d/..") }?.errno == .resourceBusy)
        #expect(capStdError { try root.rename("nope", to: "h") }?.errno == .noSuchFileOrDirectory)
        // A symlink moves as itself.
        try root.rename("link-d", to: "e/link")
        #expect(try root.readLink("e/link") == "d")
        try sandbox.expectOutsideUntouched()
    }
}
