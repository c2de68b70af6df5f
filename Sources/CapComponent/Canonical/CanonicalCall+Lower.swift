// Lowering: ComponentValues into core values and guest memory (`lower_flat`, `store`, `lower_own`, ...).
import WasmKit

extension CanonicalCall {
    /// `lower_flat`: appends the flat values of `value`, of type `layout`, to `writer`.
    func lowerFlat(_ value: ComponentValue, _ layout: CanonicalLayout, into writer: inout FlatWriter) throws {
        switch (layout.shape, value) {
        case (.bool, .bool(let v)): try writer.put(.i32(v ? 1 : 0))
        case (.s8, .s8(let v)): try writer.put(.i32(UInt32(bitPattern: Int32(v))))
        case (.u8, .u8(let v)): try writer.put(.i32(UInt32(v)))
        case (.s16, .s16(let v)): try writer.put(.i32(UInt32(bitPattern: Int32(v))))
        case (.u16, .u16(let v)): try writer.put(.i32(UInt32(v)))
        case (.s32, .s32(let v)): try writer.put(.i32(UInt32(bitPattern: v)))
        case (.u32, .u32(let v)): try writer.put(.i32(v))
        case (.s64, .s64(let v)): try writer.put(.i64(UInt64(bitPattern: v)))
        case (.u64, .u64(let v)): try writer.put(.i64(v))
        case (.f32, .f32(let v)): try writer.put(.f32(CanonicalNaN.bits(v)))
        case (.f64, .f64(let v)): try writer.put(.f64(CanonicalNaN.bits(v)))
        case (.char, .char(let v)): try writer.put(.i32(v.value))
        case (.string, .string(let v)):
            let (pointer, length) = try storeString(v)
            try writer.put(.i32(pointer))
            try writer.put(.i32(length))
        case (.list(let element), .list(let elements)):
            let (pointer, length) = try storeList(elements, element)
            try writer.put(.i32(pointer))
            try writer.put(.i32(length))
        case (.list(let element), .bytes(let bytes)) where element.shape.isU8:
            let (pointer, length) = try storeBytes(bytes)
            try writer.put(.i32(pointer))
            try writer.put(.i32(length))
        case (.record(let fields, _, let style), _):
            let values = try Self.fields(of: value, style, count: fields.count, layout)
            for (field, fieldValue) in zip(fields, values) {
                try lowerFlat(fieldValue, field, into: &writer)
            }
        case (.variant(let variant), _):
            let (index, payload) = try Self.variantCase(of: value, variant, layout)
            try writer.put(.i32(UInt32(index)))
            let start = writer.index
            if let caseLayout = variant.cases[index], let payload {
                try lowerFlat(payload, caseLayout, into: &writer)
                if variant.needsCoercion[index] {
                    for position in 0..<caseLayout.flat.count {
                        writer.values[start + position] = Self.coerce(
                            writer.values[start + position], to: variant.joinedPayload[position])
                    }
                }
            }
            while writer.index < start + variant.joinedPayload.count {
                try writer.put(Self.zero(variant.joinedPayload[writer.index - start]))
            }
        case (.flags(let labels, _), .flags(let names)):
            for word in try Self.flagWords(names, labels, layout) {
                try writer.put(.i32(word))
            }
        case (.own(let resource), .own(let handle)): try writer.put(.i32(try lowerOwn(handle, resource)))
        case (.borrow(let resource), .borrow(let handle)): try writer.put(.i32(try lowerBorrow(handle, resource)))
        default:
            throw Self.mismatch(value, layout)
        }
    }

    /// The `lower_flat_variant` conversions from a case's flat type to the joined one.
    private static func coerce(_ value: Value, to want: WasmKit.ValueType) -> Value {
        switch (value, want) {
        case (.f32(let bits), .i32): .i32(bits)
        case (.i32(let bits), .i64): .i64(UInt64(bits))
        case (.f32(let bits), .i64): .i64(UInt64(bits))
        case (.f64(let bits), .i64): .i64(bits)
        default: value
        }
    }

    private static func zero(_ type: WasmKit.ValueType) -> Value {
        switch type {
        case .i64: .i64(0)
        case .f32: .f32(0)
        case .f64: .f64(0)
        default: .i32(0)
        }
    }

    /// `store`: writes `value` at `pointer`, whose `layout.size` bytes the caller has checked
    /// to be aligned and inside memory. Strings and lists inside are allocated with `realloc`.
    func store(_ value: ComponentValue, _ layout: CanonicalLayout, at pointer: UInt32) throws {
        guard layout.needsRealloc else {
            try withMutableBytes(at: pointer, count: layout.size) { buffer in
                try storeInline(value, layout, into: buffer, at: 0)
            }
            return
        }
        switch (layout.shape, value) {
        case (.string, .string(let v)):
            let (address, length) = try storeString(v)
            try storePair(address, length, at: pointer)
        case (.list(let element), .list(let elements)):
            let (address, length) = try storeList(elements, element)
            try storePair(address, length, at: pointer)
        case (.list(let element), .bytes(let bytes)) where element.shape.isU8:
            let (address, length) = try storeBytes(bytes)
            try storePair(address, length, at: pointer)
        case (.record(let fields, let offsets, let style), _):
            let values = try Self.fields(of: value, style, count: fields.count, layout)
            for index in fields.indices {
                try store(values[index], fields[index], at: pointer + offsets[index])
            }
        case (.variant(let variant), _):
            let (index, payload) = try Self.variantCase(of: value, variant, layout)
            try withMutableBytes(at: pointer, count: variant.discriminantSize) { buffer in
                Self.storeDiscriminant(index, variant, into: buffer, at: 0)
            }
            if let caseLayout = variant.cases[index], let payload {
                try store(payload, caseLayout, at: pointer + variant.payloadOffset)
            }
        default:
            throw Self.mismatch(value, layout)
        }
    }

    private func storePair(_ first: UInt32, _ second: UInt32, at pointer: UInt32) throws {
        try withMutableBytes(at: pointer, count: 8) { buffer in
            buffer.storeBytes(of: first.littleEndian, toByteOffset: 0, as: UInt32.self)
            buffer.storeBytes(of: second.littleEndian, toByteOffset: 4, as: UInt32.self)
        }
    }

    /// `store` for types that need no `realloc`, into a buffer that holds `layout.size` bytes
    /// at `offset`.
    func storeInline(
        _ value: ComponentValue, _ layout: CanonicalLayout, into buffer: UnsafeMutableRawBufferPointer, at offset: Int
    ) throws {
        switch (layout.shape, value) {
        case (.bool, .bool(let v)): buffer.storeBytes(of: v ? 1 : 0, toByteOffset: offset, as: UInt8.self)
        case (.s8, .s8(let v)): buffer.storeBytes(of: v, toByteOffset: offset, as: Int8.self)
        case (.u8, .u8(let v)): buffer.storeBytes(of: v, toByteOffset: offset, as: UInt8.self)
        case (.s16, .s16(let v)): buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: Int16.self)
        case (.u16, .u16(let v)): buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt16.self)
        case (.s32, .s32(let v)): buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: Int32.self)
        case (.u32, .u32(let v)): buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt32.self)
        case (.s64, .s64(let v)): buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: Int64.self)
        case (.u64, .u64(let v)): buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt64.self)
        case (.f32, .f32(let v)): buffer.storeBytes(of: CanonicalNaN.bits(v).littleEndian, toByteOffset: offset, as: UInt32.self)
        case (.f64, .f64(let v)): buffer.storeBytes(of: CanonicalNaN.bits(v).littleEndian, toByteOffset: offset, as: UInt64.self)
        case (.char, .char(let v)): buffer.storeBytes(of: v.value.littleEndian, toByteOffset: offset, as: UInt32.self)
        case (.record(let fields, let offsets, let style), _):
            let values = try Self.fields(of: value, style, count: fields.count, layout)
            for index in fields.indices {
                try storeInline(values[index], fields[index], into: buffer, at: offset + Int(offsets[index]))
            }
        case (.variant(let variant), _):
            let (index, payload) = try Self.variantCase(of: value, variant, layout)
            Self.storeDiscriminant(index, variant, into: buffer, at: offset)
            if let caseLayout = variant.cases[index], let payload {
                try storeInline(payload, caseLayout, into: buffer, at: offset + Int(variant.payloadOffset))
            }
        case (.flags(let labels, let byteSize), .flags(let names)):
            let words = try Self.flagWords(names, labels, layout)
            switch byteSize {
            case 1: buffer.storeBytes(of: UInt8(truncatingIfNeeded: words[0]), toByteOffset: offset, as: UInt8.self)
            case 2: buffer.storeBytes(of: UInt16(truncatingIfNeeded: words[0]).littleEndian, toByteOffset: offset, as: UInt16.self)
            default:
                for (position, word) in words.enumerated() {
                    buffer.storeBytes(of: word.littleEndian, toByteOffset: offset + 4 * position, as: UInt32.self)
                }
            }
        case (.own(let resource), .own(let handle)):
            buffer.storeBytes(of: try lowerOwn(handle, resource).littleEndian, toByteOffset: offset, as: UInt32.self)
        case (.borrow(let resource), .borrow(let handle)):
            buffer.storeBytes(of: try lowerBorrow(handle, resource).littleEndian, toByteOffset: offset, as: UInt32.self)
        default:
            throw Self.mismatch(value, layout)
        }
    }

    private static func storeDiscriminant(_ index: Int, _ variant: VariantLayout, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        switch variant.discriminantSize {
        case 1: buffer.storeBytes(of: UInt8(index), toByteOffset: offset, as: UInt8.self)
        case 2: buffer.storeBytes(of: UInt16(index).littleEndian, toByteOffset: offset, as: UInt16.self)
        default: buffer.storeBytes(of: UInt32(index).littleEndian, toByteOffset: offset, as: UInt32.self)
        }
    }

    /// `store_string_copy` for UTF-8: allocates the bytes and copies them in.
    func storeString(_ string: String) throws -> (pointer: UInt32, length: UInt32) {
        var string = string
        return try string.withUTF8 { bytes in
            let pointer = try allocate(alignment: 1, size: UInt64(bytes.count), for: "a string of \(bytes.count) bytes")
            if bytes.count > 0 {
                try withMutableBytes(at: pointer, count: UInt32(bytes.count)) { buffer in
                    buffer.copyMemory(from: UnsafeRawBufferPointer(bytes))
                }
            }
            return (pointer, UInt32(bytes.count))
        }
    }

    /// `store_list_into_range` of a `list<u8>` given as bytes: one copy.
    func storeBytes(_ bytes: [UInt8]) throws -> (pointer: UInt32, length: UInt32) {
        let pointer = try allocate(alignment: 1, size: UInt64(bytes.count), for: "a list of \(bytes.count) u8 elements")
        if !bytes.isEmpty {
            try withMutableBytes(at: pointer, count: UInt32(bytes.count)) { buffer in
                bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            }
        }
        return (pointer, UInt32(bytes.count))
    }

    /// `store_list_into_range`: allocates the elements and stores each.
    func storeList(_ elements: [ComponentValue], _ element: CanonicalLayout) throws -> (pointer: UInt32, length: UInt32) {
        let byteLength = UInt64(elements.count) * UInt64(element.size)
        let pointer = try allocate(
            alignment: element.alignment, size: byteLength, for: "a list of \(elements.count) \(element.type) elements")
        if element.needsRealloc {
            for (position, value) in elements.enumerated() {
                try store(value, element, at: pointer + UInt32(position) * element.size)
            }
        } else if !elements.isEmpty {
            try withMutableBytes(at: pointer, count: UInt32(byteLength)) { buffer in
                var offset = 0
                for value in elements {
                    try storeInline(value, element, into: buffer, at: offset)
                    offset += Int(element.size)
                }
            }
        }
        return (pointer, UInt32(elements.count))
    }

    /// `lower_flat_values` of a lifted call's arguments: flat, or (when they spill) stored in a
    /// tuple allocated with `realloc` and passed as one pointer.
    func lowerArguments(
        _ values: [ComponentValue], _ signature: CanonicalSignature, into writer: inout FlatWriter
    ) throws {
        if let tuple = signature.parameterTuple, case .record(let fields, let offsets, _) = tuple.shape {
            let pointer = try allocate(alignment: tuple.alignment, size: UInt64(tuple.size), for: "the spilled parameters")
            for index in fields.indices {
                try store(values[index], fields[index], at: pointer + offsets[index])
            }
            try writer.put(.i32(pointer))
        } else {
            for (value, layout) in zip(values, signature.parameters) {
                try lowerFlat(value, layout, into: &writer)
            }
        }
    }

    // MARK: Handles

    /// `lower_own`: a new `own` handle in this instance's table.
    func lowerOwn(_ handle: ResourceHandle, _ type: ResourceType) throws -> UInt32 {
        guard handle.type === type else {
            throw ComponentTrap(.typeMismatch, "expected own<\(type)>, got own<\(handle.type)>")
        }
        return try instance.handles.add(
            HandleEntry(type: type, representation: handle.representation, isOwn: true, borrowScope: nil, lendCount: 0))
    }

    /// `lower_borrow`: the bare representation if this instance implements the type, else a
    /// new `borrow` handle that must be dropped before the call returns.
    func lowerBorrow(_ handle: ResourceHandle, _ type: ResourceType) throws -> UInt32 {
        guard handle.type === type else {
            throw ComponentTrap(.typeMismatch, "expected borrow<\(type)>, got borrow<\(handle.type)>")
        }
        guard let borrowScope else {
            throw ComponentTrap(.invalidType, "a borrow<\(type)> can only be passed as an argument")
        }
        if instance.resources.isImplemented(type, by: instance) {
            return handle.representation
        }
        let index = try instance.handles.add(
            HandleEntry(type: type, representation: handle.representation, isOwn: false, borrowScope: borrowScope, lendCount: 0))
        borrowScope.outstanding += 1
        return index
    }

    // MARK: Despecializing values

    static func fields(
        of value: ComponentValue, _ style: CanonicalLayout.RecordStyle, count: Int, _ layout: CanonicalLayout
    ) throws(ComponentTrap) -> [ComponentValue] {
        switch (style, value) {
        case (.record, .record(let values)), (.tuple, .tuple(let values)):
            guard values.count == count else {
                throw ComponentTrap(.typeMismatch, "expected \(layout.type) with \(count) fields, got \(values.count)")
            }
            return values
        default:
            throw mismatch(value, layout)
        }
    }

    /// `match_case`: the case index and payload of a variant-shaped value.
    static func variantCase(
        of value: ComponentValue, _ variant: VariantLayout, _ layout: CanonicalLayout
    ) throws(ComponentTrap) -> (Int, ComponentValue?) {
        let index: Int
        let payload: ComponentValue?
        switch (variant.style, value) {
        case (.variant, .variant(let i, let p)): (index, payload) = (i, p)
        case (.enum, .enum(let i)): (index, payload) = (i, nil)
        case (.option, .option(nil)): (index, payload) = (0, nil)
        case (.option, .option(let p?)): (index, payload) = (1, p)
        case (.result, .result(.success(let p))): (index, payload) = (0, p)
        case (.result, .result(.failure(let e))): (index, payload) = (1, e.value)
        default: throw mismatch(value, layout)
        }
        guard variant.cases.indices.contains(index) else {
            throw ComponentTrap(.typeMismatch, "case \(index) is not a case of \(layout.type)")
        }
        guard (variant.cases[index] == nil) == (payload == nil) else {
            throw ComponentTrap(
                .typeMismatch,
                variant.cases[index] == nil
                    ? "case \(index) of \(layout.type) has no payload, but one was given"
                    : "case \(index) of \(layout.type) needs a payload, but none was given")
        }
        return (index, payload)
    }

    /// `pack_flags_into_int`, one `i32` per 32 labels; names that are not labels are refused.
    static func flagWords(_ names: Set<String>, _ labels: [String], _ layout: CanonicalLayout) throws(ComponentTrap) -> [UInt32] {
        var words = [UInt32](repeating: 0, count: (labels.count + 31) / 32)
        var matched = 0
        for (position, label) in labels.enumerated() where names.contains(label) {
            words[position / 32] |= 1 << UInt32(position % 32)
            matched += 1
        }
        guard matched == names.count else {
            let unknown = names.subtracting(labels).sorted()
            throw ComponentTrap(.typeMismatch, "\(unknown) are not flags of \(layout.type)")
        }
        return words
    }

    static func mismatch(_ value: ComponentValue, _ layout: CanonicalLayout) -> ComponentTrap {
        ComponentTrap(.typeMismatch, "expected a value of type \(layout.type), got \(value.kindDescription)")
    }
}

extension ComponentValue {
    /// A short description of the value's kind for messages, without its (possibly long) contents.
    var kindDescription: String {
        switch self {
        case .bool: "a bool"
        case .s8: "an s8"
        case .u8: "a u8"
        case .s16: "an s16"
        case .u16: "a u16"
        case .s32: "an s32"
        case .u32: "a u32"
        case .s64: "an s64"
        case .u64: "a u64"
        case .f32: "an f32"
        case .f64: "an f64"
        case .char: "a char"
        case .string: "a string"
        case .list(let elements): "a list of \(elements.count) elements"
        case .bytes(let bytes): "a list of \(bytes.count) bytes"
        case .record(let fields): "a record of \(fields.count) fields"
        case .tuple(let elements): "a tuple of \(elements.count) elements"
        case .variant(let index, _): "variant case \(index)"
        case .enum(let index): "enum case \(index)"
        case .option: "an option"
        case .result: "a result"
        case .flags: "flags"
        case .own(let handle): "own<\(handle.type)>"
        case .borrow(let handle): "borrow<\(handle.type)>"
        }
    }
}
