// Finding the Swift sources of a package beneath its root Dir.
import CapStd

enum SourceTree {
    /// Every `.swift` file beneath `root`, relative and sorted, skipping hidden directories,
    /// excluded paths and symlinks (a link may lead out of the package; its target, if inside,
    /// is scanned under its own name).
    static func swiftFiles(in root: Dir, configuration: AuditConfiguration) throws(AuditError) -> [String] {
        var files: [String] = []
        var pending: [String] = [""]
        while let directory = pending.popLast() {
            let entries: [DirEntry]
            do { entries = try root.entries(directory.isEmpty ? "." : RawPath(directory)) } catch {
                throw .unreadable("\(error)")
            }
            for entry in entries {
                let name = entry.name.description
                if name.hasPrefix(".") { continue }
                let path = directory.isEmpty ? name : directory + "/" + name
                if configuration.isExcluded(path) { continue }
                if entry.type == .directory {
                    pending.append(path)
                } else if entry.type == .regular && name.hasSuffix(".swift") {
                    files.append(path)
                }
            }
        }
        return files.sorted()
    }
}
