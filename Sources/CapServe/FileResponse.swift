// The answer to a GET or HEAD for one opened file, decided from that file's own metadata.

/// The request fields that shape a file response.
public struct FileRequestHeaders: Sendable, Equatable {
    /// `Range`, if present.
    public var range: String?
    /// `If-Range`, if present.
    public var ifRange: String?
    /// Every `If-None-Match` field value.
    public var ifNoneMatch: [String]
    /// `If-Modified-Since`, if present.
    public var ifModifiedSince: String?

    public init(range: String? = nil, ifRange: String? = nil, ifNoneMatch: [String] = [], ifModifiedSince: String? = nil) {
        self.range = range
        self.ifRange = ifRange
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
    }
}

/// Status, headers and the bytes to send for a GET or HEAD of an opened file (RFC 9110 §13–15).
///
/// Everything is taken from one `fstat` of the descriptor that is then read, so `Content-Length`,
/// `Content-Range`, the validators and the body describe the same file. A HEAD gets the same
/// status and headers as the GET would, and no body.
public struct FileResponse: Sendable, Equatable {
    public enum Status: Int, Sendable, Equatable {
        case ok = 200
        case partialContent = 206
        case notModified = 304
        case rangeNotSatisfiable = 416
    }

    public let status: Status
    /// Response fields other than `Content-Length`, which ``contentLength`` gives.
    public let headers: [Header]
    /// The bytes of the file to send; nil when there are none (304, 416, an empty file).
    public let bytes: ClosedRange<Int64>?

    public struct Header: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    /// The body's length: the bytes a GET sends, and what a HEAD announces.
    public var contentLength: Int64 { bytes.map { $0.upperBound - $0.lowerBound + 1 } ?? 0 }

    public init(for file: OpenedFile, contentType: String, request: FileRequestHeaders) {
        let validators = file.validators
        let size = file.metadata.size
        var headers = [
            Header(name: "ETag", value: validators.entityTag), Header(name: "Last-Modified", value: validators.lastModifiedHeader),
        ]
        if validators.isNotModified(ifNoneMatch: request.ifNoneMatch, ifModifiedSince: request.ifModifiedSince) {
            self.init(status: .notModified, headers: headers, bytes: nil)
            return
        }
        headers.append(Header(name: "Accept-Ranges", value: "bytes"))
        headers.append(Header(name: "Content-Type", value: contentType))
        let range = validators.rangeApplies(ifRange: request.ifRange) ? ByteRangeRequest(header: request.range, size: size) : .whole
        switch range {
        case .whole:
            self.init(status: .ok, headers: headers, bytes: size > 0 ? 0...(size - 1) : nil)
        case .partial(let bytes):
            headers.append(Header(name: "Content-Range", value: "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"))
            self.init(status: .partialContent, headers: headers, bytes: bytes)
        case .unsatisfiable:
            headers.append(Header(name: "Content-Range", value: "bytes */\(size)"))
            self.init(status: .rangeNotSatisfiable, headers: headers, bytes: nil)
        }
    }

    private init(status: Status, headers: [Header], bytes: ClosedRange<Int64>?) {
        self.status = status
        self.headers = headers
        self.bytes = bytes
    }
}
