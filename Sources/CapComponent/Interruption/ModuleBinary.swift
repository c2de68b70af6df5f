// Reading and writing the primitives of a core module's binary: LEB128 integers, names, types and constant expressions.

/// A bounds-checked cursor over part of a core module's bytes.
///
/// Every read checks the bytes that remain and throws an ``InterruptPoints/Failure`` naming the
/// absolute offset; nothing here traps on input.
struct ModuleReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    /// A reader of `range` of `bytes` (clamped to the bytes there are).
    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        end = min(max(range.upperBound, 0), bytes.count)
        offset = min(max(range.lowerBound, 0), end)
    }

    var isAtEnd: Bool { offset >= end }

    func failure(_ what: String, at position: Int? = nil) -> InterruptPoints.Failure {
        InterruptPoints.Failure("\(what) at byte \(position ?? offset)")
    }

    mutating func byte() throws(InterruptPoints.Failure) -> UInt8 {
        guard offset < end else { throw failure("the module ends unexpectedly") }
        defer { offset += 1 }
        return bytes[offset]
    }

    func peek() throws(InterruptPoints.Failure) -> UInt8 {
        guard offset < end else { throw failure("the module ends unexpectedly") }
        return bytes[offset]
    }

    /// The next `count` bytes.
    mutating func bytes(_ count: Int) throws(InterruptPoints.Failure) -> ArraySlice<UInt8> {
        guard count >= 0, count <= end - offset else {
            throw failure("a length of \(count) runs past the end of its section")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// An unsigned LEB128 integer of at most 32 bits.
    mutating func u32() throws(InterruptPoints.Failure) -> UInt32 {
        let start = offset
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let byte = try byte()
            if shift == 28, byte & 0x70 != 0 { throw failure("an integer is too large for 32 bits", at: start) }
            result |= UInt32(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            guard shift <= 28 else { throw failure("an integer's encoding is too long", at: start) }
        }
    }

    /// Skips a LEB128 integer (signed or unsigned) of at most `maxBytes` bytes, whose value
    /// nothing here needs.
    mutating func skipLEB(maxBytes: Int) throws(InterruptPoints.Failure) {
        let start = offset
        for _ in 0..<maxBytes {
            if try byte() & 0x80 == 0 { return }
        }
        throw failure("an integer's encoding is too long", at: start)
    }

    /// Skips a name (a length and that many bytes), whose text nothing here needs.
    mutating func skipName() throws(InterruptPoints.Failure) {
        _ = try bytes(Int(try u32()))
    }

    /// Skips a value type: one byte, or `ref`/`ref null` (0x64/0x63) and a heap type.
    mutating func skipValueType() throws(InterruptPoints.Failure) {
        switch try byte() {
        case ModuleBinary.refType, ModuleBinary.refNullType: try skipLEB(maxBytes: ModuleBinary.maxS33Bytes)
        default: break
        }
    }

    /// Skips a table type: a reference type and limits (a flags byte, a minimum and, if the
    /// lowest flag says so, a maximum; 64-bit when the table is).
    mutating func skipTableType() throws(InterruptPoints.Failure) {
        try skipValueType()
        let flags = try byte()
        try skipLEB(maxBytes: ModuleBinary.maxU64Bytes)
        if flags & 0x01 != 0 { try skipLEB(maxBytes: ModuleBinary.maxU64Bytes) }
    }

    /// Copies a constant expression through its `end` into `output`, with the index of each
    /// `ref.func` passed through `function`.
    ///
    /// Reads the instructions WasmKit evaluates in constant expressions (the numeric and
    /// `v128` constants, `global.get`, `ref.null`, `ref.func`, and the extended-constant
    /// `i32`/`i64` `add`, `sub` and `mul`); WasmKit refuses to instantiate a module with any
    /// other, so the rewrite refuses it too, since it could not tell where the expression ends.
    mutating func copyConstantExpression(
        into output: inout [UInt8], function: (UInt32) throws(InterruptPoints.Failure) -> UInt32
    ) throws(InterruptPoints.Failure) {
        while true {
            let start = offset
            let opcode = try byte()
            switch opcode {
            case ModuleBinary.Opcode.end:
                output.append(opcode)
                return
            case ModuleBinary.Opcode.refFunc:
                output.append(opcode)
                output += LEB128.encode(try function(try u32()))
                continue
            case ModuleBinary.Opcode.i32Const: try skipLEB(maxBytes: ModuleBinary.maxS32Bytes)
            case ModuleBinary.Opcode.i64Const: try skipLEB(maxBytes: ModuleBinary.maxS64Bytes)
            case ModuleBinary.Opcode.f32Const: _ = try bytes(4)
            case ModuleBinary.Opcode.f64Const: _ = try bytes(8)
            case ModuleBinary.Opcode.globalGet: _ = try u32()
            case ModuleBinary.Opcode.refNull: try skipLEB(maxBytes: ModuleBinary.maxS33Bytes)
            case ModuleBinary.Opcode.i32Add, ModuleBinary.Opcode.i32Sub, ModuleBinary.Opcode.i32Mul,
                ModuleBinary.Opcode.i64Add, ModuleBinary.Opcode.i64Sub, ModuleBinary.Opcode.i64Mul:
                break
            case ModuleBinary.Opcode.simdPrefix:
                let subOpcode = try u32()
                guard subOpcode == ModuleBinary.Opcode.v128Const else {
                    throw failure("a constant expression uses the instruction 0xfd \(subOpcode), which is not constant", at: start)
                }
                _ = try bytes(16)
            default:
                throw failure("a constant expression uses the opcode \(ModuleBinary.hex(opcode)), which WasmKit does not evaluate", at: start)
            }
            output += bytes[start..<offset]
        }
    }
}

/// LEB128 encoding of the integers the module rewrites write (this one, and CapWASI's export of
/// an instance's hidden state).
package enum LEB128 {
    /// The shortest unsigned encoding of `value`.
    package static func encode(_ value: UInt32) -> [UInt8] {
        var value = value
        var encoded: [UInt8] = []
        repeat {
            let byte = UInt8(value & 0x7f)
            value >>= 7
            encoded.append(value == 0 ? byte : byte | 0x80)
        } while value != 0
        return encoded
    }

    /// The shortest signed encoding of `value`, as `i32.const`, `i64.const` and block types
    /// (an `Int64` for their s33) take it.
    package static func encode<Value: FixedWidthInteger & SignedInteger>(signed value: Value) -> [UInt8] {
        var value = value
        var encoded: [UInt8] = []
        while true {
            let byte = UInt8(truncatingIfNeeded: value) & 0x7f
            value >>= 7
            let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0)
            encoded.append(done ? byte : byte | 0x80)
            if done { return encoded }
        }
    }
}

/// The constants of the core module binary format that the rewrite reads or writes.
enum ModuleBinary {
    static let magicAndVersion: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

    /// Section ids.
    enum Section {
        static let custom: UInt8 = 0
        static let type: UInt8 = 1
        static let `import`: UInt8 = 2
        static let function: UInt8 = 3
        static let table: UInt8 = 4
        static let memory: UInt8 = 5
        static let global: UInt8 = 6
        static let export: UInt8 = 7
        static let start: UInt8 = 8
        static let element: UInt8 = 9
        static let code: UInt8 = 10
        static let data: UInt8 = 11
        static let dataCount: UInt8 = 12
        static let tag: UInt8 = 13

        /// Where a section of each id goes among the others: the binary format orders them
        /// type, import, function, table, memory, tag, global, export, start, element, data
        /// count, code, data (custom sections may go anywhere).
        static func rank(_ id: UInt8) -> Int? {
            [type, `import`, function, table, memory, tag, global, export, start, element, dataCount, code, data]
                .firstIndex(of: id)
        }
    }

    /// Opcodes, as single bytes (or, for `v128.const`, the number after the 0xfd prefix).
    enum Opcode {
        static let block: UInt8 = 0x02
        static let loop: UInt8 = 0x03
        static let `if`: UInt8 = 0x04
        static let `else`: UInt8 = 0x05
        static let end: UInt8 = 0x0b
        static let br: UInt8 = 0x0c
        static let brIf: UInt8 = 0x0d
        static let brTable: UInt8 = 0x0e
        static let tryTable: UInt8 = 0x1f
        static let brOnNull: UInt8 = 0xd5
        static let brOnNonNull: UInt8 = 0xd6
        static let `return`: UInt8 = 0x0f
        static let call: UInt8 = 0x10
        static let returnCall: UInt8 = 0x12
        static let localSet: UInt8 = 0x21
        static let globalGet: UInt8 = 0x23
        static let globalSet: UInt8 = 0x24
        static let memorySize: UInt8 = 0x3f
        static let memoryGrow: UInt8 = 0x40
        static let i32Const: UInt8 = 0x41
        static let i64Const: UInt8 = 0x42
        static let f32Const: UInt8 = 0x43
        static let f64Const: UInt8 = 0x44
        static let localGet: UInt8 = 0x20
        static let localTee: UInt8 = 0x22
        static let i32Eqz: UInt8 = 0x45
        static let i32Eq: UInt8 = 0x46
        static let i32GtU: UInt8 = 0x4b
        static let i32LeU: UInt8 = 0x4d
        static let i32GeU: UInt8 = 0x4f
        static let i32LtS: UInt8 = 0x48
        static let i32GeS: UInt8 = 0x4e
        static let i64GtU: UInt8 = 0x56
        static let i64LeU: UInt8 = 0x58
        static let i64GeU: UInt8 = 0x5a
        static let i32Or: UInt8 = 0x72
        static let i64Shl: UInt8 = 0x86
        static let i64ExtendI32U: UInt8 = 0xad
        static let i32WrapI64: UInt8 = 0xa7
        static let i32Add: UInt8 = 0x6a
        static let i32Sub: UInt8 = 0x6b
        static let i32Mul: UInt8 = 0x6c
        static let i64Add: UInt8 = 0x7c
        static let i64Sub: UInt8 = 0x7d
        static let i64Mul: UInt8 = 0x7e
        static let refNull: UInt8 = 0xd0
        static let refFunc: UInt8 = 0xd2
        static let simdPrefix: UInt8 = 0xfd
        static let v128Const: UInt32 = 12
        /// The prefix of the bulk memory instructions, and the numbers after it.
        static let bulkPrefix: UInt8 = 0xfc
        static let memoryCopy: UInt32 = 10
        static let memoryFill: UInt32 = 11
    }

    /// The block type of a block with no parameters and no results.
    static let emptyBlockType: UInt8 = 0x40
    static let functionTypeForm: UInt8 = 0x60
    static let i32Type: UInt8 = 0x7f
    static let i64Type: UInt8 = 0x7e
    static let refNullType: UInt8 = 0x63
    static let refType: UInt8 = 0x64
    static let functionKind: UInt8 = 0x00
    static let mutable: UInt8 = 0x01
    /// A table with an initializer expression (typed function references) starts with these.
    static let tableWithInitializer: UInt8 = 0x40

    /// The longest LEB128 encodings of each integer width: ceil(bits / 7).
    static let maxS32Bytes = 5
    static let maxS33Bytes = 5
    static let maxS64Bytes = 10
    static let maxU64Bytes = 10

    /// A section: its id, its size and `payload`.
    static func section(_ id: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [id] + LEB128.encode(UInt32(truncatingIfNeeded: payload.count)) + payload
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return "0x" + (digits.count == 1 ? "0" + digits : digits)
    }
}
