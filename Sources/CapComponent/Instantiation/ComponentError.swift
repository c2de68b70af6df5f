// The one error type of reading, instantiating and calling components.

/// An error from reading a component binary, instantiating it, or calling into it.
///
/// Match on ``code``; ``description`` is a sentence for people.
public struct ComponentError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: Sendable, Hashable {
        /// The binary is not a well-formed component (truncated, bad opcode, bad UTF-8, ...).
        case malformed
        /// The binary uses a feature this runtime does not implement (async, values, start, ...).
        case unsupported
        /// An index, name or type inside the component does not fit where it is used.
        case invalid
        /// The embedder did not define something the component imports.
        case missingImport
        /// A definition does not have the type the component or the caller expects.
        case typeMismatch
        /// The component has no export of that name.
        case noSuchExport
        /// Core code trapped, or a canonical ABI check failed during a call.
        case trap
        /// A resource handle was unknown, of the wrong type, or in use.
        case badHandle
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong, in words.
    public let message: String
    /// The section being read when a binary was refused, such as `"type"`.
    public let section: String?
    /// The byte offset in the top-level binary where a binary was refused.
    public let offset: Int?
    /// What made a ``Code/trap``: the WasmKit trap, or what a host function or the store's
    /// resource limiter threw (also when it was wrapped in a canonical ABI trap); nil when the
    /// component itself is at fault. An embedder tells how a run ended by this error's type, not
    /// by the message.
    public let cause: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, section: String? = nil, offset: Int? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.section = section
        self.offset = offset
        self.cause = cause
    }

    /// The message, with the section and offset of a refused binary.
    public var description: String {
        switch (section, offset) {
        case (let section?, let offset?): "\(message) (in the \(section) section at offset \(offset))"
        case (nil, let offset?): "\(message) (at offset \(offset))"
        default: message
        }
    }
}

extension ComponentError {
    /// A canonical ABI failure as a component error, prefixed with what was being done.
    init(_ trap: ComponentTrap, context: String) {
        let code: Code =
            switch trap.code {
            case .typeMismatch: .typeMismatch
            case .invalidType, .invalidOptions: .invalid
            case .unsupported: .unsupported
            case .badHandle, .wrongResourceType, .wrongHandleKind, .handleLent, .unknownResource: .badHandle
            default: .trap
            }
        self.init(code, "\(context): \(trap.description)", cause: trap.underlying)
    }

    /// What ended it at the bottom: ``cause``, and the cause of that, followed as far as they go
    /// (through component errors and canonical ABI traps); the error itself if it has none.
    public var rootCause: any Error {
        var error: any Error = self
        while true {
            switch error {
            case let component as ComponentError:
                guard let cause = component.cause else { return component }
                error = cause
            case let trap as ComponentTrap:
                guard let underlying = trap.underlying else { return trap }
                error = underlying
            default:
                return error
            }
        }
    }
}
