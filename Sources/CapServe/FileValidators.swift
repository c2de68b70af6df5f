// ETag, Last-Modified and the conditional requests they answer (RFC 9110 §8.8, §13).
import CapStd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The validators of one opened file, taken from its metadata, and the conditional-request
/// decisions made with them.
public struct FileValidators: Sendable, Equatable {
    /// A strong entity tag, `"<size>-<mtime in ns>"` in hex: it changes whenever the file is
    /// written or replaced by another of a different size or modification time. The inode is
    /// left out on purpose: a tag is sent to every client, and inode numbers tell them about the
    /// server's file system (as the WASI 0.2 host hides them from guests).
    public let entityTag: String
    /// The modification time, to the second, as `Last-Modified` carries it.
    public let lastModified: Int64

    public init(_ metadata: Metadata) {
        let nanoseconds = metadata.modified.seconds &* 1_000_000_000 &+ metadata.modified.nanoseconds
        entityTag = "\"\(String(metadata.size, radix: 16))-\(String(nanoseconds, radix: 16))\""
        lastModified = metadata.modified.seconds
    }

    /// `Last-Modified` in the IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`).
    public var lastModifiedHeader: String { HTTPDate.format(lastModified) }

    /// Whether a GET or HEAD should be answered 304 (RFC 9110 §13.2.2): `If-None-Match` decides
    /// when present (weak comparison, `*` matching any file); otherwise `If-Modified-Since`, when
    /// it is a valid date, decides.
    ///
    /// - Parameter ifNoneMatch: every `If-None-Match` field value (each may list several tags).
    public func isNotModified(ifNoneMatch: [String], ifModifiedSince: String?) -> Bool {
        if !ifNoneMatch.isEmpty {
            let tags = ifNoneMatch.flatMap { $0.split(separator: ",") }.map { $0.trimmingWhitespace }
            return tags.contains { $0 == "*" || Self.opaque($0) == Self.opaque(entityTag[...]) }
        }
        guard let ifModifiedSince, let since = HTTPDate.parse(ifModifiedSince) else { return false }
        return lastModified <= since
    }

    /// Whether the `Range` header applies (RFC 9110 §13.1.5): without `If-Range` it does; with
    /// it, only if it names this file exactly (strong comparison of the tag, or the very date).
    public func rangeApplies(ifRange: String?) -> Bool {
        guard let ifRange = ifRange?.trimmingWhitespace else { return true }
        if ifRange.hasPrefix("\"") { return ifRange == entityTag[...] }
        return HTTPDate.parse(String(ifRange)) == lastModified
    }

    /// An entity tag without its weakness prefix, for the weak comparison.
    private static func opaque(_ tag: Substring) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : tag
    }
}

/// HTTP's IMF-fixdate: what Capsule sends, and the one form of date it reads.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// Seconds since the epoch for `Sun, 06 Nov 1994 08:49:37 GMT`; nil for anything else
    /// (a condition with an invalid date is ignored, RFC 9110 §13.1.3).
    static func parse(_ text: String) -> Int64? {
        let fields = text.trimmingWhitespace.split(separator: " ")
        guard fields.count == 6, fields[0].hasSuffix(","), days.contains(String(fields[0].dropLast())), fields[5] == "GMT",
            let day = Int32(fields[1]), fields[1].count == 2, let month = months.firstIndex(of: String(fields[2])),
            let year = Int32(fields[3]), fields[3].count == 4
        else { return nil }
        let clock = fields[4].split(separator: ":")
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }), let hour = Int32(clock[0]), let minute = Int32(clock[1]),
            let second = Int32(clock[2]), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = Int32(month)
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Int64(timegm(&parts))
    }
}
