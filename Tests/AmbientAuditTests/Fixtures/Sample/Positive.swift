import Foundation
import Glibc
import SystemPackage

func positive(path: String, url: URL, data: Data) throws {
    try FileManager.default.removeItem(atPath: path)
    _ = FileHandle(forReadingAtPath: path)
    _ = try Data(contentsOf: url)
    _ = try String(contentsOfFile: path, encoding: .utf8)
    try data.write(to: url)
    try "text".write(toFile: path, atomically: true, encoding: .utf8)
    _ = InputStream(fileAtPath: path)
    _ = OutputStream(toFileAtPath: path, append: false)
    let fd = open(path, O_RDONLY)
    _ = Glibc.unlink(path)
    _ = fopen(path, "r")
    _ = mkdir(path, 0o755)
    _ = openat(fd, "x", O_RDONLY)
    _ = try FileDescriptor.open(FilePath(path), .readOnly)
    _ = legacyOpen(path)
    _ = AT_FDCWD
}
