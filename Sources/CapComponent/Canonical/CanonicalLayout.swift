// A value type resolved once into what lifting and lowering need: size, alignment, flat types.
import WasmKit

/// A ``ValueType`` despecialized (tuples as records; enums, options and results as variants) and
/// annotated with its canonical ABI layout, computed once so that every call only walks it.
///
/// The numbers follow `alignment`, `elem_size`, `discriminant_type` and `flatten_type` of the
/// canonical ABI's `definitions.py` for 32-bit memories.
final class CanonicalLayout: Sendable {
    /// How the value is shaped in memory and in flat core values.
    enum Shape: Sendable {
        case bool
        case s8, u8, s16, u16, s32, u32, s64, u64
        case f32, f64
        case char
        case string
        case list(CanonicalLayout)
        /// A record or tuple: each field's layout and its byte offset from the start.
        case record(fields: [CanonicalLayout], offsets: [UInt32], style: RecordStyle)
        /// A variant, enum, option or result.
        case variant(VariantLayout)
        /// Flags stored as `wordCount` little-endian `i32`s (one `u8`/`u16` when 8/16 or fewer).
        case flags(labels: [String], byteSize: UInt32)
        case own(ResourceType)
        case borrow(ResourceType)

        var isU8: Bool {
            if case .u8 = self { true } else { false }
        }
    }

    /// Which ``ComponentValue`` case a record-shaped value is.
    enum RecordStyle: Sendable { case record, tuple }

    /// Which ``ComponentValue`` case a variant-shaped value is.
    enum VariantStyle: Sendable { case variant, `enum`, option, result }

    let type: ValueType
    let shape: Shape
    /// `elem_size`: the bytes a value occupies in memory (a multiple of ``alignment``).
    let size: UInt32
    /// `alignment`: 1, 2, 4 or 8.
    let alignment: UInt32
    /// `flatten_type`: the core values the type becomes when passed in registers.
    let flat: [WasmKit.ValueType]
    /// Whether storing a value calls `realloc` (it contains a string or a list).
    let needsRealloc: Bool
    /// Whether the type contains a `borrow` handle.
    let containsBorrow: Bool

    private init(
        type: ValueType, shape: Shape, size: UInt32, alignment: UInt32, flat: [WasmKit.ValueType],
        needsRealloc: Bool, containsBorrow: Bool
    ) {
        self.type = type
        self.shape = shape
        self.size = size
        self.alignment = alignment
        self.flat = flat
        self.needsRealloc = needsRealloc
        self.containsBorrow = containsBorrow
    }

    /// The layout of `type`.
    ///
    /// - Throws: ``ComponentTrap/Code/invalidType`` for types the canonical ABI cannot pass:
    ///   an empty record, tuple, variant, enum or flags, or one whose size exceeds 2^32 - 1.
    convenience init(_ type: ValueType) throws(ComponentTrap) {
        switch type {
        case .bool: self.init(primitive: type, .bool, 1, .i32)
        case .s8: self.init(primitive: type, .s8, 1, .i32)
        case .u8: self.init(primitive: type, .u8, 1, .i32)
        case .s16: self.init(primitive: type, .s16, 2, .i32)
        case .u16: self.init(primitive: type, .u16, 2, .i32)
        case .s32: self.init(primitive: type, .s32, 4, .i32)
        case .u32: self.init(primitive: type, .u32, 4, .i32)
        case .s64: self.init(primitive: type, .s64, 8, .i64)
        case .u64: self.init(primitive: type, .u64, 8, .i64)
        case .f32: self.init(primitive: type, .f32, 4, .f32)
        case .f64: self.init(primitive: type, .f64, 8, .f64)
        case .char: self.init(primitive: type, .char, 4, .i32)
        case .own(let resource):
            self.init(
                type: type, shape: .own(resource), size: 4, alignment: 4, flat: [.i32],
                needsRealloc: false, containsBorrow: false)
        case .borrow(let resource):
            self.init(
                type: type, shape: .borrow(resource), size: 4, alignment: 4, flat: [.i32],
                needsRealloc: false, containsBorrow: true)
        case .string:
            self.init(
                type: type, shape: .string, size: 8, alignment: 4, flat: [.i32, .i32],
                needsRealloc: true, containsBorrow: false)
        case .list(let element):
            let element = try CanonicalLayout(element)
            self.init(
                type: type, shape: .list(element), size: 8, alignment: 4, flat: [.i32, .i32],
                needsRealloc: true, containsBorrow: element.containsBorrow)
        case .record(let fields):
            try self.init(record: type, fields.map(\.type), style: .record)
        case .tuple(let elements):
            try self.init(record: type, elements, style: .tuple)
        case .variant(let cases):
            try self.init(variant: type, cases.map(\.type), style: .variant)
        case .enum(let names):
            try self.init(variant: type, names.map { _ in nil }, style: .enum)
        case .option(let some):
            try self.init(variant: type, [nil, some], style: .option)
        case .result(let ok, let error):
            try self.init(variant: type, [ok, error], style: .result)
        case .flags(let labels):
            guard !labels.isEmpty else { throw ComponentTrap(.invalidType, "flags type \(type) has no labels") }
            let byteSize: UInt32 = labels.count <= 8 ? 1 : labels.count <= 16 ? 2 : 4 * UInt32((labels.count + 31) / 32)
            self.init(
                type: type, shape: .flags(labels: labels, byteSize: byteSize), size: byteSize,
                alignment: min(byteSize, 4),
                flat: Array(repeating: .i32, count: (labels.count + 31) / 32),
                needsRealloc: false, containsBorrow: false)
        }
    }

    private convenience init(primitive type: ValueType, _ shape: Shape, _ size: UInt32, _ flat: WasmKit.ValueType) {
        self.init(
            type: type, shape: shape, size: size, alignment: size, flat: [flat],
            needsRealloc: false, containsBorrow: false)
    }

    private convenience init(record type: ValueType, _ types: [ValueType], style: RecordStyle) throws(ComponentTrap) {
        guard !types.isEmpty else { throw ComponentTrap(.invalidType, "\(type) has no fields") }
        var fields: [CanonicalLayout] = []
        var offsets: [UInt32] = []
        var size: UInt64 = 0
        var alignment: UInt32 = 1
        var flat: [WasmKit.ValueType] = []
        for fieldType in types {
            let field = try CanonicalLayout(fieldType)
            size = alignUp(size, field.alignment)
            offsets.append(UInt32(truncatingIfNeeded: size))
            size += UInt64(field.size)
            guard size <= UInt64(UInt32.max) else { throw ComponentTrap(.invalidType, "\(type) is larger than 4 GiB") }
            alignment = max(alignment, field.alignment)
            flat += field.flat
            fields.append(field)
        }
        size = alignUp(size, alignment)
        guard size <= UInt64(UInt32.max) else { throw ComponentTrap(.invalidType, "\(type) is larger than 4 GiB") }
        self.init(
            type: type, shape: .record(fields: fields, offsets: offsets, style: style),
            size: UInt32(size), alignment: alignment, flat: flat,
            needsRealloc: fields.contains { $0.needsRealloc },
            containsBorrow: fields.contains { $0.containsBorrow })
    }

    private convenience init(variant type: ValueType, _ payloads: [ValueType?], style: VariantStyle) throws(ComponentTrap) {
        guard !payloads.isEmpty else { throw ComponentTrap(.invalidType, "\(type) has no cases") }
        guard payloads.count <= Int(UInt32.max) else { throw ComponentTrap(.invalidType, "\(type) has too many cases") }
        var cases: [CanonicalLayout?] = []
        for payload in payloads {
            cases.append(try payload.map { payload throws(ComponentTrap) in try CanonicalLayout(payload) })
        }
        let variant = VariantLayout(cases: cases, style: style)
        let size = UInt64(variant.payloadOffset) + UInt64(cases.compactMap { $0?.size }.max() ?? 0)
        let alignment = max(variant.discriminantSize, variant.payloadAlignment)
        let total = alignUp(size, alignment)
        guard total <= UInt64(UInt32.max) else { throw ComponentTrap(.invalidType, "\(type) is larger than 4 GiB") }
        self.init(
            type: type, shape: .variant(variant), size: UInt32(total), alignment: alignment,
            flat: [.i32] + variant.joinedPayload,
            needsRealloc: cases.contains { $0?.needsRealloc ?? false },
            containsBorrow: cases.contains { $0?.containsBorrow ?? false })
    }
}

/// The layout of a variant-shaped type: its discriminant, where the payload starts, and how each
/// case's flat payload fits the joined flat types of all cases.
struct VariantLayout: Sendable {
    let cases: [CanonicalLayout?]
    let style: CanonicalLayout.VariantStyle
    /// `discriminant_type`: 1, 2 or 4 bytes.
    let discriminantSize: UInt32
    /// `max_case_alignment`.
    let payloadAlignment: UInt32
    /// The payload's byte offset: the discriminant size aligned up to ``payloadAlignment``.
    let payloadOffset: UInt32
    /// `flatten_variant` without the leading discriminant: the `join` of every case's flat types.
    let joinedPayload: [WasmKit.ValueType]
    /// For each case, whether its flat types differ from the joined prefix they occupy, so that
    /// values must be converted (`f32` carried in an `i32`, `i32` in an `i64`, ...).
    let needsCoercion: [Bool]

    init(cases: [CanonicalLayout?], style: CanonicalLayout.VariantStyle) {
        self.cases = cases
        self.style = style
        discriminantSize = cases.count <= 1 << 8 ? 1 : cases.count <= 1 << 16 ? 2 : 4
        payloadAlignment = cases.compactMap { $0?.alignment }.max() ?? 1
        payloadOffset = UInt32(alignUp(UInt64(discriminantSize), payloadAlignment))
        var joined: [WasmKit.ValueType] = []
        for case let payload? in cases {
            for (index, type) in payload.flat.enumerated() {
                if index < joined.count {
                    joined[index] = Self.join(joined[index], type)
                } else {
                    joined.append(type)
                }
            }
        }
        joinedPayload = joined
        needsCoercion = cases.map { payload in
            guard let payload else { return false }
            return !payload.flat.elementsEqual(joined.prefix(payload.flat.count))
        }
    }

    /// `join`: the smallest core type that can carry either.
    static func join(_ a: WasmKit.ValueType, _ b: WasmKit.ValueType) -> WasmKit.ValueType {
        if a == b { return a }
        if (a == .i32 && b == .f32) || (a == .f32 && b == .i32) { return .i32 }
        return .i64
    }
}

/// `align_to`.
@inline(__always)
func alignUp(_ value: UInt64, _ alignment: UInt32) -> UInt64 {
    let mask = UInt64(alignment) - 1
    return (value + mask) & ~mask
}
