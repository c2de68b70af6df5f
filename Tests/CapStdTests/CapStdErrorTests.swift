// CapStdError: matchable codes and exact, readable descriptions.
import CapStd
import SystemPackage
import Testing

@Suite("CapStdError")
struct CapStdErrorTests {
    @Test("the description names the operation, the path, the reason and the errno")
    func descriptions() {
        #expect(CapStdError("open", "config/../../etc/passwd", .improperLink).description
            == #"open "config/../../etc/passwd": escapes the directory (EXDEV)"#)
        #expect(CapStdError("createDir", "a", .fileExists).description == #"createDir "a": already exists (EEXIST)"#)
        #expect(CapStdError("rename", "a", .improperLink, code: .crossesFileSystems).description
            == #"rename "a": source and destination are on different file systems (EXDEV)"#)
        #expect(CapStdError("open", RawPath(bytes: [0x61, 0xFF]), .noSuchFileOrDirectory).description
            == #"open "a\xFF": no such file or directory (ENOENT)"#)
        #expect(CapStdError("open", "x", Errno(rawValue: 4095)).description.hasSuffix("(errno 4095)"))
    }

    @Test("isEscape is true exactly for escapes")
    func isEscape() {
        #expect(CapStdError("open", "..", .improperLink).isEscape)
        #expect(!CapStdError("rename", "a", .improperLink, code: .crossesFileSystems).isEscape)
        #expect(!CapStdError("open", "a", .noSuchFileOrDirectory).isEscape)
        #expect(!CapStdError("write", "a", .permissionDenied, code: .readOnly).isEscape)
    }
}
