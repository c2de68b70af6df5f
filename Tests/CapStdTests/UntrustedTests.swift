// Escaping text from guests and clients: nothing that controls a line or a terminal gets through, and nothing else changes.
import CapStd
import TestSupport
import Testing

@Suite("Untrusted.printable")
struct UntrustedTests {
    @Test(
        "control bytes, quotes, backslashes, format characters and invalid UTF-8 are shown, not written",
        arguments: [
            ([0x0D, 0x0A], #"\r\n"#),
            ([0x00], #"\0"#),
            ([0x09], #"\t"#),
            ([0x1B] + Array("[31mred".utf8), #"\x1B[31mred"#),
            ([0x07, 0x08, 0x7F], #"\x07\x08\x7F"#),
            (Array(#"a"b\c"#.utf8), #"a\"b\\c"#),
            (Array("\u{85}".utf8), #"\u{85}"#),
            (Array("abc\u{202E}fed".utf8), #"abc\u{202E}fed"#),
            (Array("line\u{2028}next\u{2029}".utf8), #"line\u{2028}next\u{2029}"#),
            (Array("zero\u{200B}width\u{FEFF}".utf8), #"zero\u{200B}width\u{FEFF}"#),
            ([0x66, 0xFF, 0xFE], #"f\xFF\xFE"#),
            ([0xE2, 0x82, 0x41], #"\xE2\x82A"#),
            ([0xC0, 0xAF], #"\xC0\xAF"#),
            (Array("/config/café/日本.txt".utf8), "/config/café/日本.txt"),
            (Array("plain ASCII, spaces & {braces} 100%".utf8), "plain ASCII, spaces & {braces} 100%"),
        ] as [([UInt8], String)])
    func escapes(bytes: [UInt8], shown: String) {
        #expect(Untrusted.printable(bytes: bytes) == shown)
        if let text = String(validating: bytes, as: UTF8.self) {
            #expect(Untrusted.printable(text) == shown)
        }
        #expect(RawPath(bytes: bytes).description == shown)
    }

    @Test("every byte string comes out as scalars a terminal shows, and distinct inputs stay distinct")
    func printableAndDistinct() {
        var generator = SystemRandomNumberGenerator()
        var seen: [String: [UInt8]] = [:]
        for length in 0..<2_000 {
            let bytes = (0..<(length % 9)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let shown = Untrusted.printable(bytes: bytes)
            #expect(isPrintable(shown), "\(bytes) shows as \(shown.unicodeScalars.map(\.value))")
            if let earlier = seen.updateValue(bytes, forKey: shown) {
                #expect(earlier == bytes, "\(earlier) and \(bytes) both show as \(shown)")
            }
        }
        // The inputs that come closest to another's escape.
        let lookalikes: [[UInt8]] = [[0x0A], Array(#"\n"#.utf8), [0x5C, 0x0A], [0xFF], Array(#"\xFF"#.utf8), [0x22], Array(#"\""#.utf8)]
        #expect(Set(lookalikes.map { Untrusted.printable(bytes: $0) }).count == lookalikes.count)
    }
}
