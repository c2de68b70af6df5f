// Removing files, directories and trees through a Dir.
import CapStd
import SystemPackage
import Testing

@Suite("Dir.remove")
struct DirRemoveTests {
    @Test("removeFile removes files and symlinks themselves, with POSIX errors otherwise", arguments: bothResolvers)
    func removeFile(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f", "d/", "d/g", "link-d -> d", "out -> ../canary"])
        let root = sandbox.root
        try root.removeFile("d/g")
        try root.removeFile("link-d")
        try root.removeFile("out")
        #expect(try root.metadata("d").isDirectory)
        #expect(capStdError { try root.removeFile("d") }?.errno == .isDirectory)
        #expect(capStdError { try root.removeFile("d/") }?.errno == .isDirectory)
        #expect(capStdError { try root.removeFile("f/") }?.errno == .notDirectory)
        #expect(capStdError { try root.removeFile("nope/") }?.errno == .noSuchFileOrDirectory)
        #expect(capStdError { try root.removeFile(".") }?.errno == .isDirectory)
        #expect(capStdError { try root.removeFile("../canary") }?.isEscape == true)
        #expect(capStdError { try root.removeFile("/tmp/x") }?.isEscape == true)
        try root.removeFile("f")
        #expect(try root.entries().map(\.name) == ["d"])
        try sandbox.expectOutsideUntouched()
    }

    @Test("removeDir removes only empty directories", arguments: bothResolvers)
    func removeDir(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f", "d/", "d/g", "e/", "link-e -> e"])
        let root = sandbox.root
        #expect(capStdError { try root.removeDir("d") }?.errno == .directoryNotEmpty)
        #expect(capStdError { try root.removeDir("f") }?.errno == .notDirectory)
        #expect(capStdError { try root.removeDir("link-e") }?.errno == .notDirectory)
        #expect(capStdError { try root.removeDir("link-e/") }?.errno == .notDirectory)
        #expect(capStdError { try root.removeDir(".") }?.errno == .invalidArgument)
        #expect(capStdError { try root.removeDir("d/..") }?.errno == .directoryNotEmpty)
        #expect(capStdError { try root.removeDir("..") }?.isEscape == true)
        try root.removeDir("e/")
        #expect(try !root.exists("e"))
        try sandbox.expectOutsideUntouched()
    }

    @Test("removeDirAll removes a tree but never follows a symlink out of it", arguments: bothResolvers)
    func removeDirAll(_ resolver: Resolver) throws {
        let tree = [
            "t/", "t/a/", "t/a/b/", "t/a/b/f", "t/g", "t/out-dir -> ../../outside/dir", "t/out-file -> ../../canary",
            "t/abs -> $OUT", "link-out -> ../outside", "f",
        ]
        let sandbox = try Sandbox(resolver: resolver, tree: tree)
        try sandbox.top.write("outside/dir/keep", contents: "keep")
        let root = sandbox.root
        try root.removeDirAll("t")
        #expect(try !root.exists("t"))
        // A symlink to an outside directory: only the link goes.
        try root.removeDirAll("link-out")
        #expect(try root.entries().map(\.name) == ["f"])
        #expect(try sandbox.top.readString("outside/dir/keep") == "keep")
        try sandbox.top.removeFile("outside/dir/keep")
        #expect(capStdError { try root.removeDirAll("f") }?.errno == .notDirectory)
        #expect(capStdError { try root.removeDirAll("nope") }?.errno == .noSuchFileOrDirectory)
        #expect(capStdError { try root.removeDirAll("..") }?.isEscape == true)
        #expect(capStdError { try root.removeDirAll("../outside") }?.isEscape == true)
        try sandbox.expectOutsideUntouched()
    }
}
