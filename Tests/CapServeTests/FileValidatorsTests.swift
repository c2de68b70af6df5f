// ETag, Last-Modified and conditional requests for an opened file.
@testable import CapServe
import CapStd
import Glibc
import SystemPackage
import Testing
import TestSupport

@Suite("FileValidators")
struct FileValidatorsTests {
    /// The metadata of a real file in a fresh temporary directory, `mtime` set.
    static func metadata(contents: String, mtime seconds: Int64) throws -> Metadata {
        let path = try makeTemporaryDirectory(prefix: "capserve-test")
        let dir = try Dir.openAmbient(FilePath(path), ambientAuthority())
        defer {
            try? dir.removeFile("f.txt")
            dir.close()
            _ = rmdir(path)
        }
        try dir.write("f.txt", contents: contents)
        try dir.setTimes("f.txt", accessed: .at(FileTimestamp(seconds: seconds)), modified: .at(FileTimestamp(seconds: seconds, nanoseconds: 5)))
        return try dir.metadata("f.txt")
    }

    @Test("Last-Modified is an IMF-fixdate, and it parses back")
    func dates() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(HTTPDate.parse("Sun, 6 Nov 1994 08:49:37 GMT") == nil)
        #expect(HTTPDate.parse("garbage") == nil)
    }

    @Test("If-None-Match decides by weak comparison; If-Modified-Since only without it")
    func conditionals() throws {
        let validators = FileValidators(try Self.metadata(contents: "hello", mtime: 784_111_777))
        let tag = validators.entityTag
        #expect(tag.hasPrefix("\"") && tag.hasSuffix("\""))
        #expect(validators.lastModifiedHeader == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(validators.isNotModified(ifNoneMatch: [tag], ifModifiedSince: nil))
        #expect(validators.isNotModified(ifNoneMatch: ["\"other\", W/\(tag)"], ifModifiedSince: nil))
        #expect(validators.isNotModified(ifNoneMatch: ["*"], ifModifiedSince: nil))
        #expect(!validators.isNotModified(ifNoneMatch: ["\"other\""], ifModifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(validators.isNotModified(ifNoneMatch: [], ifModifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(!validators.isNotModified(ifNoneMatch: [], ifModifiedSince: "Sun, 06 Nov 1994 08:49:36 GMT"))
        #expect(!validators.isNotModified(ifNoneMatch: [], ifModifiedSince: "yesterday"))
    }

    @Test("If-Range keeps a range only for this very file")
    func ifRange() throws {
        let validators = FileValidators(try Self.metadata(contents: "hello", mtime: 784_111_777))
        #expect(validators.rangeApplies(ifRange: nil))
        #expect(validators.rangeApplies(ifRange: validators.entityTag))
        #expect(!validators.rangeApplies(ifRange: "W/" + validators.entityTag))
        #expect(validators.rangeApplies(ifRange: "Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(!validators.rangeApplies(ifRange: "Sun, 06 Nov 1994 08:49:38 GMT"))
    }

    @Test("the tag changes when the file is rewritten or replaced")
    func tagsChange() throws {
        let first = FileValidators(try Self.metadata(contents: "hello", mtime: 1_000))
        let longer = FileValidators(try Self.metadata(contents: "hello!", mtime: 1_000))
        let later = FileValidators(try Self.metadata(contents: "hello", mtime: 2_000))
        #expect(Set([first.entityTag, longer.entityTag, later.entityTag]).count == 3)
    }

    @Test("the tag is the size and the nanosecond mtime, and names no inode")
    func tagDisclosesNoInode() throws {
        let metadata = try Self.metadata(contents: "hello", mtime: 1_000)
        let validators = FileValidators(metadata)
        let nanoseconds = 1_000 * 1_000_000_000 + metadata.modified.nanoseconds
        #expect(validators.entityTag == "\"5-\(String(nanoseconds, radix: 16))\"")
        #expect(!validators.entityTag.contains(String(metadata.inode, radix: 16) + "-"))
    }

    @Test("content types come from the last name's extension")
    func contentTypes() throws {
        #expect(MediaTypes.contentType(for: try ServedPath(encoded: "/a/index.HTML")) == "text/html; charset=utf-8")
        #expect(MediaTypes.contentType(for: try ServedPath(encoded: "/app.wasm")) == "application/wasm")
        #expect(MediaTypes.contentType(for: try ServedPath(encoded: "/a.html/README")) == MediaTypes.fallback)
        #expect(MediaTypes.contentType(for: try ServedPath(encoded: "/.profile")) == MediaTypes.fallback)
    }
}
