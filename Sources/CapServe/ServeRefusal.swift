// Why a request gets no file: what the adapters log, never what they tell the client.
import CapStd

/// Why a request path was not served. Adapters answer every case with the same 404, so a client
/// cannot tell a refused path from a missing one; ``isDenial`` says which ones to log as denials.
public struct ServeRefusal: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The request path itself was refused before any lookup.
        case requestPath(RequestPathError)
        /// The lookup beneath the served directory failed: an escape, a FIFO or device, a symlink
        /// loop, a permission, or a name that does not exist.
        case lookup(CapStdError)
    }

    /// The path as the request gave it, unescaped: escape it (``Untrusted/printable(_:)``)
    /// before showing it anywhere, as ``description`` does.
    public let requestPath: String
    public let reason: Reason

    public init(requestPath: String, reason: Reason) {
        self.requestPath = requestPath
        self.reason = reason
    }

    /// Whether the request tried something a confined server refuses (an escape, `..`, NUL, an
    /// encoded separator, a non-regular file, a symlink loop, a file it may not read) rather than
    /// naming something that is simply not there.
    public var isDenial: Bool {
        switch reason {
        case .requestPath: true
        case .lookup(let error):
            switch error.code {
            case .escape, .notRegularFile, .containsNUL: true
            default: error.errno == .tooManySymbolicLinkLevels || error.errno == .permissionDenied
            }
        }
    }

    /// `path: reason`, the client's path escaped (``Untrusted/printable(_:)``), so that a
    /// request cannot put a line or a terminal escape of its own into the log.
    public var description: String {
        switch reason {
        case .requestPath(let error): "\(Untrusted.printable(requestPath)): \(error)"
        case .lookup(let error): "\(Untrusted.printable(requestPath)): \(error)"
        }
    }
}
