// The arguments of one host-function call, lifted one at a time straight to the Swift type wanted.
import WasmKit

/// The arguments of one call of a host function defined with
/// ``ComponentLinker/defineReading(_:_:type:_:)``, read in order, each as the Swift type the
/// function wants: `u64()` is a `UInt64`, `string()` a `String`, `withBytes(_:)` a `list<u8>`
/// seen in place in guest memory (`withUTF8(_:)` a `string`'s bytes and `withU32List(_:)` a
/// `list<u32>` likewise), `flags()` the flag bits. Nothing is boxed into a
/// ``ComponentValue`` unless ``next()`` asks for one.
///
/// Each read checks the parameter's declared type and traps (``ComponentTrap/Code/typeMismatch``)
/// naming the function and the argument when it is another; the checks of lifting (bounds,
/// alignment, UTF-8, handle kinds and lends) are those of `lift_flat`. A call made through
/// ``ComponentValue``s (another component calling the import) reads from those instead, with
/// the same answers.
///
/// Valid only during the call it was made for: it refers to guest memory, which no guest code
/// may change while it is read. Not thread-safe.
public struct ComponentArguments {
    /// The core values of a lowered call (empty when `values` is given).
    var reader: FlatReader
    /// Guest memory of a lowered call.
    let view: MemoryView
    /// Arguments already lifted, for a call made through ``ComponentValue``s.
    let values: [ComponentValue]?
    /// The parameters' layouts and the function's name. Unowned: the lowered function or the
    /// linker's closure that makes these arguments holds it for longer than the call.
    unowned(unsafe) let shape: ArgumentShape
    /// The instance whose handles a lowered call's `own` and `borrow` arguments are in; `nil`
    /// with `values`. Unowned: the lowered function holds it for longer than the call.
    unowned(unsafe) let instance: ComponentInstanceState?
    /// The handles lent to the call by the `borrow` arguments read so far.
    var lends = Lends()
    /// The next argument's position.
    public private(set) var position = 0
    /// What ``bytesInPlace()`` copied out of ``values``, freed with the arguments.
    private var copies: Copies?

    /// Buffers freed when the last copy of the arguments goes.
    private final class Copies {
        private var buffers: [UnsafeMutableRawBufferPointer] = []
        func keep(_ buffer: UnsafeMutableRawBufferPointer) { buffers.append(buffer) }
        deinit { for buffer in buffers { buffer.deallocate() } }
    }

    init(flat reader: FlatReader, _ view: MemoryView, instance: ComponentInstanceState, shape: ArgumentShape) {
        self.reader = reader
        self.view = view
        values = nil
        self.instance = instance
        self.shape = shape
    }

    init(values: [ComponentValue], shape: ArgumentShape) {
        reader = FlatReader(UnsafeBufferPointer(start: nil, count: 0))
        view = MemoryView(bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        self.values = values
        instance = nil
        self.shape = shape
    }

    private var layouts: [CanonicalLayout] { shape.layouts }
    private var function: String { shape.function }

    /// How many arguments the function's type declares.
    public var count: Int { layouts.count }

    /// The next argument as a ``ComponentValue``, of whatever type it is.
    public mutating func next() throws -> ComponentValue {
        let layout = try advance("a value")
        if let values {
            return values[position - 1]
        } else {
            var call = CanonicalCall(lifting: instance!)
            defer { lends.append(contentsOf: call.lenders) }
            return try call.liftFlat(layout, from: &reader, view)
        }
    }

    /// The next argument, a `u64`.
    public mutating func u64() throws -> UInt64 {
        guard case .u64 = try advanceKind("a u64") else { throw mismatch("a u64") }
        if let values {
            guard case .u64(let number) = values[position - 1] else { throw mismatch("a u64") }
            return number
        } else {
            return try reader.nextI64()
        }
    }

    /// The next argument, a `u32`.
    public mutating func u32() throws -> UInt32 {
        guard case .u32 = try advanceKind("a u32") else { throw mismatch("a u32") }
        return try i32 { value in
            guard case .u32(let number) = value else { return nil }
            return number
        }
    }

    /// The next argument, a `u8`.
    public mutating func u8() throws -> UInt8 {
        guard case .u8 = try advanceKind("a u8") else { throw mismatch("a u8") }
        return UInt8(
            truncatingIfNeeded: try i32 { value in
                guard case .u8(let number) = value else { return nil }
                return UInt32(number)
            })
    }

    /// The next argument, a `string`.
    public mutating func string() throws -> String {
        guard case .string = try advanceKind("a string") else { throw mismatch("a string") }
        if let values {
            guard case .string(let text) = values[position - 1] else { throw mismatch("a string") }
            return text
        } else {
            let pointer = try reader.nextI32()
            return try CanonicalCall.string(at: pointer, length: try reader.nextI32(), view)
        }
    }

    /// The next argument, a `string`, given to `body` as its UTF-8 where it lies: in guest
    /// memory for a lowered call, checked to be UTF-8 (a trap if it is not) and not copied. The
    /// buffer is valid only until `body` returns.
    public mutating func withUTF8<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard case .string = try advanceKind("a string") else { throw mismatch("a string") }
        if let values {
            guard case .string(var text) = values[position - 1] else { throw mismatch("a string") }
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
        let pointer = try reader.nextI32()
        let length = try reader.nextI32()
        let bytes = try CanonicalCall.stringBytes(at: pointer, length: length, view)
        guard String.isValidUTF8(bytes) else {
            throw ComponentTrap(.invalidUTF8, "the string at \(pointer) with \(length) bytes is not valid UTF-8")
        }
        return try body(bytes)
    }

    /// The next argument, a `list<u8>`, given to `body` where it lies: in guest memory for a
    /// lowered call, so that nothing is copied. The buffer is valid only until `body` returns.
    public mutating func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard case .bytes = try advanceKind("a list<u8>") else { throw mismatch("a list<u8>") }
        if let values {
            guard case .bytes(let bytes) = values[position - 1] else { throw mismatch("a list<u8>") }
            return try bytes.withUnsafeBytes(body)
        } else {
            let pointer = try reader.nextI32()
            let length = try reader.nextI32()
            guard UInt64(length) <= maxByteLength else {
                throw ComponentTrap(.tooLong, "a list of \(length) bytes is longer than the limit of \(maxByteLength)")
            }
            guard UInt64(pointer) + UInt64(length) <= UInt64(view.bytes.count) else {
                throw ComponentTrap(
                    .outOfBounds, "a list at \(pointer) with \(length) bytes lies outside memory of \(view.bytes.count) bytes")
            }
            return try body(UnsafeRawBufferPointer(rebasing: view.bytes[Int(pointer)..<Int(pointer) + Int(length)]))
        }
    }

    /// The next argument, a `list<u8>`, where it lies: in guest memory for a lowered call, so
    /// that nothing is copied. The buffer is valid only until the host function returns.
    public mutating func bytesInPlace() throws -> UnsafeRawBufferPointer {
        guard let values else { return try withBytes { $0 } }
        guard case .bytes = try advanceKind("a list<u8>"), case .bytes(let bytes) = values[position - 1]
        else { throw mismatch("a list<u8>") }
        // A copy that lives as long as these arguments: an array's own storage may not be
        // pointed at outside `withUnsafeBytes`.
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        copy.copyBytes(from: bytes)
        if copies == nil { copies = Copies() }
        copies!.keep(copy)
        return UnsafeRawBufferPointer(copy)
    }

    /// The next argument, a `list<u8>`, copied.
    public mutating func bytes() throws -> [UInt8] {
        try withBytes { Array($0) }
    }

    /// The next argument, a `list<u32>`, given to `body` where it lies: in guest memory for a
    /// lowered call, bounded, aligned and in bounds, not copied. The view is valid only until
    /// `body` returns.
    public mutating func withU32List<R>(_ body: (U32ListView) throws -> R) throws -> R {
        guard values == nil else {
            let elements = try u32List()
            return try elements.withUnsafeBytes { try body(U32ListView(bytes: $0)) }
        }
        guard case .u32List = try advanceKind("a list<u32>") else { throw mismatch("a list<u32>") }
        let pointer = try reader.nextI32()
        return try body(U32ListView(bytes: try u32ListBytes(at: pointer, length: try reader.nextI32())))
    }

    /// The next argument, a `list<u32>`, read in one pass.
    public mutating func u32List() throws -> [UInt32] {
        guard case .u32List = try advanceKind("a list<u32>") else { throw mismatch("a list<u32>") }
        if let values {
            guard case .list(let elements) = values[position - 1] else { throw mismatch("a list<u32>") }
            return try elements.map { element in
                guard case .u32(let number) = element else { throw mismatch("a list<u32>") }
                return number
            }
        } else {
            let pointer = try reader.nextI32()
            let elements = U32ListView(bytes: try u32ListBytes(at: pointer, length: try reader.nextI32()))
            return [UInt32](unsafeUninitializedCapacity: elements.count) { buffer, initialized in
                for index in elements.indices { buffer[index] = elements[index] }
                initialized = elements.count
            }
        }
    }

    /// The bytes of a `list<u32>` of `length` elements at `pointer`: `load_list_from_range`'s
    /// checks (bounded, aligned, in bounds).
    private func u32ListBytes(at pointer: UInt32, length: UInt32) throws(ComponentTrap) -> UnsafeRawBufferPointer {
        let byteLength = UInt64(length) * 4
        guard byteLength <= maxByteLength else {
            throw ComponentTrap(.tooLong, "a list of \(length) u32 elements is longer than the limit of \(maxByteLength) bytes")
        }
        guard pointer & 3 == 0 else {
            throw ComponentTrap(.misaligned, "a list of u32 at \(pointer) is not aligned to 4 bytes")
        }
        guard UInt64(pointer) + byteLength <= UInt64(view.bytes.count) else {
            throw ComponentTrap(
                .outOfBounds, "a list at \(pointer) with \(byteLength) bytes lies outside memory of \(view.bytes.count) bytes")
        }
        guard byteLength > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: view.bytes[Int(pointer)..<Int(pointer) + Int(byteLength)])
    }

    /// The next argument, a `flags` type of at most 32 flags: bit `n` set for the `n`th
    /// declared flag.
    public mutating func flags() throws -> UInt32 {
        guard case .flags(let count) = try advanceKind("flags"), count <= 32 else {
            throw mismatch("flags of at most 32 labels")
        }
        if let values {
            guard case .flags(let labels, _) = layouts[position - 1].shape else { throw mismatch("flags") }
            guard case .flags(let set) = values[position - 1] else { throw mismatch("flags") }
            var bits: UInt32 = 0
            for (position, label) in labels.enumerated() where set.contains(label) {
                bits |= 1 << UInt32(position)
            }
            return bits
        } else {
            // `unpack_flags_from_int`: bits beyond the last label are ignored.
            let mask: UInt32 = count == 32 ? .max : (1 << UInt32(count)) - 1
            return try reader.nextI32() & mask
        }
    }

    /// The next argument, an `enum`: the position of its case in the declaration.
    public mutating func enumCase() throws -> Int {
        guard case .enumCase(let count) = try advanceKind("an enum") else { throw mismatch("an enum") }
        if let values {
            guard case .enum(let index) = values[position - 1] else { throw mismatch("an enum") }
            return index
        } else {
            let index = try reader.nextI32()
            guard index < count else {
                throw ComponentTrap(.invalidDiscriminant, "discriminant \(index) names no case of an enum with \(count) cases")
            }
            return Int(index)
        }
    }

    /// The next argument, an `own` or `borrow` handle: the resource it refers to. An `own`
    /// handle leaves the caller's table; a `borrow` is lent until the call returns.
    public mutating func handle() throws -> ResourceHandle {
        let layout = try advance("a handle")
        if let values {
            switch (layout.shape, values[position - 1]) {
            case (.own, .own(let handle)), (.borrow, .borrow(let handle)): return handle
            default: throw mismatch("a handle")
            }
        }
        switch layout.shape {
        case .own(let type): return try CanonicalCall.liftOwn(try reader.nextI32(), type, from: instance!)
        case .borrow(let type): return try CanonicalCall.liftBorrow(try reader.nextI32(), type, from: instance!, lends: &lends)
        default: throw mismatch("a handle")
        }
    }

    /// Traps unless every argument has been read.
    public func finish() throws {
        guard position == layouts.count else {
            throw ComponentTrap(.typeMismatch, "\(function) takes \(layouts.count) arguments, but its host function read \(position)")
        }
    }

    // MARK: Reading

    /// The next parameter's kind, moving past it: no reference counted on the way.
    private mutating func advanceKind(_ wanted: String) throws -> ArgumentKind {
        guard position < shape.kinds.count else {
            throw ComponentTrap(.typeMismatch, "\(function) takes \(layouts.count) arguments, but its host function read \(wanted) after them")
        }
        defer { position += 1 }
        return shape.kinds[position]
    }

    /// The next parameter's layout, moving past it.
    private mutating func advance(_ wanted: String) throws -> CanonicalLayout {
        guard position < layouts.count else {
            throw ComponentTrap(.typeMismatch, "\(function) takes \(layouts.count) arguments, but its host function read \(wanted) after them")
        }
        defer { position += 1 }
        return layouts[position]
    }

    /// One `i32`-flattened number, from the core values or the lifted value.
    private mutating func i32(_ fromValue: (ComponentValue) -> UInt32?) throws -> UInt32 {
        if let values {
            guard let number = fromValue(values[position - 1]) else { throw mismatch("a number") }
            return number
        } else {
            return try reader.nextI32()
        }
    }

    /// The trap for an argument of another type than the host function reads.
    private func mismatch(_ wanted: String) -> ComponentTrap {
        let index = position - 1
        let declared = index >= 0 && index < layouts.count ? "\(layouts[index].type)" : "nothing"
        return ComponentTrap(.typeMismatch, "argument \(index) of \(function) is \(declared), but its host function reads \(wanted)")
    }
}

/// What reading a function's arguments needs of its type: the parameters' layouts, and its name
/// for messages. Made once per function.
final class ArgumentShape {
    let layouts: [CanonicalLayout]
    /// Each layout's kind, as the readers test it.
    let kinds: [ArgumentKind]
    let function: String

    init(layouts: [CanonicalLayout], function: String) {
        self.layouts = layouts
        kinds = layouts.map(ArgumentKind.init)
        self.function = function
    }
}

/// The ``ArgumentShape`` of a host function's type, made on first use: a function defined with
/// ``ComponentLinker/defineReading(_:_:type:_:)`` is called by `canon lower` (which makes its
/// own) far more often than through values. Confined to the thread of the instance calling it.
final class LazyArgumentShape {
    private let type: FunctionType
    private let function: String
    private var made: ArgumentShape?

    init(type: FunctionType, function: String) {
        self.type = type
        self.function = function
    }

    func get() throws(ComponentTrap) -> ArgumentShape {
        if let made { return made }
        let shape = ArgumentShape(layouts: try CanonicalSignature(type, direction: .lower).parameters, function: function)
        made = shape
        return shape
    }
}

/// What a parameter's layout is to the typed readers: a trivial value, so that testing it takes
/// no reference to the layout.
enum ArgumentKind {
    case u64, u32, u8, string, bytes, u32List, handle, other
    case flags(count: Int)
    case enumCase(count: Int)

    init(_ layout: CanonicalLayout) {
        switch layout.shape {
        case .u64: self = .u64
        case .u32: self = .u32
        case .u8: self = .u8
        case .string: self = .string
        case .list(let element) where element.shape.isU8: self = .bytes
        case .list(let element):
            if case .u32 = element.shape { self = .u32List } else { self = .other }
        case .flags(let labels, _): self = .flags(count: labels.count)
        case .variant(let variant) where variant.style == .enum: self = .enumCase(count: variant.cases.count)
        case .own, .borrow: self = .handle
        default: self = .other
        }
    }
}
