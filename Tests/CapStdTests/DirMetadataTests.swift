// Metadata, readLink, permissions, times and listings through a Dir.
import CapStd
import SystemPackage
import Testing

@Suite("Dir.metadata and friends")
struct DirMetadataTests {
    @Test("metadata follows a final symlink; symlinkMetadata describes the link", arguments: bothResolvers)
    func metadata(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f=hello", "d/", "link-f -> f", "link-d -> d"])
        let root = sandbox.root
        let file = try root.metadata("f")
        #expect(file.isFile)
        #expect(file.size == 5)
        #expect(file.linkCount == 1)
        #expect(try root.metadata("link-f").isSameFile(as: file))
        #expect(try root.symlinkMetadata("link-f").isSymlink)
        #expect(try root.symlinkMetadata("link-f").size == 1)
        #expect(try root.metadata("link-d").isDirectory)
        #expect(try root.symlinkMetadata("link-d/").isDirectory)
        #expect(try root.metadata().isSameFile(as: sandbox.top.metadata("root")))
    }

    @Test("readLink returns the stored target and refuses non-links", arguments: bothResolvers)
    func readLink(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f", "d/", "link -> f", "d/out -> ../../canary", "link-d -> d"])
        let root = sandbox.root
        #expect(try root.readLink("link") == "f")
        #expect(try root.readLink("d/out") == "../../canary")
        #expect(capStdError { _ = try root.readLink("f") }?.errno == .invalidArgument)
        #expect(capStdError { _ = try root.readLink(".") }?.errno == .invalidArgument)
        #expect(capStdError { _ = try root.readLink("link-d/") }?.errno == .invalidArgument)
        #expect(capStdError { _ = try root.readLink("link/") }?.errno == .notDirectory)
        #expect(capStdError { _ = try root.readLink("nope") }?.errno == .noSuchFileOrDirectory)
        #expect(capStdError { _ = try root.readLink("../root/link") }?.isEscape == true)
        try sandbox.expectOutsideUntouched()
    }

    @Test("readLink refuses an absolute target as an escape; readLinkContents returns its text", arguments: bothResolvers)
    func readLinkAbsolute(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["d/"])
        let root = sandbox.root
        try root.symlink(target: "/srv/tenant-b/secret", at: "d/abs", allowingAbsoluteTarget: true)
        let refused = capStdError { _ = try root.readLink("d/abs") }
        #expect(refused?.isEscape == true)
        #expect(refused?.description == #"readLink "d/abs": escapes the directory (EXDEV)"#)
        #expect(try root.readLinkContents("d/abs") == "/srv/tenant-b/secret")
        // `abs/` names what the link leads to, which is outside.
        #expect(capStdError { _ = try root.readLinkContents("d/abs/") }?.isEscape == true)
        #expect(capStdError { _ = try root.readLinkContents("d") }?.errno == .invalidArgument)
        #expect(capStdError { _ = try root.readLinkContents("../x") }?.isEscape == true)
        try sandbox.expectOutsideUntouched()
    }

    @Test("setPermissions follows symlinks beneath the Dir only", arguments: bothResolvers)
    func setPermissions(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f", "link-f -> f", "out -> ../canary"])
        let root = sandbox.root
        try root.setPermissions("f", .ownerRead)
        #expect(try root.metadata("f").permissions == .ownerRead)
        try root.setPermissions("link-f", [.ownerReadWrite, .groupRead])
        #expect(try root.metadata("f").permissions == [.ownerReadWrite, .groupRead])
        let canaryBefore = try sandbox.top.metadata("canary").permissions
        #expect(capStdError { try root.setPermissions("out", .otherReadWriteExecute) }?.isEscape == true)
        #expect(try sandbox.top.metadata("canary").permissions == canaryBefore)
        try sandbox.expectOutsideUntouched()
    }

    @Test("setTimes with and without following the final symlink", arguments: bothResolvers)
    func setTimes(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f", "link-f -> f", "out -> ../canary"])
        let root = sandbox.root
        let t1 = FileTimestamp(seconds: 1_000_000, nanoseconds: 5)
        let t2 = FileTimestamp(seconds: 2_000_000)
        try root.setTimes("link-f", accessed: .at(t1), modified: .at(t2))
        #expect(try root.metadata("f").accessed == t1)
        #expect(try root.metadata("f").modified == t2)
        #expect(try root.symlinkMetadata("link-f").modified != t2)
        let t3 = FileTimestamp(seconds: 3_000_000)
        try root.setTimes("link-f", accessed: .unchanged, modified: .at(t3), followSymlinks: false)
        #expect(try root.symlinkMetadata("link-f").modified == t3)
        #expect(try root.metadata("f").modified == t2)
        try root.setTimes("f", accessed: .unchanged, modified: .now)
        #expect(try root.metadata("f").modified > t3)
        #expect(try root.metadata("f").accessed == t1)
        // An escaping link can have its own times set (it is inside); its target cannot.
        #expect(capStdError { try root.setTimes("out", accessed: .now, modified: .now) }?.isEscape == true)
        try root.setTimes("out", accessed: .at(t1), modified: .at(t1), followSymlinks: false)
        try sandbox.expectOutsideUntouched()
    }

    @Test("entries lists names, types and inodes, without . and ..", arguments: bothResolvers)
    func entries(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f", "d/", "d/inner", "link -> d"])
        let root = sandbox.root
        let listed = try root.entries().sorted { $0.name.description < $1.name.description }
        #expect(listed.map(\.name) == ["d", "f", "link"])
        #expect(listed.map(\.type) == [.directory, .regular, .symbolicLink])
        #expect(listed[1].inode == (try root.metadata("f").inode))
        #expect(try root.entries("link").map(\.name) == ["inner"])
        #expect(capStdError { _ = try root.entries("f") }?.errno == .notDirectory)
        #expect(capStdError { _ = try root.entries("..") }?.isEscape == true)
        // Many entries: more than one getdents64 buffer.
        try root.createDir("many")
        for index in 0..<1500 { try root.write(RawPath("many/entry-with-a-long-name-\(index)"), contents: "") }
        #expect(try root.entries("many").count == 1500)
        try sandbox.expectOutsideUntouched()
    }

    @Test("copy duplicates contents and permissions between Dirs", arguments: bothResolvers)
    func copy(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["src/", "dst/", "src/f=payload", "src/out -> ../../canary"])
        let source = try sandbox.root.openDir("src")
        let destination = try sandbox.root.openDir("dst")
        try source.setPermissions("f", [.ownerReadWrite, .groupRead])
        let big = [UInt8]((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try source.write("big", contents: big)
        #expect(try source.copy("f", to: "f", in: destination) == 7)
        #expect(try source.copy("big", to: "big", in: destination) == 300_000)
        #expect(try destination.readString("f") == "payload")
        #expect(try destination.read("big") == big)
        #expect(try destination.metadata("f").permissions == [.ownerReadWrite, .groupRead])
        #expect(capStdError { try source.copy("out", to: "stolen", in: destination) }?.isEscape == true)
        #expect(capStdError { try source.copy("f", to: "../../planted", in: destination) }?.isEscape == true)
        #expect(capStdError { try sandbox.root.copy("src", to: "x", in: destination) }?.errno == .isDirectory)
        try sandbox.expectOutsideUntouched()
    }
}
