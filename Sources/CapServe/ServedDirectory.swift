// One confined lookup per request: open, then fstat the descriptor, so what is described is what is sent.
import CapStd

/// A regular file opened for a request, with the metadata of that very descriptor.
public struct OpenedFile: Sendable {
    public let file: File
    public let metadata: Metadata

    public init(file: File, metadata: Metadata) {
        self.file = file
        self.metadata = metadata
    }

    /// The file's ETag and Last-Modified.
    public var validators: FileValidators { FileValidators(metadata) }
}

/// What a served path names, found with one open.
public enum ServedEntry: Sendable {
    /// A regular file, open for reading.
    case file(OpenedFile)
    /// A directory (its descriptor already closed); adapters redirect to `path/` or look for an index.
    case directory(Metadata)
}

/// The directory a server exposes, and the one way files beneath it are found.
///
/// Each lookup is a single confined open of the whole path (`openat2` with `RESOLVE_BENEATH`, or
/// the userspace resolver) with `O_NONBLOCK`, then `fstat` of the descriptor it returned. A FIFO
/// or device put in a file's place never blocks the open and is refused; a file swapped for a
/// symlink out between two requests is refused on the second; and the size, validators and bytes
/// of one response all come from the one descriptor. The calls block: run them off the event loop.
public struct ServedDirectory: Sendable {
    /// The directory, normally a read-only view.
    public let root: Dir

    public init(_ root: Dir) {
        self.root = root
    }

    /// Opens what `path` names.
    ///
    /// - Throws: ``ServeRefusal`` for anything other than a regular file or a directory, and for
    ///   every failed lookup.
    public func open(_ path: ServedPath, requestPath: String) throws(ServeRefusal) -> ServedEntry {
        let file: File
        do {
            file = try root.open(path.relative, options: OpenOptions(read: true, nonBlocking: true))
        } catch {
            throw ServeRefusal(requestPath: requestPath, reason: .lookup(error))
        }
        do throws(CapStdError) {
            let metadata = try file.metadata()
            switch metadata.type {
            case .regular:
                // `note.txt/` names a directory, as the kernel reads it; openat2 ignores the slash.
                if path.hasTrailingSlash { throw CapStdError("open", path.relative, .notDirectory) }
                return .file(OpenedFile(file: file, metadata: metadata))
            case .directory:
                file.close()
                return .directory(metadata)
            default:
                file.close()
                throw CapStdError("open", path.relative, .invalidArgument, code: .notRegularFile)
            }
        } catch {
            file.close()
            throw ServeRefusal(requestPath: requestPath, reason: .lookup(error))
        }
    }

    /// Opens the index file of the directory `path` (`index.html` unless told otherwise); it must
    /// be a regular file.
    public func openIndex(of path: ServedPath, named index: RawPath = "index.html", requestPath: String) throws(ServeRefusal) -> OpenedFile {
        let indexPath = path.appending(index)
        switch try open(indexPath, requestPath: requestPath) {
        case .file(let opened): return opened
        case .directory:
            throw ServeRefusal(requestPath: requestPath, reason: .lookup(CapStdError("open", indexPath.relative, .isDirectory, code: .notRegularFile)))
        }
    }
}
