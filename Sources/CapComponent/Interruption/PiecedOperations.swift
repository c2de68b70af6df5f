// The functions the interrupt-point rewrite adds to run large `memory.fill` and `memory.copy` in pieces.

/// The functions an ``InterruptPoints`` rewrite adds after a module's defined functions, one per
/// bulk operation and memory (or pair of memories) its code uses: each does what `memory.fill`
/// or `memory.copy` does, in pieces of ``InterruptPoints/bulkCheckLength`` bytes with a call of
/// `check` before each, so that a deadline stops even one operation over all of memory within
/// a piece.
///
/// Each has the type `(i32, i32, i32) -> ()`: the instruction's own operands, parameters 0
/// (destination), 1 (value or source) and 2 (length). What the guest sees is the instruction's
/// effect: an operation out of bounds traps before it writes anything (the function performs
/// the whole instruction first, which traps), and an overlapping copy within one memory takes
/// its pieces from the end when the destination lies above the source, as `memmove` does. Only
/// another thread sharing the memory could tell the difference, and the instruction does not
/// promise it atomicity either.
struct PiecedOperations {
    /// The most functions one rewrite adds: more memories than any real module has.
    static let limit: UInt32 = 1024

    /// One added function.
    enum Operation: Hashable {
        case fill(memory: UInt32)
        case copy(destination: UInt32, source: UInt32)

        /// The function's expression (after its locals declaration, which declares none),
        /// calling the function `check` before each piece.
        func expression(check: UInt32) -> [UInt8] {
            switch self {
            case .fill(let memory):
                let fill = Self.instruction(Op.memoryFill, memories: [memory])
                return Self.ifOutside([(Self.destination, memory)], then: Self.whole(fill))
                    + Self.forward(check: check, operation: fill, advancing: [Self.destination])
                    + Self.whole(fill) + [Op.end]
            case .copy(let to, let from):
                let copy = Self.instruction(Op.memoryCopy, memories: [to, from])
                var code = Self.ifOutside([(Self.destination, to), (Self.source, from)], then: Self.whole(copy))
                if to == from {
                    // The destination above the source within one memory: the pieces from the
                    // end, so that none overwrites source bytes still to be copied.
                    code += Self.get(Self.destination) + Self.get(Self.source) + [Op.i32GtU, Op.if, ModuleBinary.emptyBlockType]
                        + Self.backward(check: check, operation: copy)
                        + Self.whole(copy) + [Op.return, Op.end]
                }
                return code + Self.forward(check: check, operation: copy, advancing: [Self.destination, Self.source])
                    + Self.whole(copy) + [Op.end]
            }
        }

        private typealias Op = ModuleBinary.Opcode
        private static let destination: UInt8 = 0
        private static let source: UInt8 = 1
        private static let length: UInt8 = 2
        /// `i32.const` of the piece's length.
        private static let piece = [Op.i32Const] + LEB128.encode(signed: Int32(bitPattern: InterruptPoints.bulkCheckLength))

        private static func get(_ local: UInt8) -> [UInt8] { [Op.localGet, local] }
        private static func set(_ local: UInt8) -> [UInt8] { [Op.localSet, local] }

        private static func instruction(_ opcode: UInt32, memories: [UInt32]) -> [UInt8] {
            [Op.bulkPrefix] + LEB128.encode(opcode) + memories.flatMap { LEB128.encode($0) }
        }

        /// The instruction on the parameters as they are.
        private static func whole(_ operation: [UInt8]) -> [UInt8] {
            get(destination) + get(source) + get(length) + operation
        }

        /// Runs `then` if any of `ranges` (an address parameter and its memory, with the
        /// length) passes the end of its memory, computed in 64 bits.
        private static func ifOutside(_ ranges: [(address: UInt8, memory: UInt32)], then: [UInt8]) -> [UInt8] {
            var test: [UInt8] = []
            for (index, (address, memory)) in ranges.enumerated() {
                test += get(address) + [Op.i64ExtendI32U] + get(length) + [Op.i64ExtendI32U, Op.i64Add]
                    + [Op.memorySize] + LEB128.encode(memory) + [Op.i64ExtendI32U, Op.i64Const, 16, Op.i64Shl, Op.i64GtU]
                if index > 0 { test += [Op.i32Or] }
            }
            return test + [Op.if, ModuleBinary.emptyBlockType] + then + [Op.end]
        }

        /// `block loop (call check) (br_if 1 (length <= piece)) body (br 0) end end`: checks,
        /// and while more than a piece is left runs `body` and repeats.
        private static func loop(check: UInt32, body: [UInt8]) -> [UInt8] {
            [Op.block, ModuleBinary.emptyBlockType, Op.loop, ModuleBinary.emptyBlockType, Op.call] + LEB128.encode(check)
                + get(length) + piece + [Op.i32LeU, Op.brIf, 1]
                + body + [Op.br, 0, Op.end, Op.end]
        }

        /// The pieces from the start: one at the addresses, which then move up by a piece
        /// while the length goes down by one.
        private static func forward(check: UInt32, operation: [UInt8], advancing addresses: [UInt8]) -> [UInt8] {
            var body = get(destination) + get(source) + piece + operation
            for address in addresses {
                body += get(address) + piece + [Op.i32Add] + set(address)
            }
            body += get(length) + piece + [Op.i32Sub] + set(length)
            return loop(check: check, body: body)
        }

        /// The pieces from the end: the length goes down by a piece, then the piece at the
        /// addresses plus the length is copied.
        private static func backward(check: UInt32, operation: [UInt8]) -> [UInt8] {
            let body = get(length) + piece + [Op.i32Sub] + set(length)
                + get(destination) + get(length) + [Op.i32Add] + get(source) + get(length) + [Op.i32Add] + piece + operation
            return loop(check: check, body: body)
        }
    }

    /// The index the first added function gets.
    let firstFunction: UInt32
    /// The added functions, in index order.
    private(set) var operations: [Operation] = []

    /// The index of the function doing `operation`, added if it is not yet.
    mutating func function(_ operation: Operation) throws(InterruptPoints.Failure) -> UInt32 {
        if let index = operations.firstIndex(of: operation) { return firstFunction + UInt32(index) }
        guard operations.count < Self.limit else { throw InterruptPoints.Failure("the module does bulk operations on too many memories") }
        operations.append(operation)
        return firstFunction + UInt32(operations.count - 1)
    }
}
