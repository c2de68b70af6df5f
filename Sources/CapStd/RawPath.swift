// A path exactly as the caller gave it, byte for byte, before any resolution.
import SystemPackage

/// A path kept exactly as given: every byte, every separator, every trailing slash.
///
/// `FilePath` normalizes (`"file/"` becomes `"file"`, `"a//b"` becomes `"a/b"`) and cannot hold a
/// NUL byte. Path resolution needs the original: a trailing slash demands a directory, and a NUL
/// byte must be refused with `EINVAL` rather than silently cut off the rest of the path. Names need
/// not be UTF-8.
///
/// Create one from a string literal, a `String`, a `FilePath` or raw bytes:
/// ```swift
/// let fromLiteral: RawPath = "config/settings.toml"
/// let fromBytes = RawPath(bytes: [0x66, 0xff])   // a non-UTF-8 name
/// ```
public struct RawPath: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The path's bytes, without a terminating NUL.
    public let bytes: [UInt8]

    /// Creates a path from raw bytes, which may be anything (including NUL, which operations refuse).
    public init(bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
    }

    /// Creates a path from the UTF-8 encoding of `string`.
    public init(_ string: String) {
        self.bytes = Array(string.utf8)
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Creates a path from a `FilePath` (which has already dropped trailing slashes).
    public init(_ filePath: FilePath) {
        self.bytes = filePath.withPlatformString { pointer in
            var bytes: [UInt8] = []
            var cursor = pointer
            while cursor.pointee != 0 {
                bytes.append(UInt8(bitPattern: cursor.pointee))
                cursor += 1
            }
            return bytes
        }
    }

    /// Whether the path starts at the file system root; a `Dir` refuses such paths as escapes.
    public var isAbsolute: Bool { bytes.first == UInt8(ascii: "/") }

    /// The path as text: invalid UTF-8 is shown as `\xNN` and NUL as `\0`, so messages stay exact.
    public var description: String {
        var text = ""
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 {
                text += "\\0"
                index += 1
                continue
            }
            let length = RawPath.utf8SequenceLength(bytes, at: index)
            if length == 0 {
                text += "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
                index += 1
            } else {
                text += String(decoding: bytes[index..<index + length], as: UTF8.self)
                index += length
            }
        }
        return text
    }

    /// The length of the valid UTF-8 sequence that starts at `index`, or 0 if none does.
    private static func utf8SequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        let slice = bytes[index..<index + length]
        var iterator = slice.makeIterator()
        var decoder = UTF8()
        if case .scalarValue = decoder.decode(&iterator) { return length }
        return 0
    }
}
