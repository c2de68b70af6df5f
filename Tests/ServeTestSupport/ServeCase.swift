// The requests every adapter is run against, and what a confined server must answer.

/// One request against a ``HostileSite`` and the answer expected of a confined server.
public struct ServeCase: Sendable, CustomStringConvertible {
    public enum Expectation: Sendable {
        /// 200 with exactly these bytes, and this media type when given (parameters such as
        /// `charset` are the framework's: Hummingbird's middleware sends none).
        case file([UInt8], contentType: String? = nil)
        /// 206 with these bytes and this `Content-Range`.
        case partial([UInt8], contentRange: String)
        /// This status, whatever the body (a framework's own error page).
        case status(Int)
        /// This status with an empty body (304, 416).
        case empty(status: Int)
        /// 200 to a HEAD: this `Content-Length`, and no body.
        case head(contentLength: Int)
        /// A permanent redirect to this location.
        case redirect(to: String)
        /// Nothing served: the adapter's refusal (404, the same for a path refused and a file
        /// missing), and never a byte from outside.
        case refused
    }

    public let path: String
    public let method: String
    public let headers: [(String, String)]
    public let expectation: Expectation
    /// Whether the path is an attempt to get out (its body is checked for the outside marker).
    public var isEscape: Bool { if case .refused = expectation { true } else { false } }

    public init(_ path: String, method: String = "GET", headers: [(String, String)] = [], _ expectation: Expectation) {
        self.path = path
        self.method = method
        self.headers = headers
        self.expectation = expectation
    }

    public var description: String {
        ([method, path] + headers.map { "\($0.0): \($0.1)" }).joined(separator: " ")
    }

    static func text(_ string: String) -> [UInt8] { Array(string.utf8) }

    /// Ranges RFC 9110 answers, and Vapor's stock middleware and Capsule's own both do: a suffix range, and forms
    /// a server ignores (inverted, several ranges) answered with the whole file.
    public static let rfcRanges: [ServeCase] = [
        ServeCase("/note.txt", headers: [("Range", "bytes=-2")], .partial(text("lo"), contentRange: "bytes 3-4/5")),
        ServeCase("/note.txt", headers: [("Range", "bytes=-100")], .partial(Array("hello".utf8), contentRange: "bytes 0-4/5")),
        ServeCase("/note.txt", headers: [("Range", "bytes=3-1")], .file(Array("hello".utf8))),
        ServeCase("/note.txt", headers: [("Range", "bytes=0-1,3-4")], .file(Array("hello".utf8))),
        ServeCase("/note.txt", headers: [("Range", "bytes=-0")], .empty(status: 416)),
        ServeCase("/note.txt", headers: [("Range", "items=1-2")], .file(Array("hello".utf8))),
        ServeCase("/note.txt", headers: [("If-None-Match", "*")], .empty(status: 304)),
    ]

    /// Answers Capsule's own middlewares (Vapor's and Hummingbird's `DirFileMiddleware`) give
    /// and Hummingbird's stock `FileMiddleware` does not: the last bytes for a suffix range, the
    /// whole file for a range whose end is past any file, a redirect from `//docs` to the path
    /// served (never to `//docs/`, another host to a browser), an encoded `/` refused.
    public static let capsuleAnswers: [ServeCase] = [
        ServeCase("/note.txt", headers: [("Range", "bytes=-3")], .partial(text("llo"), contentRange: "bytes 2-4/5")),
        ServeCase("/note.txt", headers: [("Range", "bytes=0-99999999999999999999999")], .partial(text("hello"), contentRange: "bytes 0-4/5")),
        ServeCase("//docs", .redirect(to: "/docs/")),
        ServeCase("/docs?page=2", .redirect(to: "/docs/?page=2")),
        ServeCase("/docs%2fguide.txt", .refused),
    ]

    /// Files, directories and in-tree links that must keep working, the same in every adapter.
    public static let servable: [ServeCase] = [
        ServeCase("/note.txt", .file(text("hello"), contentType: "text/plain")),
        ServeCase("/", .file(text("<h1>home</h1>"), contentType: "text/html")),
        ServeCase("/docs/", .file(text("docs index"))),
        ServeCase("/docs", .redirect(to: "/docs/")),
        ServeCase("/docs/guide.txt", .file(text("guide"))),
        ServeCase("/link-in.txt", .file(text("hello"))),
        ServeCase("/docs-link/guide.txt", .file(text("guide"))),
        ServeCase("/docs-link/", .file(text("docs index"))),
        ServeCase("/docs/up-in.txt", .file(text("hello"))),
        ServeCase("/empty.txt", .file([])),
        ServeCase("/big.bin", .file(HostileSite.bigFileContents)),
        ServeCase("/caf%C3%A9.txt", .file(text("accented"))),
        ServeCase("/with%20space.txt", .file(text("spaced"))),
        ServeCase("/style.css", .file(text("body{}"), contentType: "text/css")),
        ServeCase("//note.txt", .file(text("hello"))),
        ServeCase("/./docs/./guide.txt", .file(text("guide"))),
        ServeCase("/note.txt", method: "HEAD", .head(contentLength: 5)),
        ServeCase("/big.bin", method: "HEAD", .head(contentLength: HostileSite.bigFileSize)),
    ]

    /// Every way out: each must be refused, with nothing outside read.
    public static let escapes: [ServeCase] = [
        ServeCase("/out-rel.txt", .refused), ServeCase("/out-abs.txt", .refused), ServeCase("/out-page", .refused),
        ServeCase("/out_dir/secret.txt", .refused), ServeCase("/out_dir/", .refused), ServeCase("/out_dir", .refused),
        ServeCase("/out_dir/outside/page.html", .refused), ServeCase("/docs/deep-out/page.html", .refused),
        ServeCase("/chain-a", .refused), ServeCase("/loop-a", .refused), ServeCase("/fifo", .refused),
        ServeCase("/../secret.txt", .refused), ServeCase("/docs/../../secret.txt", .refused),
        ServeCase("/%2e%2e/secret.txt", .refused), ServeCase("/%2E%2E/%2E%2E/secret.txt", .refused),
        ServeCase("/docs%2f..%2f..%2fsecret.txt", .refused), ServeCase("/%2e%2e%2fsecret.txt", .refused),
        ServeCase("/%252e%252e/secret.txt", .refused), ServeCase("/%252e%252e%252fsecret.txt", .refused),
        ServeCase("/note.txt%00.html", .refused), ServeCase("/%00", .refused), ServeCase("/out-rel.txt%00", .refused),
        ServeCase("//etc/passwd", .refused), ServeCase("///etc/passwd", .refused), ServeCase("/%2fetc%2fpasswd", .refused),
        ServeCase("/out-rel.txt/", .refused), ServeCase("/note.txt/", .refused), ServeCase("/missing.txt", .refused),
        ServeCase("/out-rel.txt", method: "HEAD", .refused), ServeCase("/fifo", method: "HEAD", .refused),
    ]

    /// Conditional requests, built from the validators the server sent for `/note.txt`.
    public static func conditionals(entityTag: String, lastModified: String) -> [ServeCase] {
        [
            ServeCase("/note.txt", headers: [("If-None-Match", entityTag)], .empty(status: 304)),
            ServeCase("/note.txt", headers: [("If-None-Match", "\"other\"")], .file(text("hello"))),
            ServeCase("/note.txt", headers: [("If-Modified-Since", lastModified)], .empty(status: 304)),
            ServeCase("/note.txt", headers: [("If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT")], .file(text("hello"))),
            ServeCase("/note.txt", headers: [("If-Range", entityTag), ("Range", "bytes=1-3")], .partial(text("ell"), contentRange: "bytes 1-3/5")),
            ServeCase("/note.txt", headers: [("If-Range", "\"stale\""), ("Range", "bytes=1-3")], .file(text("hello"))),
        ]
    }

    /// Ranges whose answer RFC 9110 fixes and both adapters give.
    public static let ranges: [ServeCase] = [
        ServeCase("/note.txt", headers: [("Range", "bytes=1-3")], .partial(text("ell"), contentRange: "bytes 1-3/5")),
        ServeCase("/note.txt", headers: [("Range", "bytes=2-")], .partial(text("llo"), contentRange: "bytes 2-4/5")),
        ServeCase("/note.txt", headers: [("Range", "bytes=1-100")], .partial(text("ello"), contentRange: "bytes 1-4/5")),
        ServeCase("/note.txt", headers: [("Range", "bytes=5-")], .empty(status: 416)),
        ServeCase("/note.txt", headers: [("Range", "bytes=100-")], .empty(status: 416)),
        ServeCase("/note.txt", headers: [("Range", "bytes=100-200")], .empty(status: 416)),
        ServeCase(
            "/big.bin", headers: [("Range", "bytes=262000-262300")],
            .partial(Array(HostileSite.bigFileContents[262_000...262_300]), contentRange: "bytes 262000-262300/\(HostileSite.bigFileSize)")),
        ServeCase(
            "/big.bin", headers: [("Range", "bytes=599990-")],
            .partial(Array(HostileSite.bigFileContents[599_990...]), contentRange: "bytes 599990-599999/\(HostileSite.bigFileSize)")),
    ]
}
