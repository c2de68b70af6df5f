// Component-model value types as the canonical ABI sees them: every type index already resolved.

/// A component-model value type with every type index resolved, the way the canonical ABI and
/// embedders see it. Resource handles name their ``ResourceType`` by identity.
public indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
    case bool
    case s8, u8, s16, u16, s32, u32, s64, u64
    case f32, f64
    case char
    case string
    case list(ValueType)
    case record([Field])
    case tuple([ValueType])
    case variant([Case])
    case `enum`([String])
    case option(ValueType)
    case result(ok: ValueType?, error: ValueType?)
    case flags([String])
    case own(ResourceType)
    case borrow(ResourceType)

    /// A named field of a record.
    public struct Field: Sendable, Hashable {
        public let name: String
        public let type: ValueType

        public init(_ name: String, _ type: ValueType) {
            self.name = name
            self.type = type
        }
    }

    /// A named case of a variant, with an optional payload.
    public struct Case: Sendable, Hashable {
        public let name: String
        public let type: ValueType?

        public init(_ name: String, _ type: ValueType? = nil) {
            self.name = name
            self.type = type
        }
    }

    /// WIT spelling, such as `list<tuple<u8, string>>` or `own<descriptor>`.
    public var description: String {
        switch self {
        case .bool: "bool"
        case .s8: "s8"
        case .u8: "u8"
        case .s16: "s16"
        case .u16: "u16"
        case .s32: "s32"
        case .u32: "u32"
        case .s64: "s64"
        case .u64: "u64"
        case .f32: "f32"
        case .f64: "f64"
        case .char: "char"
        case .string: "string"
        case .list(let element): "list<\(element)>"
        case .record(let fields): "record { \(fields.map { "\($0.name): \($0.type)" }.joined(separator: ", ")) }"
        case .tuple(let elements): "tuple<\(elements.map(\.description).joined(separator: ", "))>"
        case .variant(let cases):
            "variant { \(cases.map { item in item.type.map { "\(item.name)(\($0))" } ?? item.name }.joined(separator: ", ")) }"
        case .enum(let names): "enum { \(names.joined(separator: ", ")) }"
        case .option(let inner): "option<\(inner)>"
        case .result(let ok, let error): "result<\(ok.map(\.description) ?? "_"), \(error.map(\.description) ?? "_")>"
        case .flags(let names): "flags { \(names.joined(separator: ", ")) }"
        case .own(let resource): "own<\(resource.name)>"
        case .borrow(let resource): "borrow<\(resource.name)>"
        }
    }
}

/// A component function's signature: named parameters and at most one result.
public struct FunctionType: Sendable, Hashable, CustomStringConvertible {
    public let parameters: [ValueType.Field]
    public let result: ValueType?

    public init(parameters: [ValueType.Field], result: ValueType?) {
        self.parameters = parameters
        self.result = result
    }

    /// WIT spelling, such as `func(path: string, flags: u32) -> result<own<descriptor>, error-code>`.
    public var description: String {
        "func(\(parameters.map { "\($0.name): \($0.type)" }.joined(separator: ", ")))" + (result.map { " -> \($0)" } ?? "")
    }
}
