// Finding the Swift sources of a package beneath its root Dir.
import CapStd

enum SourceTree {
    /// Every `.swift` file beneath `root`, relative and sorted, skipping hidden directories,
    /// excluded paths and symlinks (a link may lead out of the package; its target, if inside,
    /// is scanned under its own name): its exact path, and its name as reports show it
    /// (``RawPath/description``: escaped, so a file's name cannot break a report's lines).
    static func swiftFiles(in root: Dir, configuration: AuditConfiguration) throws(AuditError) -> [(path: RawPath, file: String)] {
        var files: [(path: RawPath, file: String)] = []
        var pending: [[UInt8]] = [[]]
        let separator = UInt8(ascii: "/")
        while let directory = pending.popLast() {
            let entries: [DirEntry]
            do { entries = try root.entries(directory.isEmpty ? "." : RawPath(bytes: directory)) } catch {
                throw .unreadable("\(error)")
            }
            for entry in entries {
                let name = entry.name.bytes
                if name.first == UInt8(ascii: ".") { continue }
                let path = directory.isEmpty ? name : directory + [separator] + name
                // Configured paths are text: a name that is not UTF-8 matches none of them.
                if configuration.isExcluded(String(decoding: path, as: UTF8.self)) { continue }
                if entry.type == .directory {
                    pending.append(path)
                } else if entry.type == .regular && name.count > 6 && name.suffix(6).elementsEqual(".swift".utf8) {
                    let file = RawPath(bytes: path)
                    files.append((file, file.description))
                }
            }
        }
        return files.sorted { $0.file < $1.file }
    }
}
