// Creating directories, symlinks and hard links through a Dir.
import CapStd
import SystemPackage
import Testing

@Suite("Dir.createDir, symlink, hardLink")
struct DirCreateTests {
    @Test("createDir follows POSIX for existing names, dots and trailing slashes", arguments: bothResolvers)
    func createDir(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f", "d/", "dangling -> nowhere", "out -> ../outside/dir"])
        let root = sandbox.root
        try root.createDir("new")
        try root.createDir("d/sub/")
        #expect(try root.metadata("d/sub").isDirectory)
        #expect(capStdError { try root.createDir("f") }?.errno == .fileExists)
        #expect(capStdError { try root.createDir("dangling") }?.errno == .fileExists)
        #expect(capStdError { try root.createDir(".") }?.errno == .fileExists)
        #expect(capStdError { try root.createDir("d/..") }?.errno == .fileExists)
        #expect(capStdError { try root.createDir("missing/x") }?.errno == .noSuchFileOrDirectory)
        #expect(capStdError { try root.createDir("f/x") }?.errno == .notDirectory)
        #expect(capStdError { try root.createDir("../x") }?.isEscape == true)
        #expect(capStdError { try root.createDir("..") }?.isEscape == true)
        #expect(capStdError { try root.createDir("/tmp/x") }?.isEscape == true)
        #expect(capStdError { try root.createDir("out/x") }?.isEscape == true)
        #expect(capStdError { try root.createDir("") }?.errno == .noSuchFileOrDirectory)
        try sandbox.expectOutsideUntouched()
    }

    @Test("createDirAll makes every missing level and accepts an existing directory", arguments: bothResolvers)
    func createDirAll(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f", "link-d -> d", "d/"])
        let root = sandbox.root
        try root.createDirAll("a/b/c/")
        try root.createDirAll("a/b/c")
        try root.createDirAll("x/../y/z")
        try root.createDirAll("link-d/inner/deeper")
        #expect(try root.metadata("a/b/c").isDirectory)
        #expect(try root.metadata("y/z").isDirectory)
        #expect(try root.metadata("d/inner/deeper").isDirectory)
        #expect(capStdError { try root.createDirAll("f") }?.errno == .fileExists)
        #expect(capStdError { try root.createDirAll("f/g") }?.errno == .notDirectory)
        #expect(capStdError { try root.createDirAll("../escape/a") }?.isEscape == true)
        try sandbox.expectOutsideUntouched()
    }

    @Test("symlink stores relative targets verbatim and refuses absolute ones", arguments: bothResolvers)
    func symlink(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f=hello", "d/"])
        let root = sandbox.root
        try root.symlink(target: "../f", at: "d/up")
        #expect(try root.readLink("d/up") == "../f")
        #expect(try root.readString("d/up") == "hello")
        // A relative target that leads out can be stored; it can never be followed.
        try root.symlink(target: "../../outside/secret", at: "d/out")
        #expect(capStdError { _ = try root.read("d/out") }?.isEscape == true)
        let absolute = capStdError { try root.symlink(target: "/etc/passwd", at: "abs") }
        #expect(absolute?.code == .absoluteSymlinkTarget)
        #expect(absolute?.errno == .notPermitted)
        #expect(absolute?.description == #"symlink "abs": absolute symlink targets are refused (EPERM)"#)
        #expect(try !root.exists("abs"))
        try root.symlink(target: "/etc/passwd", at: "abs", allowingAbsoluteTarget: true)
        #expect(try root.readLinkContents("abs") == "/etc/passwd")
        #expect(capStdError { _ = try root.read("abs") }?.isEscape == true)
        #expect(capStdError { try root.symlink(target: "f", at: "f") }?.errno == .fileExists)
        #expect(capStdError { try root.symlink(target: "f", at: "new/") }?.errno == .noSuchFileOrDirectory)
        #expect(capStdError { try root.symlink(target: "f", at: "d/") }?.errno == .fileExists)
        #expect(capStdError { try root.symlink(target: "", at: "empty") }?.errno == .noSuchFileOrDirectory)
        #expect(capStdError { try root.symlink(target: RawPath(bytes: [0x61, 0]), at: "nul") }?.code == .containsNUL)
        #expect(capStdError { try root.symlink(target: "f", at: "../x") }?.isEscape == true)
        try sandbox.expectOutsideUntouched()
    }

    @Test("hardLink links within and across Dirs, never following or escaping", arguments: bothResolvers)
    func hardLink(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f=hello", "d/", "other/", "link-f -> f", "out -> ../canary"])
        let root = sandbox.root
        let other = try root.openDir("other")
        try root.hardLink("f", to: "g", in: root)
        try root.hardLink("f", to: "copy", in: other)
        #expect(try root.metadata("f").linkCount == 3)
        #expect(try root.metadata("g").isSameFile(as: root.metadata("other/copy")))
        // A symlink is linked itself, not its target: an escaping link stays a (useless) link.
        try root.hardLink("out", to: "out2", in: root)
        #expect(try root.symlinkMetadata("out2").isSymlink)
        #expect(capStdError { _ = try root.read("out2") }?.isEscape == true)
        #expect(capStdError { try root.hardLink("d", to: "d2", in: root) }?.errno == .notPermitted)
        #expect(capStdError { try root.hardLink("d/", to: "d3", in: root) }?.errno == .notPermitted)
        #expect(capStdError { try root.hardLink("f/", to: "x", in: root) }?.errno == .notDirectory)
        #expect(capStdError { try root.hardLink("f", to: "g", in: root) }?.errno == .fileExists)
        #expect(capStdError { try root.hardLink("../canary", to: "stolen", in: root) }?.isEscape == true)
        #expect(capStdError { try root.hardLink("f", to: "../planted", in: other) }?.isEscape == true)
        #expect(capStdError { try other.hardLink("../f", to: "x", in: other) }?.isEscape == true)
        try sandbox.expectOutsideUntouched()
    }
}
