// A byte-for-byte picture of a directory tree, for asserting that an operation changed nothing.
import CapStd

/// Names, types, sizes, permissions, modification times, file contents and symlink targets of
/// every entry beneath a `Dir`. Access times are left out: taking the snapshot reads the files.
public struct TreeSnapshot: Equatable, Sendable {
    public private(set) var entries: [String: String] = [:]

    public init(_ dir: Dir, prefix: String = "") throws {
        for entry in try dir.entries(prefix.isEmpty ? "." : RawPath(prefix)) {
            let path = prefix.isEmpty ? entry.name.description : prefix + "/" + entry.name.description
            let metadata = try dir.symlinkMetadata(RawPath(path))
            var summary = "\(metadata.type.rawValue) \(metadata.size) \(metadata.permissions.rawValue) \(metadata.modified)"
            if metadata.isFile { summary += " " + (try dir.readString(RawPath(path))) }
            if metadata.isSymlink { summary += " -> " + (try dir.readLinkContents(RawPath(path))).description }
            entries[path] = summary
            if metadata.isDirectory {
                entries.merge(try TreeSnapshot(dir, prefix: path).entries) { first, _ in first }
            }
        }
    }
}
