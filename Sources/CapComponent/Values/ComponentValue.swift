// A value crossing a component boundary, independent of any instance's memory.

/// A component-model value, as an embedder passes it to a component export or receives it in a
/// host import. Its meaning comes with a ``ValueType``: a record's fields and a tuple's
/// elements are in declaration order, a variant or enum case is its index, flags are the names
/// that are set.
///
/// A `list<u8>` is lifted as ``bytes(_:)``, one contiguous array rather than one value per
/// byte; lowering accepts either form, and the two compare equal when their bytes do.
public enum ComponentValue: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case s8(Int8)
    case u8(UInt8)
    case s16(Int16)
    case u16(UInt16)
    case s32(Int32)
    case u32(UInt32)
    case s64(Int64)
    case u64(UInt64)
    /// Compared by bit pattern, so that a NaN equals itself.
    case f32(Float)
    case f64(Double)
    case char(Unicode.Scalar)
    case string(String)
    case list([ComponentValue])
    /// A `list<u8>`.
    case bytes([UInt8])
    case record([ComponentValue])
    case tuple([ComponentValue])
    indirect case variant(case: Int, payload: ComponentValue?)
    case `enum`(case: Int)
    indirect case option(ComponentValue?)
    indirect case result(Result<ComponentValue?, ResultError>)
    case flags(Set<String>)
    /// An owned handle: whoever holds it must drop it or pass it on.
    case own(ResourceHandle)
    /// A borrowed handle, valid only for the call it was passed to.
    case borrow(ResourceHandle)

    /// The payload of a `result`'s error case.
    public struct ResultError: Error, Sendable, Hashable {
        public let value: ComponentValue?

        public init(_ value: ComponentValue?) {
            self.value = value
        }
    }

    public static func == (lhs: ComponentValue, rhs: ComponentValue) -> Bool {
        switch (lhs, rhs) {
        case (.f32(let a), .f32(let b)): a.bitPattern == b.bitPattern
        case (.f64(let a), .f64(let b)): a.bitPattern == b.bitPattern
        case (.bool(let a), .bool(let b)): a == b
        case (.s8(let a), .s8(let b)): a == b
        case (.u8(let a), .u8(let b)): a == b
        case (.s16(let a), .s16(let b)): a == b
        case (.u16(let a), .u16(let b)): a == b
        case (.s32(let a), .s32(let b)): a == b
        case (.u32(let a), .u32(let b)): a == b
        case (.s64(let a), .s64(let b)): a == b
        case (.u64(let a), .u64(let b)): a == b
        case (.char(let a), .char(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.bytes(let a), .list(let b)), (.list(let b), .bytes(let a)):
            a.count == b.count && zip(a, b).allSatisfy { byte, value in value == .u8(byte) }
        case (.list(let a), .list(let b)), (.record(let a), .record(let b)), (.tuple(let a), .tuple(let b)): a == b
        case (.variant(let a, let x), .variant(let b, let y)): a == b && x == y
        case (.enum(let a), .enum(let b)): a == b
        case (.option(let a), .option(let b)): a == b
        case (.result(let a), .result(let b)): a == b
        case (.flags(let a), .flags(let b)): a == b
        case (.own(let a), .own(let b)), (.borrow(let a), .borrow(let b)): a == b
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .f32(let value): hasher.combine(value.bitPattern)
        case .f64(let value): hasher.combine(value.bitPattern)
        default: hasher.combine(description)
        }
    }

    /// WAVE-like text, such as `[1, 2]`, `{a: "x"}`, `ok(3)` or `own<file>#7`.
    public var description: String {
        switch self {
        case .bool(let value): "\(value)"
        case .s8(let value): "\(value)"
        case .u8(let value): "\(value)"
        case .s16(let value): "\(value)"
        case .u16(let value): "\(value)"
        case .s32(let value): "\(value)"
        case .u32(let value): "\(value)"
        case .s64(let value): "\(value)"
        case .u64(let value): "\(value)"
        case .f32(let value): "\(value)"
        case .f64(let value): "\(value)"
        case .char(let value): "'\(value)'"
        case .string(let value): "\"\(value)\""
        case .list(let elements): "[\(elements.map(\.description).joined(separator: ", "))]"
        case .bytes(let bytes): "[\(bytes.map(\.description).joined(separator: ", "))]"
        case .record(let fields): "{\(fields.map(\.description).joined(separator: ", "))}"
        case .tuple(let elements): "(\(elements.map(\.description).joined(separator: ", ")))"
        case .variant(let index, let payload): "case\(index)" + (payload.map { "(\($0))" } ?? "")
        case .enum(let index): "case\(index)"
        case .option(let inner): inner.map { "some(\($0))" } ?? "none"
        case .result(.success(let value)): "ok" + (value.map { "(\($0))" } ?? "")
        case .result(.failure(let error)): "err" + (error.value.map { "(\($0))" } ?? "")
        case .flags(let names): "{\(names.sorted().joined(separator: ", "))}"
        case .own(let handle): "own<\(handle.type)>#\(handle.representation)"
        case .borrow(let handle): "borrow<\(handle.type)>#\(handle.representation)"
        }
    }
}

/// A resource value outside any handle table: its type and the representation its implementer
/// gave it (for host resources, whatever the host chose; for a component's own resources, the
/// `i32` passed to `resource.new`).
public struct ResourceHandle: Sendable, Hashable {
    public let type: ResourceType
    public let representation: UInt32

    public init(type: ResourceType, representation: UInt32) {
        self.type = type
        self.representation = representation
    }
}
