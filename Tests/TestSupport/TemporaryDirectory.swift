// A fresh directory under /tmp for one test's tree, removed with everything in it afterwards.
import CapStd
import Glibc
import SystemPackage

/// Creates `/tmp/<prefix>-XXXXXX` (mkdtemp) and returns its path; the caller removes it, or
/// uses ``TemporaryTree``, which does.
public func makeTemporaryDirectory(prefix: String) throws -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { throw Errno(rawValue: errno) }
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A fresh directory `/tmp/<prefix>-XXXXXX`, opened as a `Dir`, removed with everything in it
/// when the tree is released: the one way tests and probes make a tree of their own.
public final class TemporaryTree: @unchecked Sendable {
    /// The directory's absolute path.
    public let path: String
    /// The directory, with the resolver it was asked for.
    public let dir: Dir

    public init(prefix: String, resolver: Resolver = .automatic) throws {
        path = try makeTemporaryDirectory(prefix: prefix)
        do {
            dir = try Dir.openAmbient(FilePath(path), ambientAuthority(), resolver: resolver)
        } catch {
            _ = rmdir(path)
            throw error
        }
    }

    deinit {
        // Beneath the directory through the Dir (a symlink in the tree is removed, not followed),
        // then the directory itself.
        for entry in (try? dir.entries()) ?? [] {
            if entry.type == .directory { try? dir.removeDirAll(entry.name) } else { try? dir.removeFile(entry.name) }
        }
        dir.close()
        _ = rmdir(path)
    }
}
