// The error every canonical ABI check, guest trap and host failure becomes at a component boundary.

/// A failure while lifting or lowering values, calling across a component boundary, or using a
/// resource handle.
///
/// The canonical ABI calls every one of these a *trap*: the call is abandoned and the component
/// instance it happened in must not be entered again (``ComponentInstanceState`` refuses). The
/// host process never stops: every guest pointer, length, discriminant and handle is checked
/// before it is used.
///
/// Match on ``code``; ``message`` is a sentence for people.
public struct ComponentTrap: Error, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: Sendable, Hashable {
        /// A guest pointer, or a pointer plus a length, lies outside linear memory.
        case outOfBounds
        /// A guest pointer is not aligned as the type it points to requires.
        case misaligned
        /// A string or list is longer than the canonical ABI allows (2^28 - 1 bytes).
        case tooLong
        /// A guest string is not valid UTF-8.
        case invalidUTF8
        /// A guest `char` is a surrogate or above U+10FFFF.
        case invalidChar
        /// A variant, enum, option or result discriminant names no case.
        case invalidDiscriminant
        /// A value does not have the type the function signature says, or a core function,
        /// memory or option has the wrong core type.
        case typeMismatch
        /// The type cannot cross a component boundary (an empty record, variant or flags, a
        /// `borrow` in a result, ...).
        case invalidType
        /// A canonical option is missing or present where it is not allowed.
        case invalidOptions
        /// A canonical option this runtime does not implement (UTF-16 or Latin-1 strings).
        case unsupported
        /// `realloc` trapped or returned a pointer that is misaligned or out of bounds.
        case reallocFailed
        /// A handle index names no handle in the instance's table.
        case badHandle
        /// A handle names a resource of a different type than expected.
        case wrongResourceType
        /// An `own` handle was expected and a `borrow` was given (or the other way round).
        case wrongHandleKind
        /// A handle is lent out to a call in progress, so it cannot be moved or dropped.
        case handleLent
        /// A borrowed handle was not dropped before the call it was lent to returned.
        case borrowOutlivesCall
        /// The handle table is full (2^28 - 1 entries).
        case tableFull
        /// No implementation (host destructor or defining instance) is known for a resource type.
        case unknownResource
        /// The instance was entered while already running, or left (by calling an import or a
        /// built-in) while running `realloc` or `post-return`, or trapped earlier.
        case reentrance
        /// Core code trapped.
        case guestTrap
        /// A host function threw.
        case hostError
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong, in words.
    public let message: String
    /// The error that caused this one: a WasmKit trap or whatever a host function threw.
    public let underlying: (any Error)?

    /// Creates a trap.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The message, followed by the underlying error if there is one.
    public var description: String {
        guard let underlying else { return message }
        return "\(message): \(underlying)"
    }

    /// `error` as a trap: itself if it already is one, otherwise wrapped with `code` and `context`.
    static func wrapping(_ error: any Error, _ code: Code, _ context: @autoclosure () -> String) -> ComponentTrap {
        if let trap = error as? ComponentTrap { return trap }
        return ComponentTrap(code, context(), underlying: error)
    }
}
