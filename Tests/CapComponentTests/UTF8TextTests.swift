// The canonical ABI's UTF-8 check agrees with the standard library's on every input.
@testable import CapComponent
import Testing

@Suite("UTF-8 text")
struct UTF8TextTests {
    /// Byte strings built to sit near the edges of UTF-8: pieces of valid sequences of every
    /// length, cut short, overlong, surrogates, beyond U+10FFFF, ASCII runs long enough for the
    /// eight-byte test, and random bytes.
    private static func nearValid(_ generator: inout some RandomNumberGenerator) -> [UInt8] {
        let pieces: [[UInt8]] = [
            Array("abcdefgh".utf8), [0x41], [0x7F], [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80],
            [0xEF, 0xBF, 0xBD], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0x80], [0xBF], [0xC0, 0x80],
            [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0xFE], [0x00],
        ]
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            if Bool.random(using: &generator) {
                bytes += pieces.randomElement(using: &generator)!
            } else {
                bytes.append(UInt8.random(in: 0...255, using: &generator))
            }
        }
        return bytes
    }

    @Test("String(validUTF8:) and the in-place check accept exactly what String(validating:as:) accepts, with the same text")
    func agreesWithTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        var outcomes = (valid: 0, invalid: 0, validNonASCII: 0)
        for _ in 0..<20_000 {
            let bytes = Self.nearValid(&generator)
            let expected = String(validating: bytes, as: UTF8.self)
            let got = bytes.withUnsafeBytes { String(validUTF8: $0) }
            #expect(got == expected, "\(bytes)")
            #expect(bytes.withUnsafeBytes { String.isValidUTF8($0) } == (expected != nil), "in place: \(bytes)")
            if let got {
                #expect(Array(got.utf8) == bytes)
                outcomes.valid += 1
                if bytes.contains(where: { $0 >= 0x80 }) { outcomes.validNonASCII += 1 }
            } else {
                outcomes.invalid += 1
            }
        }
        // The generator reaches every outcome, not only the invalid one random bytes mostly give.
        #expect(outcomes.valid > 1_000 && outcomes.invalid > 1_000 && outcomes.validNonASCII > 500, "\(outcomes)")
    }
}
