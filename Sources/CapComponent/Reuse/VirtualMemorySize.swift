// Rewriting a module so that the memory size its guest sees is the instance's own, not what an earlier run grew.
import WasmParser

/// A load-time rewrite after which `memory.size` and `memory.grow` of a module's memory answer
/// from a size the module keeps itself, in a mutable global put back with the rest of a reused
/// instance's state, rather than from the memory's real size.
///
/// WasmKit 0.4.2 cannot shrink a memory, so an instance whose run grew its memory keeps the
/// growth when it is put back. Without this rewrite the next run would see it in `memory.size`
/// (an earlier run's footprint), and a C program's allocator, which grows memory at its first
/// allocation of every run, would grow the instance again each time until the pool drops it.
/// With it, a reused instance's guest sees the size a fresh instance starts with, and its
/// `memory.grow` takes pages the memory already has before it grows the memory for real.
///
/// The rewrite adds to the module one mutable `i32` global, the pages the guest has (its initial
/// value the memory's minimum), and two functions after the defined ones, which do not renumber
/// anything: `size: () -> i32` returns the global; `grow: (i32) -> i32` does what `memory.grow`
/// does against it (the old size, or -1 past the memory's maximum or when the real memory
/// cannot grow as far), growing the real memory only past the pages it has. Every
/// `memory.size` and `memory.grow` of memory 0 in the module's code becomes a call of one of them.
///
/// **Guarantee.** The guest's `memory.size` and `memory.grow` give in a reused instance exactly
/// what they give in a fresh one, given the same calls; the memory's maximum and the host's
/// memory limit hold as before (the real memory grows only through `memory.grow`, which the
/// host's limiter checks, and a pool gives an instance only to a run whose limit its real memory
/// fits). **Non-goal:** loads, stores and host calls are checked against the real memory, so in
/// a reused instance an access between the guest's size and the real size reads the zeros the
/// pool put back where a fresh instance traps: it tells that an earlier run grew the memory at
/// least that far, never what was written there.
///
/// Only a module that defines its memory 0 (32-bit, not shared) is rewritten: an imported
/// memory may be grown by its exporter, whose code this rewrite does not see.
///
/// Thread safety: ``rewrite(_:)`` is a pure function of its argument.
package enum VirtualMemorySize {
    /// `bytes` with the guest's memory size kept in a global, or `bytes` unchanged when the
    /// module does not define a 32-bit unshared memory 0, or never reads or grows its size.
    ///
    /// - Throws: ``InterruptPoints/Failure`` when the bytes do not parse.
    package static func rewrite(_ bytes: [UInt8]) throws(InterruptPoints.Failure) -> [UInt8] {
        let outline = try Outline(bytes)
        guard let memory = outline.memory, !memory.isMemory64, !memory.shared, outline.importedMemories == 0 else { return bytes }
        let sizeFunction = outline.importedFunctions + UInt32(outline.codes.count)
        let growFunction = sizeFunction + 1
        var expressions: [[UInt8]?] = []
        expressions.reserveCapacity(outline.codes.count)
        for code in outline.codes {
            expressions.append(try replacingSizeAndGrow(code, size: sizeFunction, grow: growFunction))
        }
        guard expressions.contains(where: { $0 != nil }) else { return bytes }
        return try outline.module(expressions: expressions, memory: memory)
    }

    /// `code`'s expression with `memory.size 0` and `memory.grow 0` replaced by calls, or `nil`
    /// when it has neither.
    private static func replacingSizeAndGrow(_ code: Code, size: UInt32, grow: UInt32) throws(InterruptPoints.Failure) -> [UInt8]? {
        let expression = code.expression
        var parser = ExpressionParser(code: code)
        let base = parser.offset
        var recorder = InstructionRecorder()
        var output: [UInt8] = []
        var copied = expression.startIndex
        while true {
            let visit: ExpressionParser.Visit?
            do { visit = try parser.parse() } catch { throw InterruptPoints.Failure("a function body does not parse: \(error)") }
            guard let visit else { break }
            visit(visitor: &recorder)
            let replacement: UInt32
            switch recorder.instruction {
            case .memorySize(memory: 0): replacement = size
            case .memoryGrow(memory: 0): replacement = grow
            default: continue
            }
            let start = expression.startIndex + (recorder.binaryOffset - base)
            let end = expression.startIndex + (parser.offset - base)
            guard copied <= start, start < end, end <= expression.endIndex else {
                throw InterruptPoints.Failure("an instruction lies outside its function body at byte \(recorder.binaryOffset)")
            }
            output += expression[copied..<start] + [ModuleBinary.Opcode.call] + LEB128.encode(replacement)
            copied = end
        }
        guard copied != expression.startIndex else { return nil }
        return output + expression[copied...]
    }

    /// The body of `grow`, after its locals (one `i64`, the size asked for): the guest's size
    /// plus the parameter, -1 past `maximum` pages, the real memory grown to it when smaller
    /// (-1 if it cannot be), the global set, the old size returned.
    static func growExpression(pages global: UInt32, maximum: UInt64) -> [UInt8] {
        typealias Op = ModuleBinary.Opcode
        let getPages = [Op.globalGet] + LEB128.encode(global)
        let failed = [Op.i32Const, 0x7f, Op.return, Op.end]  // i32.const -1, return
        let requested: [UInt8] = [Op.localGet, 1, Op.i32WrapI64]
        return [Op.localGet, 0, Op.i64ExtendI32U] + getPages + [Op.i64ExtendI32U, Op.i64Add, Op.localTee, 1]
            + [Op.i64Const] + LEB128.encode(signed: Int64(maximum)) + [Op.i64GtU, Op.if, ModuleBinary.emptyBlockType] + failed
            // Past the real memory's pages: grow it by the difference.
            + [Op.localGet, 1, Op.memorySize, 0, Op.i64ExtendI32U, Op.i64GtU, Op.if, ModuleBinary.emptyBlockType]
            + requested + [Op.memorySize, 0, Op.i32Sub, Op.memoryGrow, 0, Op.i32Const, 0x7f, Op.i32Eq]
            + [Op.if, ModuleBinary.emptyBlockType] + failed + [Op.end]
            + getPages + requested + [Op.globalSet] + LEB128.encode(global) + [Op.end]
    }
}

/// What the rewrite reads of a module: its sections, counts of what it imports and defines,
/// memory 0's type and the function bodies.
private struct Outline {
    let bytes: [UInt8]
    private(set) var sections: [(id: UInt8, range: Range<Int>, payload: Range<Int>)] = []
    private(set) var typeCount: UInt32 = 0
    private(set) var importedFunctions: UInt32 = 0
    private(set) var importedMemories: UInt32 = 0
    private(set) var importedGlobals: UInt32 = 0
    private(set) var definedGlobals: UInt32 = 0
    private(set) var memory: MemoryType?
    private(set) var codes: [Code] = []

    init(_ bytes: [UInt8]) throws(InterruptPoints.Failure) {
        self.bytes = bytes
        var parser = Parser(bytes: bytes)
        do {
            var start = parser.offset
            while let payload = try parser.parseNext() {
                defer { start = parser.offset }
                if case .header = payload { continue }
                // The payload follows the id and the size.
                var reader = ModuleReader(bytes, range: (start + 1)..<parser.offset)
                _ = try reader.u32()
                sections.append((bytes[start], start..<parser.offset, reader.offset..<parser.offset))
                switch payload {
                case .typeSection(let types): typeCount = UInt32(types.count)
                case .importSection(let imports):
                    for entry in imports {
                        switch entry.descriptor {
                        case .function: importedFunctions += 1
                        case .memory: importedMemories += 1
                        case .global: importedGlobals += 1
                        case .table, .tag: break
                        }
                    }
                case .memorySection(let memories): memory = memories.first?.type
                case .globalSection(let globals): definedGlobals = UInt32(globals.count)
                case .codeSection(let codes): self.codes = codes
                default: break
                }
            }
        } catch let failure as InterruptPoints.Failure {
            throw failure
        } catch {
            throw InterruptPoints.Failure("the module does not parse: \(error)")
        }
    }

    /// The module with the code replaced by `expressions` (`nil`: as it was), and the two
    /// types, the two functions and the global added; a global section is created where the
    /// binary format puts it if the module had none.
    func module(expressions: [[UInt8]?], memory: MemoryType) throws(InterruptPoints.Failure) -> [UInt8] {
        typealias Section = ModuleBinary.Section
        let pagesGlobal = importedGlobals + definedGlobals
        let sizeType = typeCount
        let i32 = ModuleBinary.i32Type
        // The global: mutable i32, starting at the memory's minimum (at most 65,536 pages).
        let global = [i32, ModuleBinary.mutable, ModuleBinary.Opcode.i32Const] + LEB128.encode(signed: Int32(memory.min))
            + [ModuleBinary.Opcode.end]
        var missingGlobal = !sections.contains { $0.id == Section.global }
        var output = ModuleBinary.magicAndVersion
        output.reserveCapacity(bytes.count + 128)
        for section in sections {
            if missingGlobal, let rank = Section.rank(section.id), let globalRank = Section.rank(Section.global), rank > globalRank {
                output += ModuleBinary.section(Section.global, LEB128.encode(1) + global)
                missingGlobal = false
            }
            switch section.id {
            case Section.type:
                output += try appending(
                    to: section, count: 2,
                    [ModuleBinary.functionTypeForm, 0x00, 0x01, i32, ModuleBinary.functionTypeForm, 0x01, i32, 0x01, i32])
            case Section.function:
                output += try appending(to: section, count: 2, LEB128.encode(sizeType) + LEB128.encode(sizeType + 1))
            case Section.global:
                output += try appending(to: section, count: 1, global)
            case Section.code:
                output += ModuleBinary.section(Section.code, try codeSection(section.payload, expressions, pages: pagesGlobal, memory: memory))
            default:
                output += bytes[section.range]
            }
        }
        return output
    }

    /// `section` with `count` more entries, `entries`, after its own.
    private func appending(to section: (id: UInt8, range: Range<Int>, payload: Range<Int>), count: UInt32, _ entries: [UInt8])
        throws(InterruptPoints.Failure) -> [UInt8]
    {
        var reader = ModuleReader(bytes, range: section.payload)
        let existing = try reader.u32()
        guard existing <= UInt32.max - count else { throw reader.failure("a section has too many entries") }
        return ModuleBinary.section(section.id, LEB128.encode(existing + count) + bytes[reader.offset..<section.payload.upperBound] + entries)
    }

    /// The code section with each body's expression replaced where `expressions` has one, then
    /// the bodies of `size` and `grow`.
    private func codeSection(_ payload: Range<Int>, _ expressions: [[UInt8]?], pages: UInt32, memory: MemoryType)
        throws(InterruptPoints.Failure) -> [UInt8]
    {
        var reader = ModuleReader(bytes, range: payload)
        let count = try reader.u32()
        guard count == codes.count, count <= UInt32.max - 2 else { throw reader.failure("the code section's count does not match its bodies") }
        var output = LEB128.encode(count + 2)
        for (code, expression) in zip(codes, expressions) {
            let sizeStart = reader.offset
            let size = Int(try reader.u32())
            let start = reader.offset
            _ = try reader.bytes(size)
            guard let expression else {
                output += bytes[sizeStart..<reader.offset]
                continue
            }
            // WasmParser's expression is a slice of `bytes`, at the end of the body.
            guard code.expression.endIndex == reader.offset, code.expression.startIndex >= start else {
                throw reader.failure("a function body is not where the parser found it", at: start)
            }
            let body = Array(bytes[start..<code.expression.startIndex]) + expression
            output += LEB128.encode(UInt32(body.count)) + body
        }
        guard reader.isAtEnd else { throw reader.failure("the code section has bytes after its bodies") }
        let size: [UInt8] = [0x00, ModuleBinary.Opcode.globalGet] + LEB128.encode(pages) + [ModuleBinary.Opcode.end]
        // One group of one i64 local.
        let grow = [0x01, 0x01, ModuleBinary.i64Type] + VirtualMemorySize.growExpression(pages: pages, maximum: memory.max ?? 65_536)
        return output + LEB128.encode(UInt32(size.count)) + size + LEB128.encode(UInt32(grow.count)) + grow
    }
}
