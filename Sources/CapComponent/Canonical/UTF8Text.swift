extension String {
    /// The string whose UTF-8 is exactly `bytes`, or nil when `bytes` is not valid UTF-8.
    ///
    /// The standard library's `String(validating:as:)` reaches the runtime's generic metadata
    /// cache on every call (it is not specialized for `UTF8` in Swift 6.3's build), which was a
    /// fifth of a lowered host call's time. This decodes with the specialized
    /// `String(decoding:as:)`, which repairs invalid input with U+FFFD, and accepts the result
    /// only when nothing was repaired: ASCII needs no check; otherwise the decoded bytes are
    /// compared with the input, and any repair makes them differ at its first position.
    init?(validUTF8 bytes: UnsafeRawBufferPointer) {
        let decoded = String(decoding: bytes, as: UTF8.self)
        // A repair replaces an invalid sequence with EF BF BD, so a repaired string is never
        // byte-for-byte the input; an unrepaired one always is.
        if !Self.isASCII(bytes) {
            guard decoded.utf8.elementsEqual(bytes) else { return nil }
        }
        self = decoded
    }

    /// Whether `bytes` is valid UTF-8, checked where it lies: nothing is decoded into a string.
    /// ASCII needs no more than the eight-at-a-time test; otherwise the standard library's
    /// UTF-8 parser reads scalar by scalar (it rejects what `String(validating:as:)` rejects:
    /// truncated and overlong sequences, surrogates, anything past U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if isASCII(bytes) { return true }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Whether every byte is below 0x80, eight at a time.
    private static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if bytes[index] & 0x80 != 0 { return false }
            index += 1
        }
        return true
    }
}
