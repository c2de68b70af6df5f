// How the adapters report a refused request: denials at warning, missing files at debug.
#if Hummingbird || Vapor
import CapServe
import CapStd
import Logging

extension Logger {
    /// Logs `refusal`: a denial (an escape, `..`, NUL, a FIFO...) at `warning`, with the path and
    /// the reason as metadata, and a file that is simply missing at `debug`. The client's path
    /// is escaped everywhere it appears (``Untrusted/printable(_:)``).
    public func log(_ refusal: ServeRefusal) {
        let metadata: Metadata = ["capsule.path": "\(Untrusted.printable(refusal.requestPath))", "capsule.reason": "\(refusal.reasonDescription)"]
        if refusal.isDenial {
            warning("denied: \(refusal)", metadata: metadata)
        } else {
            debug("not found: \(refusal)", metadata: metadata)
        }
    }
}

extension ServeRefusal {
    fileprivate var reasonDescription: String {
        switch reason {
        case .requestPath(let error): error.description
        case .lookup(let error): error.description
        }
    }
}
#endif
