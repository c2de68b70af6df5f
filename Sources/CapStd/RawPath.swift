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

    /// The path as text, escaped by ``Untrusted/printable(bytes:)``: invalid UTF-8 as `\xNN`,
    /// NUL as `\0`, control characters, `\` and `"` escaped, so that messages stay exact and a
    /// path cannot break the line or the quotes it is shown in.
    public var description: String { Untrusted.printable(bytes: bytes) }
}
