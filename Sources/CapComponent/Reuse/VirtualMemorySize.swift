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
/// value the memory's minimum), and one function after the defined ones, which renumbers
/// nothing: `grow: (i32) -> i32` does what `memory.grow` does against the global (the old size,
/// or -1 past the memory's maximum or when the real memory cannot grow as far), growing the
/// real memory only past the pages it has. Every `memory.size` of memory 0 in the module's code
/// becomes `global.get` of the global, every `memory.grow` a call of `grow`.
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
/// **Components.** Inside a component the program's module defines the memory and the
/// preview 1 adapter imports it and grows it too, so the guest's size must be one for both:
/// ``rewrite(_:as:)`` gives the defining module the global and exports it
/// (``pagesExport``); an importing module gets it as an import instead (``importModule``,
/// ``importName``: appended after the other global imports, so every defined global's index
/// goes up by one wherever the code or an export names it), which the instantiator satisfies
/// with the definer's global. A component is rewritten so only when exactly one of its core
/// modules defines a memory (``role(of:)``), so every importer imports that one.
///
/// Thread safety: the functions are pure functions of their arguments.
package enum VirtualMemorySize {
    /// The export under which a defining module's global goes, in a component.
    package static let pagesExport = "capsule.memory.pages"
    /// The export under which a defining module's `grow` goes, for a pool to grow the real
    /// memory ahead of runs (``InstanceReuse``'s `reservesGrowth`); the guest never sees it.
    package static let growExport = "capsule.memory.grow"
    /// The module of the global an importing module gets.
    package static let importModule = "capsule:memory"
    /// The name of the global an importing module gets: a mutable `i32`, the guest's pages.
    package static let importName = "pages"

    /// What a core module does with a memory, as far as this rewrite is concerned.
    package enum Role: Equatable, Sendable {
        /// It defines one memory (32-bit, unshared), its only one.
        case defines
        /// It imports one memory (32-bit, unshared), its only one, and no constant
        /// expression of it reads a defined global (whose index the added import would move).
        case imports
        /// It has no memory.
        case none
    }

    /// The role of `bytes` in a component's memory, or `nil` when the rewrite cannot take it
    /// (two memories, a 64-bit or shared one).
    package static func role(of bytes: [UInt8]) throws(InterruptPoints.Failure) -> Role? {
        try Outline(bytes).role
    }

    /// `bytes` with the guest's memory size kept in a global and `grow` exported
    /// (``growExport``), or `bytes` unchanged when the module does not define a 32-bit unshared
    /// memory 0, or never reads or grows its size: the form a module pool runs.
    ///
    /// - Throws: ``InterruptPoints/Failure`` when the bytes do not parse.
    package static func rewrite(_ bytes: [UInt8]) throws(InterruptPoints.Failure) -> [UInt8] {
        let outline = try Outline(bytes)
        guard outline.role == .defines else { return bytes }
        return try outline.rewritten(exporting: false) ?? bytes
    }

    /// `bytes`, a core module of a component whose only memory is defined by one module, in
    /// its `role`: the definer with the global added and exported, and `grow` exported, whether
    /// or not its own code reads the size; an importer with the global imported if its code
    /// reads or grows the size, else unchanged.
    ///
    /// - Throws: ``InterruptPoints/Failure`` when the bytes do not parse or do not have `role`.
    package static func rewrite(_ bytes: [UInt8], as role: Role) throws(InterruptPoints.Failure) -> [UInt8] {
        let outline = try Outline(bytes)
        guard outline.role == role else { throw InterruptPoints.Failure("the module's memory is not as its role says") }
        switch role {
        case .defines: return try outline.rewritten(exporting: true) ?? bytes
        case .imports: return try outline.rewritten(exporting: false) ?? bytes
        case .none: return bytes
        }
    }

    /// `code`'s expression with `memory.size 0` replaced by `global.get pages`, `memory.grow 0`
    /// by a call of `grow`, and the indices of defined globals moved up by `shift` (`nil` when
    /// nothing changed), and whether it read or grew the size.
    fileprivate static func replacingSizeAndGrow(
        _ code: Code, pages: UInt32, grow: UInt32, globalsFrom firstDefined: UInt32, shift: UInt32
    ) throws(InterruptPoints.Failure) -> (expression: [UInt8]?, sizeOrGrow: Bool) {
        typealias Op = ModuleBinary.Opcode
        let expression = code.expression
        var parser = ExpressionParser(code: code)
        let base = parser.offset
        var recorder = InstructionRecorder()
        var output: [UInt8] = []
        var copied = expression.startIndex
        var sizeOrGrow = false
        while true {
            let visit: ExpressionParser.Visit?
            do { visit = try parser.parse() } catch { throw InterruptPoints.Failure("a function body does not parse: \(error)") }
            guard let visit else { break }
            visit(visitor: &recorder)
            let replacement: [UInt8]
            switch recorder.instruction {
            case .memorySize(memory: 0):
                replacement = [Op.globalGet] + LEB128.encode(pages)
                sizeOrGrow = true
            case .memoryGrow(memory: 0):
                replacement = [Op.call] + LEB128.encode(grow)
                sizeOrGrow = true
            case .globalGet(let index) where shift > 0 && index >= firstDefined:
                replacement = [Op.globalGet] + LEB128.encode(index + shift)
            case .globalSet(let index) where shift > 0 && index >= firstDefined:
                replacement = [Op.globalSet] + LEB128.encode(index + shift)
            default: continue
            }
            let start = expression.startIndex + (recorder.binaryOffset - base)
            let end = expression.startIndex + (parser.offset - base)
            guard copied <= start, start < end, end <= expression.endIndex else {
                throw InterruptPoints.Failure("an instruction lies outside its function body at byte \(recorder.binaryOffset)")
            }
            output += expression[copied..<start] + replacement
            copied = end
        }
        guard copied != expression.startIndex else { return (nil, false) }
        return (output + expression[copied...], sizeOrGrow)
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
/// its memory's type and the function bodies.
private struct Outline {
    typealias Section = (id: UInt8, range: Range<Int>, payload: Range<Int>)
    let bytes: [UInt8]
    private(set) var sections: [Section] = []
    private(set) var typeCount: UInt32 = 0
    private(set) var importedFunctions: UInt32 = 0
    private(set) var importedGlobals: UInt32 = 0
    private(set) var definedGlobals: UInt32 = 0
    private(set) var importedMemories: [MemoryType] = []
    private(set) var definedMemories: [MemoryType] = []
    /// Whether a constant expression (a global's, a segment's offset or element) reads a
    /// defined global: only the GC proposal allows it, and an added global import would move it.
    private(set) var constantReadsDefinedGlobal = false
    private(set) var codes: [Code] = []

    init(_ bytes: [UInt8]) throws(InterruptPoints.Failure) {
        self.bytes = bytes
        var parser = Parser(bytes: bytes)
        var constants: [ConstExpression] = []
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
                        case .memory(let type): importedMemories.append(type)
                        case .global: importedGlobals += 1
                        case .table, .tag: break
                        }
                    }
                case .memorySection(let memories): definedMemories = memories.map(\.type)
                case .globalSection(let globals):
                    definedGlobals = UInt32(globals.count)
                    constants += globals.map(\.initializer)
                case .elementSection(let segments):
                    for segment in segments {
                        if case .active(_, let offset) = segment.mode { constants.append(offset) }
                        constants += segment.initializer
                    }
                case .dataSection(let segments):
                    for case .active(let segment) in segments { constants.append(segment.offset) }
                case .codeSection(let codes): self.codes = codes
                default: break
                }
            }
        } catch let failure as InterruptPoints.Failure {
            throw failure
        } catch {
            throw InterruptPoints.Failure("the module does not parse: \(error)")
        }
        let firstDefined = importedGlobals
        constantReadsDefinedGlobal = constants.contains { expression in
            expression.contains { if case .globalGet(let index) = $0 { index >= firstDefined } else { false } }
        }
    }

    var role: VirtualMemorySize.Role? {
        let memories = importedMemories + definedMemories
        guard let memory = memories.first else { return VirtualMemorySize.Role.none }
        guard memories.count == 1, !memory.isMemory64, !memory.shared else { return nil }
        if definedMemories.isEmpty { return constantReadsDefinedGlobal ? nil : .imports }
        return .defines
    }

    /// The module rewritten in its role (``role``, which must be one), the definer's global
    /// exported if `exporting`; `nil` when nothing would change.
    func rewritten(exporting: Bool) throws(InterruptPoints.Failure) -> [UInt8]? {
        typealias Section = ModuleBinary.Section
        let defines = role == .defines
        guard let memory = (importedMemories + definedMemories).first, role != nil, role != VirtualMemorySize.Role.none else { return nil }
        let pages = defines ? importedGlobals + definedGlobals : importedGlobals
        let shift: UInt32 = defines ? 0 : 1
        let grow = importedFunctions + UInt32(codes.count)
        var expressions: [[UInt8]?] = []
        var sizeOrGrow = false
        expressions.reserveCapacity(codes.count)
        for code in codes {
            let rewritten = try VirtualMemorySize.replacingSizeAndGrow(
                code, pages: pages, grow: grow, globalsFrom: importedGlobals, shift: shift)
            sizeOrGrow = sizeOrGrow || rewritten.sizeOrGrow
            expressions.append(rewritten.expression)
        }
        guard sizeOrGrow || (defines && exporting) else { return nil }

        let i32 = ModuleBinary.i32Type
        let growType = [ModuleBinary.functionTypeForm, 0x01, i32, 0x01, i32]
        let global = [i32, ModuleBinary.mutable, ModuleBinary.Opcode.i32Const] + LEB128.encode(signed: Int32(memory.min))
            + [ModuleBinary.Opcode.end]
        // The definer's exports: `grow`, and the global in a component.
        let exports = !defines ? [] : [Self.name(VirtualMemorySize.growExport) + [0x00] + LEB128.encode(grow)]
            + (exporting ? [Self.name(VirtualMemorySize.pagesExport) + [0x03] + LEB128.encode(pages)] : [])
        // One group of one i64 local, then the expression; with its size, as the code section holds it.
        let growCode = [0x01, 0x01, ModuleBinary.i64Type] + VirtualMemorySize.growExpression(pages: pages, maximum: memory.max ?? 65_536)
        let growBody = LEB128.encode(UInt32(growCode.count)) + growCode
        // Sections the module may lack (a definer with no function of its own lacks the first
        // two and the last), in the binary format's order, each created where it goes.
        var missing: [(id: UInt8, payload: [UInt8])] = []
        func ifMissing(_ id: UInt8, _ payload: @autoclosure () -> [UInt8]) {
            if !sections.contains(where: { $0.id == id }) { missing.append((id, payload())) }
        }
        ifMissing(Section.type, LEB128.encode(1) + growType)
        ifMissing(Section.function, LEB128.encode(1) + LEB128.encode(typeCount))
        if defines { ifMissing(Section.global, LEB128.encode(1) + global) }
        if defines { ifMissing(Section.export, LEB128.encode(UInt32(exports.count)) + exports.joined()) }
        ifMissing(Section.code, LEB128.encode(1) + growBody)
        var output = ModuleBinary.magicAndVersion
        output.reserveCapacity(bytes.count + 256)
        for section in sections {
            while let first = missing.first, let rank = Section.rank(section.id), let firstRank = Section.rank(first.id), firstRank < rank {
                output += ModuleBinary.section(first.id, first.payload)
                missing.removeFirst()
            }
            switch section.id {
            case Section.type:
                output += try appending(to: section, count: 1, growType)
            case Section.import where !defines:
                output += try appending(
                    to: section, count: 1,
                    Self.name(VirtualMemorySize.importModule) + Self.name(VirtualMemorySize.importName) + [0x03, i32, ModuleBinary.mutable])
            case Section.function:
                output += try appending(to: section, count: 1, LEB128.encode(typeCount))
            case Section.global where defines:
                output += try appending(to: section, count: 1, global)
            case Section.export where defines:
                output += try appending(to: section, count: UInt32(exports.count), Array(exports.joined()))
            case Section.export where !defines:
                output += ModuleBinary.section(Section.export, try exportSection(section.payload))
            case Section.code:
                output += ModuleBinary.section(Section.code, try codeSection(section.payload, expressions, then: growBody))
            default:
                output += bytes[section.range]
            }
        }
        for section in missing { output += ModuleBinary.section(section.id, section.payload) }
        return output
    }

    private static func name(_ text: String) -> [UInt8] {
        LEB128.encode(UInt32(text.utf8.count)) + Array(text.utf8)
    }

    /// `section` with `count` more entries, `entries`, after its own.
    private func appending(to section: Section, count: UInt32, _ entries: [UInt8]) throws(InterruptPoints.Failure) -> [UInt8] {
        var reader = ModuleReader(bytes, range: section.payload)
        let existing = try reader.u32()
        guard existing <= UInt32.max - count else { throw reader.failure("a section has too many entries") }
        return ModuleBinary.section(section.id, LEB128.encode(existing + count) + bytes[reader.offset..<section.payload.upperBound] + entries)
    }

    /// The export section with every defined global's index moved up by the added import.
    private func exportSection(_ payload: Range<Int>) throws(InterruptPoints.Failure) -> [UInt8] {
        var reader = ModuleReader(bytes, range: payload)
        let count = try reader.u32()
        var output = LEB128.encode(count)
        for _ in 0..<count {
            let start = reader.offset
            _ = try reader.bytes(Int(try reader.u32()))
            let kind = try reader.byte()
            output += bytes[start..<reader.offset]
            let index = try reader.u32()
            output += LEB128.encode(kind == 0x03 && index >= importedGlobals ? index + 1 : index)
        }
        guard reader.isAtEnd else { throw reader.failure("the export section has bytes after its entries") }
        return output
    }

    /// The code section with each body's expression replaced where `expressions` has one, then
    /// `added` (the body of `grow`, with its size).
    private func codeSection(_ payload: Range<Int>, _ expressions: [[UInt8]?], then added: [UInt8]) throws(InterruptPoints.Failure) -> [UInt8] {
        var reader = ModuleReader(bytes, range: payload)
        let count = try reader.u32()
        guard count == codes.count, count < UInt32.max else { throw reader.failure("the code section's count does not match its bodies") }
        var output = LEB128.encode(count + 1)
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
        return output + added
    }
}
