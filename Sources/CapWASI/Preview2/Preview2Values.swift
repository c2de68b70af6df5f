// Building WASI 0.2 results, and the trap of a host call given what its WIT type does not allow.
import CapComponent

/// A host function was called with arguments its WASI type does not allow; the guest traps.
struct Preview2Trap: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension FilesystemErrorCode {
    /// The `error-code` as a component value: the WIT's case order is the enum's.
    var value: ComponentValue { .enum(case: rawValue) }
}

extension ComponentValue {
    /// `ok(payload)` of a `result`.
    static func ok(_ payload: ComponentValue? = nil) -> ComponentValue { .result(.success(payload)) }

    /// `err(payload)` of a `result`.
    static func err(_ payload: ComponentValue?) -> ComponentValue { .result(.failure(ResultError(payload))) }

    /// `err(code)` of a `result<_, error-code>`.
    static func err(_ code: FilesystemErrorCode) -> ComponentValue { .err(code.value) }
}
