// A temporary directory to build packages in, removed afterwards.
import CapStd
import SystemPackage
import TestSupport

final class TemporaryPackage {
    private let tree: TemporaryTree
    var path: String { tree.path }
    var root: Dir { tree.dir }

    init() throws {
        tree = try TemporaryTree(prefix: "capsule-audit")
    }

    /// Copies the directory `name` of `source` (recursively, files and directories only) here.
    func copyTree(from source: Dir, _ name: String) throws {
        try root.createDirAll(RawPath(name))
        for entry in try source.entries(RawPath(name)) {
            let path = name + "/" + entry.name.description
            if entry.type == .directory {
                try copyTree(from: source, path)
            } else if entry.type == .regular {
                try source.copy(RawPath(path), to: RawPath(path), in: root)
            }
        }
    }
}
