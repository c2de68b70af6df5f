// The Content-Type a served file gets from its name.
import CapStd

/// Content types by file extension, for the files static sites are made of.
public enum MediaTypes {
    /// What a file whose extension is unknown is sent as.
    public static let fallback = "application/octet-stream"

    static let byExtension: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8", "json": "application/json",
        "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8", "xml": "application/xml",
        "csv": "text/csv; charset=utf-8", "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg",
        "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "avif": "image/avif", "ico": "image/vnd.microsoft.icon",
        "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf", "wasm": "application/wasm",
        "pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip", "mp4": "video/mp4",
        "webm": "video/webm", "mp3": "audio/mpeg", "ogg": "audio/ogg", "wav": "audio/wav",
    ]

    /// The content type for the last name of `path`, by its extension (case-insensitive):
    /// `report.HTML` is HTML, `archive.tar.gz` gzip, `README` the fallback. Only the last name
    /// counts, so a directory called `a.html` gives nothing to the files in it.
    public static func contentType(for path: ServedPath) -> String {
        guard let name = path.components.last?.description, let dot = name.lastIndex(of: "."), dot != name.startIndex else {
            return fallback
        }
        return byExtension[name[name.index(after: dot)...].lowercased()] ?? fallback
    }
}
