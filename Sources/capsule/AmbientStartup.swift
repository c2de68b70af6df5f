// The single place in the `capsule` executable that uses the process's ambient authority.
import CapStd
import Logging
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Opens what the user named on the command line, and the demo's scratch directory. Everything
/// the executable does afterwards goes through the `Dir` values returned here; every ambient
/// open is logged with its path.
enum AmbientStartup {
    static let logger = Logger(label: "capsule.ambient")

    /// Opens a directory the user named, relative to the working directory or absolute.
    static func openDirectory(_ path: String) throws(CapStdError) -> Dir {
        logger.info("ambient open", metadata: ["path": "\(path)"])
        return try Dir.openAmbient(FilePath(path), ambientAuthority())
    }

    /// Reads a file the user named (a module to run).
    static func readFile(_ path: String) throws(CapStdError) -> [UInt8] {
        let file = FilePath(path)
        let directory = file.removingLastComponent()
        let parent = try openDirectory(directory.isEmpty ? "." : directory.string)
        return try parent.read(RawPath(file.lastComponent.map { $0.string } ?? path))
    }

    /// Opens a file the user named for appending, creating it if it is missing (a log).
    static func appendFile(_ path: String) throws(CapStdError) -> File {
        let file = FilePath(path)
        let directory = file.removingLastComponent()
        let parent = try openDirectory(directory.isEmpty ? "." : directory.string)
        return try parent.open(RawPath(file.lastComponent.map { $0.string } ?? path), options: OpenOptions(write: true, append: true, create: true))
    }

    /// Creates a fresh private directory under /tmp; returns its path and a `Dir` on it.
    static func makeTemporaryDirectory(prefix: String) throws(CapStdError) -> (path: String, dir: Dir) {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else {
            throw CapStdError("mkdtemp", RawPath("/tmp/\(prefix)-XXXXXX"), Errno(rawValue: errno))
        }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (path, try openDirectory(path))
    }

    /// Removes a directory made by ``makeTemporaryDirectory(prefix:)``.
    static func removeTemporaryDirectory(_ path: String) {
        let file = FilePath(path)
        guard let name = file.lastComponent, let parent = try? openDirectory(file.removingLastComponent().string) else { return }
        try? parent.removeDirAll(RawPath(name.string))
    }
}
