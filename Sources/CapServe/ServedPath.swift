// A request's URL path made into a path beneath the served directory, or refused.
import CapStd

/// Why a request path names nothing that may be served. Every case answers the same 404: a
/// client learns nothing about what exists from the refusal.
public enum RequestPathError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A `%` not followed by two hexadecimal digits.
    case invalidEscape
    /// A NUL byte, literal or `%00`: no file name holds one, and C APIs would cut the path there.
    case nul
    /// An encoded separator (`%2F`) inside a name: a name cannot hold `/`, and decoding it into
    /// a separator would let the path be split differently from how it was checked.
    case encodedSeparator
    /// A `..` component, written or encoded (`%2e%2e`).
    case parentReference

    public var description: String {
        switch self {
        case .invalidEscape: "the path has a % that is not followed by two hexadecimal digits"
        case .nul: "the path holds a NUL byte"
        case .encodedSeparator: "a name in the path holds an encoded /"
        case .parentReference: "the path has a .. component"
        }
    }
}

/// A path beneath the served directory, made from a request's URL path.
///
/// The rules, the same for every adapter: the path is split at its literal `/` first, then
/// each name is percent-decoded exactly once (so `%252e%252e` is the name `%2e%2e`, not a
/// traversal); empty names and `.` are dropped (`//etc/passwd` is `etc/passwd` beneath the
/// root); `..`, NUL and an encoded `/` are refused. Names are bytes: an escape that decodes to
/// bytes that are not UTF-8 names exactly those bytes (``relative`` is a `RawPath`). Nothing
/// here touches the file system; `Dir` then refuses whatever would still leave it, such as a
/// symlink pointing out.
public struct ServedPath: Sendable, Hashable, CustomStringConvertible {
    /// The names beneath the served directory; empty for the directory itself.
    public let components: [RawPath]
    /// Whether the request path ended in `/` (a directory listing or its index was asked for).
    public let hasTrailingSlash: Bool

    /// The path relative to the served directory (`.` for the directory itself).
    public var relative: RawPath {
        components.isEmpty ? RawPath(".") : RawPath(bytes: components.map(\.bytes).joined(separator: [UInt8(ascii: "/")]))
    }

    public var description: String { "/" + components.map(\.description).joined(separator: "/") + (hasTrailingSlash && !components.isEmpty ? "/" : "") }

    /// The path as a URL path: `/`, then each name percent-encoded (every byte but RFC 3986's
    /// unreserved ones) and joined with `/`, then `/` if it had a trailing slash. What a
    /// redirect's `Location` holds: it never begins with `//`, which a browser would read as the
    /// name of another host (`//evil.example/`), and it names exactly the file served.
    public var encoded: String {
        var path = ""
        for component in components {
            path += "/"
            for byte in component.bytes {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    path.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    path += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                }
            }
        }
        return path.isEmpty || hasTrailingSlash ? path + "/" : path
    }

    /// A path as it arrives on the wire, percent-encoded (what Vapor's `request.url.path` holds).
    ///
    /// - Throws: ``RequestPathError`` naming the first thing refused.
    public init(encoded path: some StringProtocol) throws(RequestPathError) {
        try self.init(
            names: path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false), trailingSlash: path.hasSuffix("/")
        ) { name throws(RequestPathError) in try Self.percentDecoded(name) }
    }

    /// A path a framework has already percent-decoded (what Hummingbird hands a `FileProvider`,
    /// with `%2F` already turned into `/` and bytes that are not UTF-8 into U+FFFD, so such a name
    /// matches only a file whose name holds U+FFFD).
    ///
    /// - Throws: ``RequestPathError/nul`` or ``RequestPathError/parentReference``.
    public init(decoded path: some StringProtocol) throws(RequestPathError) {
        try self.init(
            names: path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false), trailingSlash: path.hasSuffix("/")
        ) { name throws(RequestPathError) in Array(name) }
    }

    private init(components: [RawPath], hasTrailingSlash: Bool) {
        self.components = components
        self.hasTrailingSlash = hasTrailingSlash
    }

    /// This path with a trailing slash: the directory itself.
    public var appendingSlash: ServedPath { ServedPath(components: components, hasTrailingSlash: true) }

    /// This path with one more name beneath it (a directory's index file, say), without a
    /// trailing slash. The name is taken as one component: it must not hold `/`, `..` or NUL.
    public func appending(_ name: RawPath) -> ServedPath {
        ServedPath(components: components + [name], hasTrailingSlash: false)
    }

    private init<Names: Sequence>(
        names: Names, trailingSlash: Bool, decode: (Names.Element) throws(RequestPathError) -> [UInt8]
    ) throws(RequestPathError) {
        var components: [RawPath] = []
        for name in names {
            let bytes = try decode(name)
            if bytes.contains(0) { throw .nul }
            if bytes.contains(UInt8(ascii: "/")) { throw .encodedSeparator }
            switch bytes {
            case [], [UInt8(ascii: ".")]: continue
            case [UInt8(ascii: "."), UInt8(ascii: ".")]: throw .parentReference
            default: components.append(RawPath(bytes: bytes))
            }
        }
        self.components = components
        hasTrailingSlash = trailingSlash
    }

    private static func percentDecoded(_ name: some Collection<UInt8>) throws(RequestPathError) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(name.count)
        var index = name.startIndex
        while index != name.endIndex {
            let byte = name[index]
            index = name.index(after: index)
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                continue
            }
            guard index != name.endIndex, let high = hexValue(name[index]) else { throw .invalidEscape }
            index = name.index(after: index)
            guard index != name.endIndex, let low = hexValue(name[index]) else { throw .invalidEscape }
            index = name.index(after: index)
            decoded.append(high << 4 | low)
        }
        return decoded
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
