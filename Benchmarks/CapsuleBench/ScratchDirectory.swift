// Temporary directories for the benchmark's data sets, created and removed by path.
import CapStd
import Glibc
import SystemPackage

/// A fresh directory under /tmp, removed with everything in it by `remove()`.
struct ScratchDirectory {
    let path: String
    let dir: Dir

    init(_ name: String) throws {
        var template = Array("/tmp/capsule-bench-\(name)-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw Errno(rawValue: errno) }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        dir = try Dir.openAmbient(FilePath(path), ambientAuthority())
    }

    func remove() {
        for entry in (try? dir.entries()) ?? [] {
            try? dir.removeDirAll(entry.name)
            try? dir.removeFile(entry.name)
        }
        dir.close()
        _ = rmdir(path)
    }
}

/// The package's root directory, found from this file's place in the checkout.
let packageRoot = FilePath(#filePath).removingLastComponent().removingLastComponent().removingLastComponent()

/// The bytes of a file in this checkout, such as a guest module.
func checkoutFile(_ relativePath: String) throws -> [UInt8] {
    try Dir.openAmbient(packageRoot, ambientAuthority()).read(RawPath(relativePath))
}
