// A reference model of path resolution beneath a root, written from the openat2(2)
// RESOLVE_BENEATH rules, independent of both resolvers it checks.
import SystemPackage

/// An in-memory tree: directories, files and symlinks, each a node with an index.
public struct ModelTree: CustomStringConvertible, Sendable {
    public enum Node: Sendable {
        case directory(children: [String: Int], parent: Int)
        case file(parent: Int)
        case symlink(target: String, parent: Int)

        public var parent: Int {
            switch self {
            case .directory(_, let parent), .file(let parent), .symlink(_, let parent): parent
            }
        }
    }

    /// Node 0 is the root; its parent is itself.
    public private(set) var nodes: [Node] = [.directory(children: [:], parent: 0)]
    /// Each node's path from the root, as the entries were added.
    public private(set) var paths: [String] = ["."]
    /// The entries in the tree DSL the tests' Sandbox understands (`"d/"`, `"f"`, `"l -> t"`).
    public private(set) var entries: [String] = []

    public enum Kind: Sendable { case directory, file, symlink(String) }

    public init() {}

    /// Adds `name` under the directory node `parent`.
    public mutating func add(_ kind: Kind, named name: String, in parent: Int) {
        guard case .directory(var children, let grandparent) = nodes[parent], children[name] == nil else { return }
        let index = nodes.count
        children[name] = index
        nodes[parent] = .directory(children: children, parent: grandparent)
        let path = parent == 0 ? name : paths[parent] + "/" + name
        paths.append(path)
        switch kind {
        case .directory:
            nodes.append(.directory(children: [:], parent: parent))
            entries.append(path + "/")
        case .file:
            nodes.append(.file(parent: parent))
            entries.append(path)
        case .symlink(let target):
            nodes.append(.symlink(target: target, parent: parent))
            entries.append(path + " -> " + target)
        }
    }

    public var directories: [Int] {
        nodes.indices.filter { if case .directory = nodes[$0] { return true } else { return false } }
    }

    public var description: String { entries.joined(separator: ", ") }

    /// Where `path` leads beneath the root: a node, or the errno Linux gives.
    ///
    /// `followFinal` follows a symlink in the last component (`stat` rather than `lstat`); a
    /// trailing slash always follows it and requires a directory.
    public func resolve(_ path: String, followFinal: Bool) -> Result<Int, Errno> {
        let bytes = Array(path.utf8)
        if bytes.isEmpty { return .failure(.noSuchFileOrDirectory) }
        if bytes.count >= 4096 { return .failure(.fileNameTooLong) }
        var expansions = 0
        return walk(path, from: 0, followFinal: followFinal, expansions: &expansions)
    }

    private func walk(_ path: String, from start: Int, followFinal: Bool, expansions: inout Int) -> Result<Int, Errno> {
        if path.hasPrefix("/") { return .failure(.improperLink) }
        let components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let trailingSlash = path.hasSuffix("/")
        var current = start
        for (position, component) in components.enumerated() {
            let isLast = position == components.count - 1
            guard case .directory(let children, let parent) = nodes[current] else { return .failure(.notDirectory) }
            if component == "." { continue }
            if component == ".." {
                if current == 0 { return .failure(.improperLink) }
                current = parent
                continue
            }
            // The file system's lookup refuses the name, after the parent was found to be a directory.
            if component.utf8.count > 255 { return .failure(.fileNameTooLong) }
            guard let child = children[component] else { return .failure(.noSuchFileOrDirectory) }
            if case .symlink(let target, _) = nodes[child], !isLast || followFinal || trailingSlash {
                expansions += 1
                if expansions > 40 { return .failure(.tooManySymbolicLinkLevels) }
                if target.isEmpty { return .failure(.noSuchFileOrDirectory) }
                switch walk(target, from: current, followFinal: true, expansions: &expansions) {
                case .failure(let error): return .failure(error)
                case .success(let resolved): current = resolved
                }
            } else {
                current = child
            }
        }
        if trailingSlash, case .directory = nodes[current] {} else if trailingSlash {
            return .failure(.notDirectory)
        }
        return .success(current)
    }
}
