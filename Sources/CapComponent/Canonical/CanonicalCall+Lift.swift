// Lifting: core values and guest memory into ComponentValues (`lift_flat`, `load`, `lift_own`, ...).
import WasmKit

extension CanonicalCall {
    /// `lift_flat`: the value of type `layout` whose flat values come next in `reader`.
    mutating func liftFlat(_ layout: CanonicalLayout, from reader: inout FlatReader, _ view: MemoryView) throws -> ComponentValue {
        switch layout.shape {
        case .bool: return .bool(try reader.nextI32() != 0)
        case .s8: return .s8(Int8(truncatingIfNeeded: try reader.nextI32()))
        case .u8: return .u8(UInt8(truncatingIfNeeded: try reader.nextI32()))
        case .s16: return .s16(Int16(truncatingIfNeeded: try reader.nextI32()))
        case .u16: return .u16(UInt16(truncatingIfNeeded: try reader.nextI32()))
        case .s32: return .s32(Int32(bitPattern: try reader.nextI32()))
        case .u32: return .u32(try reader.nextI32())
        case .s64: return .s64(Int64(bitPattern: try reader.nextI64()))
        case .u64: return .u64(try reader.nextI64())
        case .f32: return .f32(CanonicalNaN.canonical(try reader.nextF32()))
        case .f64: return .f64(CanonicalNaN.canonical(try reader.nextF64()))
        case .char: return try Self.char(try reader.nextI32())
        case .string:
            let pointer = try reader.nextI32()
            return try loadString(at: pointer, length: try reader.nextI32(), view)
        case .list(let element):
            let pointer = try reader.nextI32()
            return try loadList(element, at: pointer, length: try reader.nextI32(), view)
        case .record(let fields, _, let style):
            var values: [ComponentValue] = []
            values.reserveCapacity(fields.count)
            for field in fields {
                values.append(try liftFlat(field, from: &reader, view))
            }
            return Self.record(style, values)
        case .variant(let variant):
            return try liftFlatVariant(variant, from: &reader, view)
        case .flags(let labels, _):
            var words: [UInt32] = []
            for _ in 0..<layout.flat.count {
                words.append(try reader.nextI32())
            }
            return Self.flags(labels, words)
        case .own(let resource): return try liftOwn(try reader.nextI32(), resource)
        case .borrow(let resource): return try liftBorrow(try reader.nextI32(), resource)
        }
    }

    /// `lift_flat_variant`: reads the discriminant, then the case's payload from the joined
    /// flat types (converting where the case's own flat type differs), then skips the rest.
    private mutating func liftFlatVariant(_ variant: VariantLayout, from reader: inout FlatReader, _ view: MemoryView) throws -> ComponentValue {
        let index = try reader.nextI32()
        guard index < variant.cases.count else {
            throw ComponentTrap(.invalidDiscriminant, "discriminant \(index) names no case of a type with \(variant.cases.count) cases")
        }
        let start = reader.index
        var payload: ComponentValue?
        if let layout = variant.cases[Int(index)] {
            if variant.needsCoercion[Int(index)] {
                var coerced: [Value] = []
                for (position, want) in layout.flat.enumerated() {
                    coerced.append(Self.coerce(try reader.next(), from: variant.joinedPayload[position], to: want))
                }
                payload = try coerced.withUnsafeBufferPointer { buffer in
                    var inner = FlatReader(buffer)
                    return try liftFlat(layout, from: &inner, view)
                }
            } else {
                payload = try liftFlat(layout, from: &reader, view)
            }
        }
        reader.index = start + variant.joinedPayload.count
        guard reader.index <= reader.values.count else {
            throw ComponentTrap(.typeMismatch, "the core function passed fewer flat values than its signature requires")
        }
        return Self.variant(variant.style, Int(index), payload)
    }

    /// The `CoerceValueIter` conversions from a joined flat type back to a case's own.
    private static func coerce(_ value: Value, from have: WasmKit.ValueType, to want: WasmKit.ValueType) -> Value {
        switch (value, want) {
        case (.i32(let bits), .f32): .f32(bits)
        case (.i64(let bits), .i32): .i32(UInt32(truncatingIfNeeded: bits))
        case (.i64(let bits), .f32): .f32(UInt32(truncatingIfNeeded: bits))
        case (.i64(let bits), .f64): .f64(bits)
        default: value
        }
    }

    /// `load`: the value of type `layout` at `offset`, whose `layout.size` bytes the caller has
    /// checked to be aligned and inside memory.
    mutating func load(_ layout: CanonicalLayout, at offset: UInt64, _ view: MemoryView) throws -> ComponentValue {
        switch layout.shape {
        case .bool: return .bool(view.load(UInt8.self, at: offset) != 0)
        case .s8: return .s8(view.load(Int8.self, at: offset))
        case .u8: return .u8(view.load(UInt8.self, at: offset))
        case .s16: return .s16(view.load(Int16.self, at: offset))
        case .u16: return .u16(view.load(UInt16.self, at: offset))
        case .s32: return .s32(view.load(Int32.self, at: offset))
        case .u32: return .u32(view.load(UInt32.self, at: offset))
        case .s64: return .s64(view.load(Int64.self, at: offset))
        case .u64: return .u64(view.load(UInt64.self, at: offset))
        case .f32: return .f32(CanonicalNaN.canonical(view.load(UInt32.self, at: offset)))
        case .f64: return .f64(CanonicalNaN.canonical(view.load(UInt64.self, at: offset)))
        case .char: return try Self.char(view.load(UInt32.self, at: offset))
        case .string:
            return try loadString(
                at: view.load(UInt32.self, at: offset), length: view.load(UInt32.self, at: offset + 4), view)
        case .list(let element):
            return try loadList(
                element, at: view.load(UInt32.self, at: offset), length: view.load(UInt32.self, at: offset + 4), view)
        case .record(let fields, let offsets, let style):
            var values: [ComponentValue] = []
            values.reserveCapacity(fields.count)
            for (field, fieldOffset) in zip(fields, offsets) {
                values.append(try load(field, at: offset + UInt64(fieldOffset), view))
            }
            return Self.record(style, values)
        case .variant(let variant):
            let index: UInt32
            switch variant.discriminantSize {
            case 1: index = UInt32(view.load(UInt8.self, at: offset))
            case 2: index = UInt32(view.load(UInt16.self, at: offset))
            default: index = view.load(UInt32.self, at: offset)
            }
            guard index < variant.cases.count else {
                throw ComponentTrap(.invalidDiscriminant, "discriminant \(index) at \(offset) names no case of a type with \(variant.cases.count) cases")
            }
            let payload = try variant.cases[Int(index)].map { payload in
                try load(payload, at: offset + UInt64(variant.payloadOffset), view)
            }
            return Self.variant(variant.style, Int(index), payload)
        case .flags(let labels, let byteSize):
            let words: [UInt32]
            switch byteSize {
            case 1: words = [UInt32(view.load(UInt8.self, at: offset))]
            case 2: words = [UInt32(view.load(UInt16.self, at: offset))]
            default: words = (0..<UInt64(byteSize / 4)).map { view.load(UInt32.self, at: offset + 4 * $0) }
            }
            return Self.flags(labels, words)
        case .own(let resource): return try liftOwn(view.load(UInt32.self, at: offset), resource)
        case .borrow(let resource): return try liftBorrow(view.load(UInt32.self, at: offset), resource)
        }
    }

    /// `load_string_from_range` for UTF-8: bounded length, in bounds, valid UTF-8.
    mutating func loadString(at pointer: UInt32, length: UInt32, _ view: MemoryView) throws -> ComponentValue {
        .string(try Self.string(at: pointer, length: length, view))
    }

    /// ``loadString(at:length:_:)``'s string itself.
    static func string(at pointer: UInt32, length: UInt32, _ view: MemoryView) throws(ComponentTrap) -> String {
        let bytes = try stringBytes(at: pointer, length: length, view)
        guard length > 0 else { return "" }
        guard let string = String(validUTF8: bytes) else {
            throw ComponentTrap(.invalidUTF8, "the string at \(pointer) with \(length) bytes is not valid UTF-8")
        }
        return string
    }

    /// `load_string_from_range` without the copy: the string's UTF-8 where it lies in guest
    /// memory, bounded and in bounds; its UTF-8 is the caller's to check.
    static func stringBytes(at pointer: UInt32, length: UInt32, _ view: MemoryView) throws(ComponentTrap) -> UnsafeRawBufferPointer {
        guard UInt64(length) <= maxByteLength else {
            throw ComponentTrap(.tooLong, "a string of \(length) bytes is longer than the limit of \(maxByteLength)")
        }
        guard UInt64(pointer) + UInt64(length) <= UInt64(view.bytes.count) else {
            throw ComponentTrap(
                .outOfBounds, "a string at \(pointer) with \(length) bytes lies outside memory of \(view.bytes.count) bytes")
        }
        guard length > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: view.bytes[Int(pointer)..<Int(pointer) + Int(length)])
    }

    /// `load_list_from_range`: bounded byte length, aligned, in bounds, then each element.
    mutating func loadList(_ element: CanonicalLayout, at pointer: UInt32, length: UInt32, _ view: MemoryView) throws -> ComponentValue {
        let byteLength = UInt64(length) * UInt64(element.size)
        guard byteLength <= maxByteLength else {
            throw ComponentTrap(.tooLong, "a list of \(length) \(element.type) elements (\(byteLength) bytes) is longer than the limit of \(maxByteLength) bytes")
        }
        guard pointer & (element.alignment - 1) == 0 else {
            throw ComponentTrap(.misaligned, "a list of \(element.type) at \(pointer) is not aligned to \(element.alignment) bytes")
        }
        guard UInt64(pointer) + byteLength <= UInt64(view.bytes.count) else {
            throw ComponentTrap(
                .outOfBounds, "a list at \(pointer) with \(byteLength) bytes lies outside memory of \(view.bytes.count) bytes")
        }
        if element.shape.isU8 {
            return .bytes(Array(view.bytes[Int(pointer)..<Int(pointer) + Int(length)]))
        }
        if let elements = Self.primitiveElements(element, at: UInt64(pointer), count: Int(length), view) {
            return .list(elements)
        }
        var elements: [ComponentValue] = []
        elements.reserveCapacity(Int(length))
        var offset = UInt64(pointer)
        for _ in 0..<length {
            elements.append(try load(element, at: offset, view))
            offset += UInt64(element.size)
        }
        return .list(elements)
    }

    /// The elements of a list of fixed-size integers or floats, read in one tight loop rather
    /// than through `load` for each; nil for any other element type.
    private static func primitiveElements(_ element: CanonicalLayout, at start: UInt64, count: Int, _ view: MemoryView) -> [ComponentValue]? {
        func read<T: FixedWidthInteger>(_: T.Type, _ make: (T) -> ComponentValue) -> [ComponentValue] {
            let size = UInt64(MemoryLayout<T>.size)
            return (0..<UInt64(count)).map { index in make(view.load(T.self, at: start + index * size)) }
        }
        switch element.shape {
        case .s8: return read(Int8.self) { .s8($0) }
        case .s16: return read(Int16.self) { .s16($0) }
        case .u16: return read(UInt16.self) { .u16($0) }
        case .s32: return read(Int32.self) { .s32($0) }
        case .u32: return read(UInt32.self) { .u32($0) }
        case .s64: return read(Int64.self) { .s64($0) }
        case .u64: return read(UInt64.self) { .u64($0) }
        case .f32: return read(UInt32.self) { .f32(CanonicalNaN.canonical($0)) }
        case .f64: return read(UInt64.self) { .f64(CanonicalNaN.canonical($0)) }
        default: return nil
        }
    }

    /// `lift_flat_values`: the parameters or result, from flat values or, when they spilled,
    /// from the tuple a pointer in `reader` points at.
    mutating func liftValues(
        _ layouts: [CanonicalLayout], tuple: CanonicalLayout?, from reader: inout FlatReader, _ view: MemoryView,
        what: @autoclosure () -> String
    ) throws -> [ComponentValue] {
        var values: [ComponentValue] = []
        values.reserveCapacity(layouts.count)
        if let tuple, case .record(let fields, let offsets, _) = tuple.shape {
            let pointer = try reader.nextI32()
            try checkRange(pointer, UInt64(tuple.size), alignment: tuple.alignment, what())
            for (field, offset) in zip(fields, offsets) {
                values.append(try load(field, at: UInt64(pointer) + UInt64(offset), view))
            }
        } else {
            for layout in layouts {
                values.append(try liftFlat(layout, from: &reader, view))
            }
        }
        return values
    }

    // MARK: Handles

    /// `lift_own`: moves an `own` handle out of the table and gives up its representation.
    func liftOwn(_ index: UInt32, _ type: ResourceType) throws(ComponentTrap) -> ComponentValue {
        .own(try Self.liftOwn(index, type, from: instance))
    }

    /// ``liftOwn(_:_:)`` from `instance`'s table.
    static func liftOwn(_ index: UInt32, _ type: ResourceType, from instance: ComponentInstanceState) throws(ComponentTrap) -> ResourceHandle {
        let entry = try instance.handles.entry(index)
        try ComponentInstanceState.check(entry, index, is: type)
        guard entry.isOwn else {
            throw ComponentTrap(.wrongHandleKind, "handle \(index) is a borrow of \(type), but an own handle is required")
        }
        guard entry.lendCount == 0 else {
            throw ComponentTrap(.handleLent, "own handle \(index) of \(type) cannot be moved: it is lent to \(entry.lendCount) call(s) in progress")
        }
        instance.handles.remove(index)
        return entry.handle
    }

    /// `lift_borrow`: lends any handle of the type to the call in progress.
    mutating func liftBorrow(_ index: UInt32, _ type: ResourceType) throws(ComponentTrap) -> ComponentValue {
        .borrow(try Self.liftBorrow(index, type, from: instance, lends: &lenders))
    }

    /// ``liftBorrow(_:_:)`` from `instance`'s table, the lend recorded in `lends`.
    static func liftBorrow(
        _ index: UInt32, _ type: ResourceType, from instance: ComponentInstanceState, lends: inout Lends
    ) throws(ComponentTrap) -> ResourceHandle {
        let entry = try instance.handles.entry(index)
        try ComponentInstanceState.check(entry, index, is: type)
        instance.handles.lend(index)
        lends.append(index)
        return entry.handle
    }

    // MARK: Respecializing

    static func char(_ code: UInt32) throws(ComponentTrap) -> ComponentValue {
        guard let scalar = Unicode.Scalar(code) else {
            throw ComponentTrap(.invalidChar, "\(code) (0x\(String(code, radix: 16))) is not a Unicode scalar value")
        }
        return .char(scalar)
    }

    static func record(_ style: CanonicalLayout.RecordStyle, _ values: [ComponentValue]) -> ComponentValue {
        switch style {
        case .record: .record(values)
        case .tuple: .tuple(values)
        }
    }

    static func variant(_ style: CanonicalLayout.VariantStyle, _ index: Int, _ payload: ComponentValue?) -> ComponentValue {
        switch style {
        case .variant: .variant(case: index, payload: payload)
        case .enum: .enum(case: index)
        case .option: .option(index == 0 ? nil : payload)
        case .result: .result(index == 0 ? .success(payload) : .failure(ComponentValue.ResultError(payload)))
        }
    }

    /// `unpack_flags_from_int`: bits beyond the last label are ignored.
    static func flags(_ labels: [String], _ words: [UInt32]) -> ComponentValue {
        var names = Set<String>()
        for (position, label) in labels.enumerated() where words[position / 32] & (1 << UInt32(position % 32)) != 0 {
            names.insert(label)
        }
        return .flags(names)
    }
}
