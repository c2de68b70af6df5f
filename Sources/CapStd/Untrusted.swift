// Text from a guest, a client or a file, escaped before it goes into a log line, an error's description or a terminal.

/// Escapes text that came from outside the host (a guest's path, a request's path, a name in a
/// module or a configuration file) so that it can go into a log line, an error's description or
/// a terminal without changing anything around it: it cannot end the line, start a forged one,
/// move the cursor, recolour the terminal or close a quoted field.
///
/// What is escaped, and how:
/// - `\` as `\\` and `"` as `\"`, so that a quoted value ends where it seems to;
/// - NUL, line feed, carriage return and tab as `\0`, `\n`, `\r`, `\t`; every other C0 control
///   byte and DEL as `\xNN` (ESC is `\x1B`);
/// - the Unicode scalars that control or reorder text rather than show it (C1 controls, format
///   characters such as the bidirectional overrides and zero-width joiners, the line and
///   paragraph separators) as `\u{NNNN}`;
/// - for bytes, each byte that is not part of valid UTF-8 as `\xNN`.
///
/// Everything else, other scripts included, is kept as it is; ASCII text with no `\` or `"`
/// comes back unchanged. Distinct inputs give distinct outputs, so an escaped name can be told
/// apart from any other.
///
/// Thread safety: pure functions.
public enum Untrusted {
    /// `text`, escaped.
    public static func printable(_ text: some StringProtocol) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { append(scalar, to: &output) }
        return output
    }

    /// `bytes` as UTF-8, escaped; bytes that are not valid UTF-8 become `\xNN`.
    public static func printable(bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var output = ""
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let length = sequenceLength(bytes, at: index)
            if length == 0 {
                output += hex(bytes[index])
                index += 1
                continue
            }
            for scalar in String(decoding: bytes[index..<index + length], as: UTF8.self).unicodeScalars {
                append(scalar, to: &output)
            }
            index += length
        }
        return output
    }

    /// The length of the valid UTF-8 sequence that starts at `index`, or 0 if none does.
    private static func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let length: Int
        switch bytes[index] {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        var iterator = bytes[index..<index + length].makeIterator()
        var decoder = UTF8()
        if case .scalarValue = decoder.decode(&iterator) { return length }
        return 0
    }

    private static func append(_ scalar: Unicode.Scalar, to output: inout String) {
        switch scalar {
        case "\\": output += "\\\\"
        case "\"": output += "\\\""
        case "\0": output += "\\0"
        case "\n": output += "\\n"
        case "\r": output += "\\r"
        case "\t": output += "\\t"
        case "\u{00}"..."\u{1F}", "\u{7F}": output += hex(UInt8(scalar.value))
        case "\u{20}"..."\u{7E}": output.unicodeScalars.append(scalar)
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                output += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default:
                output.unicodeScalars.append(scalar)
            }
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }
}
