// A fresh temporary tree for one test: `root/` is what the Dir under test sees; canaries lie beside it.
import CapStd
import Glibc
import SystemPackage
import TestSupport
import Testing

/// The resolvers every behaviour test runs against.
let bothResolvers: [Resolver] = [.kernel, .userspace]

/// A temporary directory laid out as
///
///     <tmp>/canary            "CANARY" — must never be read or changed through root
///     <tmp>/outside/secret    "SECRET" — likewise
///     <tmp>/outside/dir/      an outside directory for symlinks to point at
///     <tmp>/root/...          the tree under test, built from a small DSL
///
/// and removed when the sandbox is released.
final class Sandbox {
    private let tree: TemporaryTree
    /// Absolute path of the temporary directory.
    var path: String { tree.path }
    /// The temporary directory itself (test-only ambient access).
    var top: Dir { tree.dir }
    /// The directory under test, opened with the resolver being tested.
    let root: Dir

    static let canaryAccessTime = FileTimestamp(seconds: 1_000)
    static let canaryModifyTime = FileTimestamp(seconds: 2_000)

    /// Builds `root` from `tree`: `"d/"` is a directory, `"f"` a file holding its own name,
    /// `"f=text"` a file holding `text`, `"l -> target"` a symlink; `$OUT` in a target is the
    /// absolute path of `<tmp>/outside`.
    init(resolver: Resolver, tree: [String] = []) throws {
        let temporary = try TemporaryTree(prefix: "capsule-test", resolver: resolver)
        self.tree = temporary
        let top = temporary.dir
        try top.createDir("root")
        try top.createDir("outside")
        try top.createDir("outside/dir")
        try top.write("canary", contents: "CANARY")
        try top.write("outside/secret", contents: "SECRET")
        for canary in ["canary", "outside/secret"] {
            try top.setTimes(
                RawPath(canary), accessed: .at(Self.canaryAccessTime), modified: .at(Self.canaryModifyTime))
        }
        root = try top.openDir("root")
        for entry in tree { try add(entry) }
    }

    deinit {
        root.close()
    }

    /// Another `Dir` on `root`, with its own descriptor and the given resolver.
    func openRoot(resolver: Resolver) throws -> Dir {
        try Dir.openAmbient(FilePath(path + "/root"), ambientAuthority(), resolver: resolver)
    }

    private func add(_ entry: String) throws {
        let parts = entry.split(separator: " -> ", maxSplits: 1)
        if parts.count == 2 {
            let name = String(parts[0])
            let target = String(parts[1]).replacingOccurrences(of: "$OUT", with: path + "/outside")
            try root.symlink(target: RawPath(target), at: RawPath(name), allowingAbsoluteTarget: true)
        } else if entry.hasSuffix("/") {
            try root.createDirAll(RawPath(entry))
        } else if let equals = entry.firstIndex(of: "=") {
            try root.write(RawPath(String(entry[..<equals])), contents: String(entry[entry.index(after: equals)...]))
        } else {
            try root.write(RawPath(entry), contents: entry)
        }
    }

    /// Asserts that nothing outside `root` was read, changed, created or removed.
    func expectOutsideUntouched(sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (name, contents) in [("canary", "CANARY"), ("outside/secret", "SECRET")] {
            let before = try top.metadata(RawPath(name))
            #expect(before.accessed == Self.canaryAccessTime, "\(name) was read", sourceLocation: sourceLocation)
            #expect(before.modified == Self.canaryModifyTime, "\(name) was modified", sourceLocation: sourceLocation)
            #expect(try top.readString(RawPath(name)) == contents, sourceLocation: sourceLocation)
            // Reading it here updated its access time; put it back for the next check.
            try top.setTimes(RawPath(name), accessed: .at(Self.canaryAccessTime), modified: .at(Self.canaryModifyTime))
        }
        let outsideNames = try top.entries("outside").map(\.name.description).sorted()
        #expect(outsideNames == ["dir", "secret"], "something was created outside", sourceLocation: sourceLocation)
        #expect(try top.entries("outside/dir").isEmpty, "something was created outside", sourceLocation: sourceLocation)
        let topNames = try top.entries(".").map(\.name.description).sorted()
        #expect(topNames == ["canary", "outside", "root"], "something was created outside", sourceLocation: sourceLocation)
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// Runs `body` and returns the `CapStdError` it throws, or nil if it succeeds.
func capStdError(_ body: () throws -> Void) -> CapStdError? {
    do {
        try body()
        return nil
    } catch let error as CapStdError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}
