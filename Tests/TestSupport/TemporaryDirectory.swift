// A fresh directory under /tmp for one test's tree.
import Glibc
import SystemPackage

/// Creates `/tmp/<prefix>-XXXXXX` (mkdtemp) and returns its path; the caller removes it.
public func makeTemporaryDirectory(prefix: String) throws -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { throw Errno(rawValue: errno) }
    return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
