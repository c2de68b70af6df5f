// A read-only view refuses every mutation with EACCES, before any system call, and stays read-only.
import CapStd
import SystemPackage
import Testing
import TestSupport

@Suite("Dir.readOnly")
struct ReadOnlyTests {
    static let tree = ["f=original", "d/", "d/g=inner", "link -> f", "empty/"]

    /// Every mutation a Dir offers, each run against a read-only view.
    static let mutations: [(String, @Sendable (Dir, Dir) throws -> Void)] = [
        ("open for write", { ro, _ in _ = try ro.open("f", options: OpenOptions(write: true)) }),
        ("open for append", { ro, _ in _ = try ro.open("f", options: OpenOptions(append: true)) }),
        ("open truncating", { ro, _ in _ = try ro.open("f", options: OpenOptions(write: true, truncate: true)) }),
        ("open creating", { ro, _ in _ = try ro.open("new", options: OpenOptions(write: true, create: true)) }),
        ("create", { ro, _ in _ = try ro.create("new") }),
        ("write", { ro, _ in try ro.write("f", contents: "changed") }),
        ("createDir", { ro, _ in try ro.createDir("newdir") }),
        ("createDirAll", { ro, _ in try ro.createDirAll("a/b") }),
        ("removeFile", { ro, _ in try ro.removeFile("f") }),
        ("removeDir", { ro, _ in try ro.removeDir("empty") }),
        ("removeDirAll", { ro, _ in try ro.removeDirAll("d") }),
        ("rename", { ro, _ in try ro.rename("f", to: "g") }),
        ("rename into", { ro, rw in try rw.rename("d/g", to: "moved", in: ro) }),
        ("rename out of", { ro, rw in try ro.rename("f", to: "moved", in: rw) }),
        ("symlink", { ro, _ in try ro.symlink(target: "f", at: "l2") }),
        ("hardLink", { ro, _ in try ro.hardLink("f", to: "h", in: ro) }),
        ("hardLink out of", { ro, rw in try ro.hardLink("f", to: "h", in: rw) }),
        ("hardLink into", { ro, rw in try rw.hardLink("f", to: "h", in: ro) }),
        ("copy into", { ro, rw in try rw.copy("f", to: "copy", in: ro) }),
        ("setPermissions", { ro, _ in try ro.setPermissions("f", .ownerRead) }),
        ("setTimes", { ro, _ in try ro.setTimes("f", accessed: .now, modified: .now) }),
        ("setTimes on link", { ro, _ in try ro.setTimes("link", accessed: .now, modified: .now, followSymlinks: false) }),
        ("sub-Dir write", { ro, _ in try ro.openDir("d").write("g", contents: "changed") }),
        ("clone write", { ro, _ in try ro.tryClone().write("f", contents: "changed") }),
        ("file setLength", { ro, _ in try ro.open("f").setLength(0) }),
        ("file setTimes", { ro, _ in try ro.open("f").setTimes(accessed: .now, modified: .now) }),
        ("file setPermissions", { ro, _ in try ro.open("f").setPermissions(.ownerRead) }),
    ]

    @Test("every mutation fails with EACCES and the tree is byte-for-byte unchanged", arguments: bothResolvers)
    func everyMutationRefused(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: Self.tree)
        let readWrite = sandbox.root
        let readOnly = try readWrite.readOnly()
        #expect(readOnly.access == .readOnly)
        #expect(readOnly.resolver == resolver)
        let before = try TreeSnapshot(readWrite)
        for (name, mutation) in Self.mutations {
            let error = capStdError { try mutation(readOnly, readWrite) }
            #expect(error?.code == .readOnly, "\(name): \(String(describing: error))")
            #expect(error?.errno == .permissionDenied, "\(name)")
        }
        #expect(try TreeSnapshot(readWrite) == before)
        try sandbox.expectOutsideUntouched()
    }

    @Test("reading through a read-only view works, and its description is clear")
    func readsStillWork() throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: Self.tree)
        let readOnly = try sandbox.root.readOnly()
        #expect(try readOnly.readString("link") == "original")
        #expect(try readOnly.openDir("d").readString("g") == "inner")
        #expect(try readOnly.openDir("d").access == .readOnly)
        #expect(try readOnly.entries().count == 4)
        let error = capStdError { try readOnly.write("config.toml", contents: "x") }
        #expect(error?.description == #"write "config.toml": the directory is read-only (EACCES)"#)
        // The original keeps its own access.
        try sandbox.root.write("f", contents: "changed")
        #expect(try readOnly.readString("f") == "changed")
    }
}
