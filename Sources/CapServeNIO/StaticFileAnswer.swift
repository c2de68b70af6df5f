// What a confined static-file middleware does with one GET or HEAD request, whatever the framework.
#if Hummingbird || Vapor
import CapServe
import CapStd
import Logging

/// What a request for a directory without a trailing slash gets.
public enum DirectoryAction: Sendable {
    /// A 301 to the same path with `/` (what browsers need for relative links to work).
    case redirect
    /// Nothing: it goes on to the next responder.
    case none
}

/// A static-file middleware's answer to one GET or HEAD request, the same in every adapter.
public enum StaticFileAnswer: Sendable {
    /// Serve this file (opened beneath the directory; the caller closes it) as this media type.
    case file(OpenedFile, contentType: String)
    /// A permanent redirect to this location: the path served with `/`, percent-encoded
    /// (``CapServe/ServedPath/encoded``), and the request's query.
    case redirect(location: String)
    /// Nothing here: refused (and logged as a denial) or missing; the next responder answers.
    case next
}

extension FileReads {
    /// The answer to a request for `requestPath` (percent-encoded, as on the wire) beneath
    /// `directory`: one confined open, a directory's `indexFile` for a path ending in `/`, a
    /// redirect for a directory without it (per `directoryAction`), refusals logged to `logger`.
    ///
    /// - Throws: what opening the index file throws other than a refusal.
    public func answer(
        requestPath: String, query: String?, in directory: ServedDirectory, indexFile: RawPath?, directoryAction: DirectoryAction,
        logger: Logger
    ) async throws -> StaticFileAnswer {
        let path: ServedPath
        do {
            path = try ServedPath(encoded: requestPath)
        } catch {
            logger.log(ServeRefusal(requestPath: requestPath, reason: .requestPath(error)))
            return .next
        }
        do {
            switch try await open(path, requestPath: requestPath, in: directory) {
            case .file(let file):
                return .file(file, contentType: MediaTypes.contentType(for: path))
            case .directory where !path.hasTrailingSlash:
                guard directoryAction == .redirect else { return .next }
                // To the path served, not the one asked for: `//name` must not become `//name/`,
                // which a browser reads as the host `name`.
                return .redirect(location: path.appendingSlash.encoded + (query.map { "?" + $0 } ?? ""))
            case .directory:
                guard let indexFile else { return .next }
                let file = try await openIndex(of: path, named: indexFile, requestPath: requestPath, in: directory)
                return .file(file, contentType: MediaTypes.contentType(for: path.appending(indexFile)))
            }
        } catch let refusal as ServeRefusal {
            logger.log(refusal)
            return .next
        }
    }
}
#endif
