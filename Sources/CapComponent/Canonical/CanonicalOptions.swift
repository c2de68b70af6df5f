// The `canonopt` immediates of a `canon lift` or `canon lower`: memory, realloc, post-return, encoding.
import WasmKit

/// The canonical options of one `canon lift` or `canon lower`: which memory strings, lists and
/// spilled values live in, which function allocates in it, which function frees a lifted call's
/// results, and how strings are encoded.
///
/// Only UTF-8 strings and 32-bit memories are supported; the initializer refuses anything else.
/// Which options a particular function needs depends on its type and direction;
/// ``LiftedFunction`` and ``LoweredFunction`` check that when they are made.
///
/// WasmKit also declares a `CanonicalOptions`; outside this module spell this one
/// `CapComponent.CanonicalOptions` where both are imported.
public struct CanonicalOptions {
    /// A `string-encoding` option.
    public enum StringEncoding: Sendable, Hashable, CustomStringConvertible {
        case utf8
        case utf16
        case latin1UTF16

        public var description: String {
            switch self {
            case .utf8: "utf8"
            case .utf16: "utf16"
            case .latin1UTF16: "latin1+utf16"
            }
        }
    }

    /// The memory that strings, lists, spilled parameters and `retptr` results live in.
    public let memory: Memory?
    /// `(func (param i32 i32 i32 i32) (result i32))`: `(old_ptr, old_size, align, new_size) -> ptr`.
    public let realloc: Function?
    /// Called after a lifted function's results have been lifted, with its core results.
    public let postReturn: Function?
    /// Always ``StringEncoding/utf8``.
    public let stringEncoding: StringEncoding

    /// The options of a function that passes only scalars (no memory needed).
    public static var none: CanonicalOptions { CanonicalOptions(unchecked: nil, nil, nil) }

    /// Creates options after the checks that do not depend on a function type.
    ///
    /// - Throws: ``ComponentTrap/Code/invalidOptions`` if `stringEncoding` is not UTF-8, if
    ///   `realloc` is given without `memory`, or if `memory` is a 64-bit or shared memory;
    ///   ``ComponentTrap/Code/typeMismatch`` if `realloc` is not
    ///   `(func (param i32 i32 i32 i32) (result i32))`.
    public init(
        memory: Memory? = nil, realloc: Function? = nil, postReturn: Function? = nil,
        stringEncoding: StringEncoding = .utf8
    ) throws(ComponentTrap) {
        guard stringEncoding == .utf8 else {
            throw ComponentTrap(.unsupported, "string-encoding=\(stringEncoding) is not supported; only utf8 is")
        }
        if let memory {
            guard !memory.type.isMemory64 else {
                throw ComponentTrap(.invalidOptions, "a 64-bit memory cannot be a canonical option; only 32-bit memories are supported")
            }
            guard !memory.type.shared else {
                throw ComponentTrap(.invalidOptions, "a shared memory cannot be a canonical option")
            }
        }
        if let realloc {
            guard memory != nil else {
                throw ComponentTrap(.invalidOptions, "the realloc option requires the memory option")
            }
            let expected = WasmTypes.FunctionType(parameters: [.i32, .i32, .i32, .i32], results: [.i32])
            guard realloc.type == expected else {
                throw ComponentTrap(
                    .typeMismatch, "realloc has core type \(realloc.type), expected (i32, i32, i32, i32) -> i32")
            }
        }
        self.init(unchecked: memory, realloc, postReturn)
    }

    private init(unchecked memory: Memory?, _ realloc: Function?, _ postReturn: Function?) {
        self.memory = memory
        self.realloc = realloc
        self.postReturn = postReturn
        self.stringEncoding = .utf8
    }
}
