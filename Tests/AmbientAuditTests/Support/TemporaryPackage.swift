// A temporary directory to build packages in, removed afterwards.
import CapStd
import Glibc
import SystemPackage

final class TemporaryPackage {
    let path: String
    let root: Dir
    private let parent: Dir

    init() throws {
        var template = Array("/tmp/capsule-audit-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw Errno(rawValue: errno) }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        parent = try Dir.openAmbient("/tmp", ambientAuthority())
        root = try Dir.openAmbient(FilePath(path), ambientAuthority())
    }

    deinit {
        root.close()
        try? parent.removeDirAll(RawPath(FilePath(path).lastComponent!.string))
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
