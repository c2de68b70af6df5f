// Generated resolution cases — a tree and hostile paths — decoded from numbers (property tests)
// or from raw bytes (the libFuzzer target), so both explore the same space.
import SystemPackage

/// A tree of directories, files and symlinks, and paths to resolve in it.
public struct GeneratedResolutionCase: Sendable, CustomStringConvertible {
    public let tree: ModelTree
    public let paths: [String]

    static let names = ["a", "b", "c", "d"]
    /// Symlink targets, relative to the link's directory: inside, up, far up, absolute, dangling,
    /// through other links, with `.`, `//` and trailing slashes.
    static let targets = [
        "a", "b/c", "..", "../..", "../../..", "../a", "/", "/etc", "./a", "a/", "a//b", "missing", "c/../a",
        "d/./b", "../../../outside/secret", "a/..", "b/", "../b/../a", "c/d/a/b",
    ]
    static let components = [
        "a", "b", "c", "d", ".", "..", "", "missing", String(repeating: "x", count: 255), String(repeating: "y", count: 256),
    ]

    /// Each tree choice picks a parent directory, a kind, a name and a target; each path is a list
    /// of component choices (the first also decides a leading `/`, the last a trailing one).
    public init(treeChoices: [Int], pathChoices: [[Int]]) {
        var tree = ModelTree()
        for choice in treeChoices.map(abs) {
            let directories = tree.directories
            let parent = directories[choice % directories.count]
            let name = Self.names[(choice / 7) % Self.names.count]
            switch (choice / 31) % 4 {
            case 0: tree.add(.directory, named: name, in: parent)
            case 1: tree.add(.file, named: name, in: parent)
            default: tree.add(.symlink(Self.targets[(choice / 127) % Self.targets.count]), named: name, in: parent)
            }
        }
        self.tree = tree
        paths = pathChoices.filter { !$0.isEmpty }.map { choices in
            let choices = choices.map(abs)
            let joined = choices.map { Self.components[$0 % Self.components.count] }.joined(separator: "/")
            return (choices[0] % 13 == 0 ? "/" : "") + joined + (choices[choices.count - 1] % 5 == 0 ? "/" : "")
        }
    }

    /// A case from fuzzer bytes: the first byte says how many tree entries follow (two bytes
    /// each); the rest are paths, each a length byte and that many component bytes.
    public init(fuzzInput bytes: [UInt8]) {
        var cursor = bytes.makeIterator()
        let entryCount = Int(cursor.next() ?? 0) % 16
        var treeChoices: [Int] = []
        for _ in 0..<entryCount {
            guard let high = cursor.next(), let low = cursor.next() else { break }
            treeChoices.append(Int(high) << 8 | Int(low))
        }
        var pathChoices: [[Int]] = []
        while let length = cursor.next(), pathChoices.count < 64 {
            var components: [Int] = []
            for _ in 0..<(Int(length) % 8 + 1) {
                guard let component = cursor.next() else { break }
                components.append(Int(component))
            }
            pathChoices.append(components)
        }
        self.init(treeChoices: treeChoices, pathChoices: pathChoices)
    }

    public var description: String { "tree [\(tree)], paths \(paths.map { "\"\($0)\"" })" }
}
