// A refused guest operation, as the host reports it.
import CapStd
import Logging

/// One guest operation that Capsule refused: an escape, a change to a read-only directory, a
/// missing right, or a limit.
public struct Denial: Sendable, Hashable, CustomStringConvertible {
    /// The instance's name (``WASIConfiguration/instanceName``).
    public let instance: String
    /// The WASI function, such as `path_open`, or for a component the WASI 0.2 method, such as
    /// `descriptor.open-at`.
    public let operation: String
    /// The path as the guest sees it, such as `/config/../../etc/passwd`; empty for fd operations.
    /// Escaped (``Untrusted/printable(bytes:)``): the guest's control bytes, invalid UTF-8,
    /// `\` and `"` are shown, not written.
    public let guestPath: String
    /// The preopen the operation went through, such as `/config`.
    public let preopen: String
    /// Why, in words (the host error's description, whose paths are escaped too).
    public let reason: String
    /// What a module was told; for a component, the preview 1 errno of the `error-code` it was
    /// told (``errorCode``): an escape is `ERRNO_PERM` (`not-permitted`) there,
    /// `ERRNO_NOTCAPABLE` for a module.
    public let errno: WASIErrno
    /// What a component was told, in WASI 0.2's words: the `error-code`, such as
    /// `not-permitted` or `insufficient-memory` (the descriptor limit, which 0.2 has no errno
    /// for); nil for a module, and for a component's refusals that are not filesystem errors.
    public let errorCode: String?

    /// One line: `instance: operation "path" refused: reason (told)`, where the guest was told
    /// the errno or, for a component, the `error-code`; the names the host was configured with
    /// escaped as the guest's path is.
    public var description: String {
        let path = guestPath.isEmpty ? "" : "\"\(guestPath)\" "
        return "\(Untrusted.printable(instance)): \(operation) \(path)refused: \(reason) (\(errorCode ?? "\(errno)"))"
    }
}

/// Receives every denial as it happens.
public typealias DenialSink = @Sendable (Denial) -> Void

extension Denial {
    /// The default sink: a `.notice` log line with `instance`, `op`, `path`, `preopen`, `reason`
    /// and `errno` metadata, and `error_code` for a component's.
    public static func logging(to logger: Logger) -> DenialSink {
        { denial in
            var metadata: Logger.Metadata = [
                "instance": "\(Untrusted.printable(denial.instance))", "op": "\(denial.operation)",
                "path": "\(denial.guestPath)", "preopen": "\(Untrusted.printable(denial.preopen))",
                "reason": "\(denial.reason)", "errno": "\(denial.errno)",
            ]
            if let errorCode = denial.errorCode { metadata["error_code"] = "\(errorCode)" }
            logger.notice("denied \(denial.operation)", metadata: metadata)
        }
    }
}
