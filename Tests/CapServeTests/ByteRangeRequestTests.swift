// Range headers resolved against the size of the file actually opened.
import CapServe
import Testing

@Suite("ByteRangeRequest")
struct ByteRangeRequestTests {
    @Test(
        "ranges against a 100-byte file",
        arguments: [
            (nil, ByteRangeRequest.whole), ("bytes=0-9", .partial(0...9)), ("bytes=90-", .partial(90...99)),
            ("bytes=90-1000", .partial(90...99)), ("bytes=-10", .partial(90...99)), ("bytes=-1000", .partial(0...99)),
            ("bytes=100-", .unsatisfiable), ("bytes=100-200", .unsatisfiable), ("bytes=-0", .unsatisfiable),
            ("bytes=99999999999999999999-", .unsatisfiable), ("bytes=9-0", .whole), ("bytes=a-b", .whole),
            ("bytes=0-1,5-6", .whole), ("items=0-9", .whole), ("bytes=", .whole), ("bytes=-", .whole), ("BYTES=0-0", .partial(0...0)),
            (" bytes=1-2 ", .partial(1...2)),
        ] as [(String?, ByteRangeRequest)])
    func resolves(_ header: String?, _ expected: ByteRangeRequest) {
        #expect(ByteRangeRequest(header: header, size: 100) == expected)
    }

    @Test("an empty file satisfies no range")
    func emptyFile() {
        #expect(ByteRangeRequest(header: "bytes=0-", size: 0) == .unsatisfiable)
        #expect(ByteRangeRequest(header: "bytes=-5", size: 0) == .unsatisfiable)
        #expect(ByteRangeRequest(header: nil, size: 0) == .whole)
    }
}
