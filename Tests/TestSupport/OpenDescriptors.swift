// Which of this process's descriptors lead into a given tree: an exact leak check, unlike a raw
// descriptor count, which tests running in parallel move.
import CapStd

/// The targets of this process's open descriptors that lie beneath `path` (not `path` itself).
public func openDescriptors(beneath path: String) throws -> [String] {
    let descriptors = try Dir.openAmbient("/proc/self/fd", ambientAuthority())
    return try descriptors.entries().compactMap { entry in
        guard let target = try? descriptors.readLinkContents(entry.name) else { return nil }
        return target.description.hasPrefix(path + "/") ? target.description : nil
    }
}
