// What a `Range` header asks of a file of known size (RFC 9110 §14).

/// How to answer a request's `Range` header for a representation of `size` bytes.
///
/// Resolved against the size of the file actually opened, so the `Content-Range`, the
/// `Content-Length` and the bytes sent all describe the same file.
public enum ByteRangeRequest: Sendable, Equatable {
    /// Send the whole file with 200: no `Range` header, or one a server should ignore (not a
    /// `bytes` range, malformed, inverted, or several ranges, which Capsule does not combine into
    /// `multipart/byteranges`).
    case whole
    /// Send these bytes with 206 and `Content-Range: bytes first-last/size`.
    case partial(ClosedRange<Int64>)
    /// Answer 416 with `Content-Range: bytes */size`: the range starts at or past the end.
    case unsatisfiable

    /// Resolves `header` (the `Range` field's value, if any) against a file of `size` bytes,
    /// clamping an end past the last byte to it.
    public init(header: String?, size: Int64) {
        guard let header else {
            self = .whole
            return
        }
        let trimmed = header.trimmingWhitespace
        guard trimmed.lowercased().hasPrefix("bytes="), !trimmed.contains(",") else {
            self = .whole
            return
        }
        let spec = trimmed.dropFirst("bytes=".count).trimmingWhitespace
        guard let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash].trimmingWhitespace
        let last = spec[spec.index(after: dash)...].trimmingWhitespace
        switch (Self.number(first), Self.number(last)) {
        case (let start?, let end?) where start <= end:
            self = start < size ? .partial(start...min(end, size - 1)) : .unsatisfiable
        case (let start?, nil) where last.isEmpty:
            self = start < size ? .partial(start...(size - 1)) : .unsatisfiable
        case (nil, let suffix?) where first.isEmpty:
            // The last `suffix` bytes; a zero-length suffix or an empty file has none.
            self = suffix > 0 && size > 0 ? .partial(max(0, size - suffix)...(size - 1)) : .unsatisfiable
        default:
            self = .whole
        }
    }

    /// A run of ASCII digits as a non-negative number (past `Int64.max`, `Int64.max`: beyond
    /// any file); nil for anything else.
    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(text) ?? .max
    }
}

extension StringProtocol {
    var trimmingWhitespace: Substring {
        let view = self[...]
        let start = view.firstIndex { $0 != " " && $0 != "\t" } ?? view.endIndex
        let end = view.lastIndex { $0 != " " && $0 != "\t" }.map { view.index(after: $0) } ?? start
        return Substring(view[start..<Swift.max(start, end)])
    }
}
