// Rewriting a core module so that its guest calls the host at every loop header and at the entry of every function that loops or calls.
import WasmKit
import WasmParser

/// A load-time rewrite of a core module after which its guest can always be stopped: the guest
/// itself calls the host function `check` (``importModule``, ``importName``) at regular check
/// points, and the host stops it by throwing from there.
///
/// WasmKit cannot interrupt a running guest from outside. ``instrument(_:)`` therefore gives the
/// module, before WasmKit parses it, one more imported function `check: () -> ()`, one mutable
/// `i32` global that counts function entries down from ``entryInterval``, and these check
/// points:
///
/// - at the entry of every function whose body contains a loop or a call instruction (`call`,
///   `call_indirect`, `call_ref` or their `return_call` forms), the entry counter goes down by
///   one, and every ``entryInterval``-th time it is reset and `check` is called;
/// - at the head of every loop (right after each `loop` instruction, so on every iteration, the
///   first included), a counter local to the activation, 0 at its entry as every local is,
///   counts the iterations the header stands for: one, or for an innermost loop with a small
///   body, which is unrolled (``UnrolledLoop``: the body copied up to 8 times, the header run
///   once per copy set), as many as it has copies; when the counter reaches ``loopInterval`` or
///   more, ``loopInterval`` is taken off it and `check` is called;
/// - a `memory.fill` or `memory.copy` (of 32-bit memories) of ``bulkCheckLength`` bytes or more
///   calls a function the rewrite adds, which does the same operation in pieces of that length
///   and calls `check` before each; the other bulk operations (`memory.init`, the `table`
///   ones, those of 64-bit memories) call `check` before they run when that long.
///
/// **Guarantee.** Between two calls to `check` an activation passes its loop headers for at
/// most ``loopInterval`` iterations (a header of an unrolled loop counts all its copies, run or
/// not), and the instance enters at most ``entryInterval`` functions that loop or call. A
/// function with neither runs each instruction of its body at most once per activation. So the
/// work between two checks is bounded, whatever the guest does: at most (``entryInterval`` +
/// the activations on the stack) × ``loopInterval`` loop iterations, each no longer than its
/// function's body, plus one bulk operation's piece.
///
/// **Cost.** At each loop header eight instructions on a local (two or three dispatches in
/// WasmKit's interpreter), once per iteration or, in an unrolled loop, once per copy set, with
/// one `br` more when the loop is left from a copy other than the last; at each entry of a
/// function that loops or calls eight, three of them global accesses; a host call once per
/// interval; about 20 bytes of code per loop and per such function and three locals in it, and
/// the copies of small innermost loops (at most 64 bytes each); one added function per bulk
/// operation and memory in use; and one more reading of the module when it is loaded.
/// BENCHMARKS.md measures it.
///
/// The same pass works around a defect of WasmKit 0.4.2's exception handling: a `try_table`
/// whose catch leaves another `try_table` is rerouted through blocks of its own (``LabelFrames``),
/// the labels inside it renumbered.
///
/// **Non-goals.** A host function the guest calls is not interrupted by the rewrite (hosts that
/// block check themselves), nor is `memory.grow`. Custom sections that hold code offsets
/// (DWARF, branch hints) are copied as they are and no longer match the code; the `name`
/// section is renumbered, or dropped if it does not parse (the label names of a function whose
/// catches were rerouted are off by the blocks added). The counter is hidden from the
/// guest's code (which cannot name it) but not from the host: a rewrite that exports every
/// mutable global exports it too.
///
/// Thread safety: ``instrument(_:)`` is a pure function of its argument.
public enum InterruptPoints {
    /// The module of the import every instrumented module gets: `check`, of type `() -> ()`.
    public static let importModule = "capsule:interrupt"
    /// The name of the import every instrumented module gets, of type `() -> ()`.
    public static let importName = "check"
    /// Loop headers an activation passes between two checks. Small enough that a tight loop
    /// (tens of nanoseconds an iteration in WasmKit's interpreter) checks every few tens of
    /// microseconds; large enough that the host call, made once an interval, is noise.
    public static let loopInterval: UInt32 = 1024
    /// Entries of functions that loop or call, in an instance, between two checks; the same
    /// trade-off as ``loopInterval``, for recursion and for loops split across functions.
    public static let entryInterval: UInt32 = 1024
    /// The length, in bytes or table elements, from which a bulk operation checks, and the
    /// piece in which `memory.fill` and `memory.copy` run. WasmKit does such an operation in one
    /// step, so one fill of 1 GiB would otherwise run for a second between two checks; 64 KiB
    /// takes a few microseconds, against which the host call is noise, and smaller operations
    /// (the common `memcpy`) pay four instructions.
    public static let bulkCheckLength: UInt32 = 1 << 16

    /// The module with check points added.
    ///
    /// Adds the type `() -> ()` (and `(i32, i32, i32) -> ()` if a bulk operation is done in
    /// pieces), the import ``importModule``.``importName`` (which takes the function index after
    /// the other function imports, so every defined function's index goes up by one, everywhere
    /// the module names it), the entry counter global, the functions doing bulk operations in
    /// pieces after the defined ones, and the check points in each function body that has a
    /// loop, a call or a bulk operation (with three locals for them). Every other byte is copied
    /// as it is.
    ///
    /// - Parameter bytes: A core module in the binary format.
    /// - Returns: The instrumented module; `bytes` unchanged if no function has a loop, a call or
    ///   a bulk operation.
    /// - Throws: ``Failure`` when the bytes do not parse as a module, or use a construct the
    ///   rewrite cannot read (which WasmKit would refuse too).
    public static func instrument(_ bytes: [UInt8]) throws(InterruptPoints.Failure) -> [UInt8] {
        try instrument(bytes, copyBudget: UnrolledLoop.copyBudget)
    }

    /// ``instrument(_:)`` with the bytes the copies of an unrolled loop's body may take
    /// together, so that tests can unroll larger bodies than the rewrite does.
    package static func instrument(_ bytes: [UInt8], copyBudget: Int) throws(InterruptPoints.Failure) -> [UInt8] {
        let outline = try ModuleOutline(bytes)
        let rewrite = try Rewrite(outline, copyBudget: copyBudget)
        var pieced = PiecedOperations(firstFunction: rewrite.firstAddedFunction)
        var blockTypes = AddedBlockTypes(firstIndex: rewrite.piecedType + 1)
        var bodies: [Rewrite.Body] = []
        bodies.reserveCapacity(outline.codes.count)
        for (index, code) in outline.codes.enumerated() {
            bodies.append(
                try rewrite.body(
                    code, parameters: try outline.parameterCount(ofDefined: index), pieced: &pieced, blockTypes: &blockTypes))
        }
        guard bodies.contains(where: { $0.hasCheckPoints || $0.hasReroutedCatches }) else { return bytes }
        return try rewrite.module(bodies: bodies, pieced: pieced, blockTypes: blockTypes)
    }

    /// Why a module could not be instrumented.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong with the module, and where.
        public let reason: String

        init(_ reason: String) {
            self.reason = reason
        }

        public var description: String { "cannot add interrupt points: \(reason)" }
    }
}

/// What the rewrite needs to know of a module, as WasmParser reads it: where its sections lie,
/// how many functions and globals it imports and defines, its memories' and tables' address
/// types, and its function bodies.
private struct ModuleOutline {
    struct Section {
        let id: UInt8
        /// The whole section: id, size and payload.
        let range: Range<Int>
        let payload: Range<Int>
        let isNameSection: Bool
    }

    let bytes: [UInt8]
    private(set) var sections: [Section] = []
    private(set) var typeCount = 0
    private(set) var functionImportCount = 0
    private(set) var definedFunctionCount = 0
    private(set) var globalImportCount = 0
    private(set) var definedGlobalCount = 0
    private(set) var codes: [Code] = []
    /// The number of parameters of each type (0 for a type that is not a function's).
    private(set) var typeParameterCounts: [Int] = []
    /// Each type that is a function's, by index.
    private(set) var functionSignatures: [WasmTypes.FunctionType?] = []
    /// The type of each tag, imported ones first.
    private(set) var tagTypes: [UInt32] = []
    /// The type of each defined function.
    private(set) var functionTypes: [UInt32] = []
    /// Whether each memory, imported ones first, has 64-bit addresses.
    private(set) var memoryIs64: [Bool] = []
    /// Whether each table, imported ones first, has 64-bit indices.
    private(set) var tableIs64: [Bool] = []

    init(_ bytes: [UInt8]) throws(InterruptPoints.Failure) {
        self.bytes = bytes
        // Every feature WasmParser knows, so that the rewrite reads whatever WasmKit may be
        // configured to accept; WasmKit enforces its own feature set on the result.
        var parser = Parser(bytes: bytes, features: .all)
        var start = parser.offset
        while let payload = try Self.next(&parser) {
            defer { start = parser.offset }
            if case .header = payload { continue }
            var header = ModuleReader(bytes, range: start..<parser.offset)
            let id = try header.byte()
            _ = try header.u32()
            var isNameSection = false
            switch payload {
            case .customSection(let section): isNameSection = section.name == "name"
            case .typeSection(let groups):
                typeCount = groups.reduce(0) { $0 + $1.types.count }
                functionSignatures = groups.flatMap(\.types).map { type in
                    if case .function(let function) = type.body { function } else { nil }
                }
                typeParameterCounts = functionSignatures.map { $0?.parameters.count ?? 0 }
            case .importSection(let imports):
                for entry in imports {
                    switch entry.descriptor {
                    case .function: functionImportCount += 1
                    case .global: globalImportCount += 1
                    case .memory(let type): memoryIs64.append(type.isMemory64)
                    case .table(let type): tableIs64.append(type.limits.isMemory64)
                    case .tag(let type): tagTypes.append(type)
                    }
                }
            case .functionSection(let types):
                // An index past the module's types is invalid in the original; after the rewrite
                // it would name an added type.
                if let (function, type) = types.enumerated().first(where: { $0.element >= typeCount }) {
                    throw InterruptPoints.Failure("the defined function \(function) has the type \(type), which does not exist")
                }
                definedFunctionCount = types.count
                functionTypes = types
            case .memorySection(let memories): memoryIs64 += memories.map(\.type.isMemory64)
            case .tableSection(let tables): tableIs64 += tables.map(\.type.limits.isMemory64)
            case .globalSection(let globals): definedGlobalCount = globals.count
            case .codeSection(let codes): self.codes = codes
            case .tagSection(let tags): tagTypes += tags.map(\.type)
            default: break
            }
            sections.append(Section(id: id, range: start..<parser.offset, payload: header.offset..<parser.offset, isNameSection: isNameSection))
        }
        guard definedFunctionCount == codes.count else {
            throw InterruptPoints.Failure(
                "the module declares \(definedFunctionCount) functions but has \(codes.count) function bodies")
        }
    }

    /// How many parameters the `index`th defined function takes: where its declared locals'
    /// indices begin.
    func parameterCount(ofDefined index: Int) throws(InterruptPoints.Failure) -> Int {
        guard index < functionTypes.count, Int(functionTypes[index]) < typeParameterCounts.count else {
            throw InterruptPoints.Failure("the defined function \(index) has no type")
        }
        return typeParameterCounts[Int(functionTypes[index])]
    }

    /// Whether a block of type `type` takes parameters.
    func takesParameters(_ type: BlockType) throws(InterruptPoints.Failure) -> Bool {
        guard case .funcType(let index) = type else { return false }
        guard index < typeParameterCounts.count else { throw InterruptPoints.Failure("a block has the type \(index), which does not exist") }
        return typeParameterCounts[Int(index)] > 0
    }

    /// The parameters a block of type `type` takes.
    func parameters(of type: BlockType) throws(InterruptPoints.Failure) -> [WasmTypes.ValueType] {
        guard case .funcType(let index) = type else { return [] }
        guard index < functionSignatures.count, let signature = functionSignatures[Int(index)] else {
            throw InterruptPoints.Failure("a block has the type \(index), which is not a function type")
        }
        return signature.parameters
    }

    /// The values a catch clause passes to its label: its tag's parameters, then an `exnref`
    /// for the `_ref` forms.
    func payload(of clause: CatchClause) throws(InterruptPoints.Failure) -> [WasmTypes.ValueType] {
        func tag(_ index: UInt32) throws(InterruptPoints.Failure) -> [WasmTypes.ValueType] {
            guard index < tagTypes.count, tagTypes[Int(index)] < functionSignatures.count,
                let signature = functionSignatures[Int(tagTypes[Int(index)])]
            else { throw InterruptPoints.Failure("a catch names the tag \(index), which does not exist") }
            return signature.parameters
        }
        let exnref = WasmTypes.ValueType.ref(.exnRef)
        switch clause {
        case .catch(let index, _): return try tag(index)
        case .catchRef(let index, _): return try tag(index) + [exnref]
        case .catchAll: return []
        case .catchAllRef: return [exnref]
        }
    }

    /// Whether the memory `index` has 64-bit addresses.
    func isMemory64(_ index: UInt32) throws(InterruptPoints.Failure) -> Bool {
        guard index < memoryIs64.count else { throw InterruptPoints.Failure("a function uses the memory \(index), which does not exist") }
        return memoryIs64[Int(index)]
    }

    /// Whether the table `index` has 64-bit indices.
    func isTable64(_ index: UInt32) throws(InterruptPoints.Failure) -> Bool {
        guard index < tableIs64.count else { throw InterruptPoints.Failure("a function uses the table \(index), which does not exist") }
        return tableIs64[Int(index)]
    }

    private static func next(_ parser: inout Parser<StaticByteStreamSource>) throws(InterruptPoints.Failure) -> ParsingPayload? {
        do {
            return try parser.parseNext()
        } catch {
            throw InterruptPoints.Failure("the module does not parse: \(error)")
        }
    }
}

/// The rewrite of one module: the indices of what it adds, and the new form of each section.
private struct Rewrite {
    /// A function body after the rewrite.
    struct Body {
        /// The new expression, or `nil` if the body is copied as it is.
        let expression: [UInt8]?
        /// Whether the expression has check points, and so uses three more locals after the
        /// declared ones: `scratch` (`i32`), the activation's loop `counter` (`i32`) and `wide`
        /// (`i64`, a 64-bit bulk operation's length).
        let hasCheckPoints: Bool
        /// Whether a `try_table`'s catches were rerouted (``LabelFrames``).
        var hasReroutedCatches = false
    }

    let outline: ModuleOutline
    var bytes: [UInt8] { outline.bytes }
    /// The index of the `check` import: the first after the existing function imports.
    let checkFunction: UInt32
    /// The index of the type `() -> ()` added after the existing types.
    let checkType: UInt32
    /// The index of the type `(i32, i32, i32) -> ()` of the functions doing bulk operations in
    /// pieces, added after `checkType` if there are any.
    var piecedType: UInt32 { checkType + 1 }
    /// The number of globals before the rewrite, so the index of the entry counter.
    let entryCounter: UInt32
    /// The index of the first function added after the defined ones.
    let firstAddedFunction: UInt32
    /// The bytes the copies of an unrolled loop's body may take together.
    let copyBudget: Int

    init(_ outline: ModuleOutline, copyBudget: Int) throws(InterruptPoints.Failure) {
        self.outline = outline
        self.copyBudget = copyBudget
        guard let checkFunction = UInt32(exactly: outline.functionImportCount),
            let checkType = UInt32(exactly: outline.typeCount), checkType < UInt32.max - 1,
            let entryCounter = UInt32(exactly: outline.globalImportCount + outline.definedGlobalCount),
            entryCounter < UInt32.max,
            let firstAddedFunction = UInt32(exactly: outline.functionImportCount + 1 + outline.definedFunctionCount),
            firstAddedFunction < UInt32.max - PiecedOperations.limit
        else { throw InterruptPoints.Failure("the module has too many types, functions or globals") }
        self.checkFunction = checkFunction
        self.checkType = checkType
        self.entryCounter = entryCounter
        self.firstAddedFunction = firstAddedFunction
    }

    /// The index a function has after the rewrite: up by one from the `check` import on.
    func function(_ index: UInt32) throws(InterruptPoints.Failure) -> UInt32 {
        guard index >= checkFunction else { return index }
        guard index < UInt32.max else { throw InterruptPoints.Failure("the function index \(index) is out of range") }
        return index + 1
    }

    // MARK: Code

    private typealias Op = ModuleBinary.Opcode

    /// `[if (block type)] call check [end]` as bytes.
    private func callCheck() -> [UInt8] { [Op.call] + LEB128.encode(checkFunction) }

    /// At a loop header: counts `iterations` onto the activation's `counter` (more than one for
    /// an unrolled loop, whose header runs once every that many iterations), which starts at 0,
    /// the value of every local at a function's entry; when it reaches
    /// ``InterruptPoints/loopInterval`` or more, takes that much off it (so that what went past
    /// counts towards the next check) and calls `check`.
    /// Stack-neutral and self-contained (its `if` is closed), so branch depths around it are
    /// unchanged. Only locals, which cost WasmKit's interpreter least.
    func loopCheckPoint(counter: UInt32, iterations: UInt32) -> [UInt8] {
        let counter = LEB128.encode(counter)
        let interval = LEB128.encode(signed: Int32(bitPattern: InterruptPoints.loopInterval))
        return [Op.localGet] + counter + [Op.i32Const] + LEB128.encode(signed: Int32(iterations)) + [Op.i32Add, Op.localTee] + counter
            + [Op.i32Const] + interval + [Op.i32GeS, Op.if, ModuleBinary.emptyBlockType]
            + [Op.localGet] + counter + [Op.i32Const] + interval
            + [Op.i32Sub, Op.localSet] + counter + callCheck() + [Op.end]
    }

    /// At a function's entry: the same with the instance's entry counter, a global; the new
    /// value goes through the local `scratch` rather than a second `global.get`. A function
    /// that loops needs nothing more: its loop counter, a local, starts at 0.
    func entryCheckPoint(scratch: UInt32) -> [UInt8] {
        let global = LEB128.encode(entryCounter)
        let scratch = LEB128.encode(scratch)
        return [Op.globalGet] + global + [Op.i32Const, 0x01, Op.i32Sub, Op.localTee] + scratch + [Op.globalSet] + global
            + [Op.localGet] + scratch + [Op.i32Eqz, Op.if, ModuleBinary.emptyBlockType]
            + [Op.i32Const] + LEB128.encode(signed: Int32(bitPattern: InterruptPoints.entryInterval)) + [Op.globalSet] + global
            + callCheck() + [Op.end]
    }

    /// Before a bulk operation whose length (on top of the stack, kept there; an `i64` if
    /// `wide`) is at least ``InterruptPoints/bulkCheckLength``, calls `check`: a loop of large
    /// operations then checks before each, not once per ``InterruptPoints/loopInterval`` of
    /// them. The length goes through the added local `length`.
    func bulkCheckPoint(length: UInt32, wide: Bool) -> [UInt8] {
        let length = LEB128.encode(length)
        let bound =
            wide
            ? [Op.i64Const] + LEB128.encode(signed: Int64(InterruptPoints.bulkCheckLength)) + [Op.i64GeU]
            : [Op.i32Const] + LEB128.encode(signed: Int32(bitPattern: InterruptPoints.bulkCheckLength)) + [Op.i32GeU]
        return [Op.localTee] + length + [Op.localGet] + length + bound
            + [Op.if, ModuleBinary.emptyBlockType] + callCheck() + [Op.end]
    }

    /// `instruction` (a `memory.fill` or `memory.copy` of 32-bit memories, whose three `i32`
    /// operands are on the stack) replaced by a call of the added function `pieced` when its
    /// length is at least ``InterruptPoints/bulkCheckLength``: `if (type piecedType) call
    /// pieced else instruction end`, the operands passing in as the block's parameters.
    func piecedBulkOperation(_ instruction: ArraySlice<UInt8>, pieced: UInt32, scratch: UInt32) -> [UInt8] {
        let scratch = LEB128.encode(scratch)
        return [Op.localTee] + scratch + [Op.localGet] + scratch
            + [Op.i32Const] + LEB128.encode(signed: Int32(bitPattern: InterruptPoints.bulkCheckLength)) + [Op.i32GeU]
            + [Op.if] + LEB128.encode(signed: Int64(piecedType)) + [Op.call] + LEB128.encode(pieced)
            + [Op.else] + instruction + [Op.end]
    }

    /// `code` with check points at its entry if it loops or calls, after every `loop`, and at
    /// every large bulk operation; and with the function indices of `call`, `return_call` and
    /// `ref.func` renumbered. Every other instruction keeps its bytes.
    ///
    /// - Parameters:
    ///   - parameters: How many parameters the function takes.
    ///   - pieced: The functions added for bulk operations in pieces, to which this body's are
    ///     added.
    ///   - blockTypes: The types added for the blocks of rerouted catches (``LabelFrames``), to
    ///     which this body's are added.
    func body(
        _ code: Code, parameters: Int, pieced: inout PiecedOperations, blockTypes: inout AddedBlockTypes
    ) throws(InterruptPoints.Failure) -> Body {
        // The added locals, after the parameters and the declared locals.
        guard let scratch = UInt32(exactly: parameters + code.locals.count), scratch < UInt32.max - 2 else {
            throw InterruptPoints.Failure("a function has too many locals")
        }
        let counter = scratch + 1
        let wide = scratch + 2
        let everyIteration = loopCheckPoint(counter: counter, iterations: 1)
        let expression = code.expression
        var parser = ExpressionParser(code: code)
        // The parser's offsets count from a point that depends on how the module was read;
        // the first instruction is at the start of `expression`.
        let base = parser.offset
        var recorder = InstructionRecorder()
        var output: [UInt8] = []
        output.reserveCapacity(expression.count + 64)
        var calls = false
        var loops = false
        var bulk = false
        var renumbered = false
        // The last loop begun with no loop begun inside it yet, to be unrolled at its end.
        var innermost: UnrolledLoop?
        var frames = LabelFrames()
        var rerouted = false
        while let visit = try Self.next(&parser) {
            visit(visitor: &recorder)
            let start = recorder.binaryOffset - base
            let end = parser.offset - base
            guard 0 <= start, start < end, end <= expression.count else {
                throw InterruptPoints.Failure("an instruction lies outside its function body at byte \(recorder.binaryOffset)")
            }
            let instruction = expression[(expression.startIndex + start)..<(expression.startIndex + end)]
            let written = output.count
            if let labelled = try labelled(recorder.instruction, instruction, frames: &frames, blockTypes: &blockTypes) {
                output += labelled
                rerouted = rerouted || frames.rerouted > 0
            } else {
            switch recorder.instruction {
            case .call(let index):
                calls = true
                renumbered = true
                output += [Op.call] + LEB128.encode(try function(index))
            case .returnCall(let index):
                calls = true
                renumbered = true
                output += [Op.returnCall] + LEB128.encode(try function(index))
            case .refFunc(let index):
                renumbered = true
                output += [Op.refFunc] + LEB128.encode(try function(index))
            case .callIndirect, .returnCallIndirect, .callRef, .returnCallRef:
                calls = true
                output += instruction
            case .loop:
                loops = true
                output += instruction
                output += everyIteration
            case .memoryFill(let memory):
                bulk = true
                if try outline.isMemory64(memory) {
                    output += bulkCheckPoint(length: wide, wide: true) + instruction
                } else {
                    output += piecedBulkOperation(instruction, pieced: try pieced.function(.fill(memory: memory)), scratch: scratch)
                }
            case .memoryCopy(let destination, let source):
                bulk = true
                switch (try outline.isMemory64(destination), try outline.isMemory64(source)) {
                case (false, false):
                    let function = try pieced.function(.copy(destination: destination, source: source))
                    output += piecedBulkOperation(instruction, pieced: function, scratch: scratch)
                case (true, true): output += bulkCheckPoint(length: wide, wide: true) + instruction
                // Between a 32-bit and a 64-bit memory the length is an i32.
                default: output += bulkCheckPoint(length: scratch, wide: false) + instruction
                }
            case .tableFill(let table):
                bulk = true
                let isWide = try outline.isTable64(table)
                output += bulkCheckPoint(length: isWide ? wide : scratch, wide: isWide) + instruction
            case .tableCopy(let destination, let source):
                bulk = true
                let (wideDestination, wideSource) = (try outline.isTable64(destination), try outline.isTable64(source))
                let isWide = wideDestination && wideSource
                output += bulkCheckPoint(length: isWide ? wide : scratch, wide: isWide) + instruction
            case .memoryInit, .tableInit:
                // A segment's length is an i32, whatever the address type.
                bulk = true
                output += bulkCheckPoint(length: scratch, wide: false) + instruction
            case .globalGet(let index), .globalSet(let index):
                // An index past the module's own globals is invalid in the original; after the
                // rewrite it would name the counter, and let the guest stop its own checks.
                guard index < entryCounter else {
                    throw InterruptPoints.Failure("a function uses the global \(index), which does not exist, at byte \(recorder.binaryOffset)")
                }
                output += instruction
            case .localGet(let index), .localSet(let index), .localTee(let index):
                // Likewise for a local past the function's own: it would name an added one.
                guard index < scratch else {
                    throw InterruptPoints.Failure("a function uses the local \(index), which does not exist, at byte \(recorder.binaryOffset)")
                }
                output += instruction
            default:
                output += instruction
            }
            }
            if frames.rerouted > 0 {
                // Inside a rerouted try_table the bytes are not the instructions' own.
                innermost = nil
            } else if case .loop(let type) = recorder.instruction {
                innermost = UnrolledLoop(header: instruction, at: written, takesParameters: try outline.takesParameters(type), copyBudget: copyBudget)
            } else if var loop = innermost {
                innermost = nil
                if loop.read(recorder.instruction, written: output[written...]) {
                    if loop.factor > 1 {
                        output.removeSubrange(loop.outputStart...)
                        output += loop.unrolled(checkPoint: loopCheckPoint(counter: counter, iterations: loop.factor))
                    }
                } else {
                    innermost = loop
                }
            }
        }
        // A function with no loop and no call runs straight through its body once per
        // activation, bounded by its size, so its entry needs no check; the entries of one that
        // loops or calls are counted, so that neither recursion nor a loop calling a function
        // that loops fewer than loopInterval times escapes the count.
        if calls || loops {
            output = entryCheckPoint(scratch: scratch) + output
        }
        guard frames.isEmpty else { throw InterruptPoints.Failure("a function body ends inside a block") }
        let hasCheckPoints = calls || loops || bulk
        return Body(
            expression: hasCheckPoints || renumbered || rerouted ? output : nil, hasCheckPoints: hasCheckPoints,
            hasReroutedCatches: rerouted)
    }

    /// A block, `try_table`, `end` or branch (`instruction`, whose bytes are `bytes`) as it is
    /// after the rewrite, with `frames` pushed or popped; `nil` when its bytes stay as they are
    /// (the caller copies them), as they do but inside a rerouted `try_table` or at its end.
    private func labelled(
        _ instruction: Instruction, _ bytes: ArraySlice<UInt8>, frames: inout LabelFrames, blockTypes: inout AddedBlockTypes
    ) throws(InterruptPoints.Failure) -> [UInt8]? {
        func branch(_ opcode: UInt8, _ label: UInt32) throws(InterruptPoints.Failure) -> [UInt8]? {
            frames.rerouted == 0 ? nil : [opcode] + LEB128.encode(try frames.relabeled(label))
        }
        switch instruction {
        case .block, .if:
            frames.push()
            return nil
        case .loop:
            frames.push(isLoop: true)
            return nil
        case .end:
            guard let trampoline = try frames.pop() else { return nil }
            return Array(bytes) + (try exits(of: trampoline, frames))
        case .br(let label): return try branch(Op.br, label)
        case .brIf(let label): return try branch(Op.brIf, label)
        case .brOnNull(let label): return try branch(Op.brOnNull, label)
        case .brOnNonNull(let label): return try branch(Op.brOnNonNull, label)
        case .brTable(let targets):
            guard frames.rerouted > 0 else { return nil }
            var output = [Op.brTable] + LEB128.encode(UInt32(targets.labelIndices.count))
            for label in targets.labelIndices { output += LEB128.encode(try frames.relabeled(label)) }
            return output + LEB128.encode(try frames.relabeled(targets.defaultIndex))
        case .brOnCast(let label, _, _), .brOnCastFail(let label, _, _):
            guard frames.rerouted > 0 else { return nil }
            // The prefix, the sub-opcode and the cast flags; the label; two heap types.
            var reader = ModuleReader(Array(bytes), range: 0..<bytes.count)
            _ = try reader.byte()
            _ = try reader.u32()
            _ = try reader.byte()
            let labelStart = reader.offset
            _ = try reader.u32()
            return Array(reader.bytes[..<labelStart]) + LEB128.encode(try frames.relabeled(label)) + reader.bytes[reader.offset...]
        case .tryTable(let type, let tryCatch):
            return try tryTable(type, tryCatch.catches, frames: &frames, blockTypes: &blockTypes)
        default:
            return nil
        }
    }

    /// A `try_table`: `nil` if its bytes stay, its clauses relabeled inside a rerouted
    /// `try_table`, or if a catch clause leaves another `try_table` with handlers, the blocks that
    /// reroute it and the `try_table` with its clauses relabeled (``LabelFrames``).
    private func tryTable(
        _ type: BlockType, _ catches: [CatchClause], frames: inout LabelFrames,
        blockTypes: inout AddedBlockTypes
    ) throws(InterruptPoints.Failure) -> [UInt8]? {
        let leaving = catches.indices.filter { frames.leavesHandlers(catches[$0].label) }
        guard !leaving.isEmpty else {
            var output: [UInt8]?
            if frames.rerouted > 0 {
                var clauses: [(CatchClause, UInt32)] = []
                for clause in catches { clauses.append((clause, try frames.relabeled(clause.label))) }
                output = Self.tryTable(type, clauses)
            }
            frames.push(hasHandlers: !catches.isEmpty)
            return output
        }
        let added = UInt32(leaving.count)
        let parameters = try outline.parameters(of: type)
        var output = [Op.block] + ModuleBinary.blockType(type)
        for index in leaving.reversed() {
            output += [Op.block] + blockTypes.blockType(parameters: parameters, results: try outline.payload(of: catches[index]))
        }
        var clauses: [(CatchClause, UInt32)] = []
        for (index, clause) in catches.enumerated() {
            // A rerouted clause goes to its own block; the others past the blocks added.
            if let block = leaving.firstIndex(of: index) {
                clauses.append((clause, UInt32(block)))
            } else {
                clauses.append((clause, try frames.relabeled(clause.label) + added + 1))
            }
        }
        output += Self.tryTable(type, clauses)
        frames.push(hasHandlers: true, trampoline: LabelFrames.Trampoline(addedBlocks: added + 1, exits: leaving.map { catches[$0].label }))
        return output
    }

    /// After a rerouted `try_table`'s `end`: its results out of the outermost added block, then
    /// each rerouted catch's payload to its label by a `br`, then the outermost block's `end`.
    private func exits(of trampoline: LabelFrames.Trampoline, _ frames: LabelFrames) throws(InterruptPoints.Failure) -> [UInt8] {
        let rerouted = trampoline.addedBlocks - 1
        var output = [Op.br] + LEB128.encode(rerouted)
        for (index, label) in trampoline.exits.enumerated() {
            // Inside the blocks of the clauses after this one, and the outermost.
            output += [Op.end, Op.br] + LEB128.encode(try frames.relabeled(label) + rerouted - UInt32(index))
        }
        return output + [Op.end]
    }

    /// `try_table` of `type` with `clauses`, each with its label.
    private static func tryTable(_ type: BlockType, _ clauses: [(CatchClause, UInt32)]) -> [UInt8] {
        var output = [Op.tryTable] + ModuleBinary.blockType(type) + LEB128.encode(UInt32(clauses.count))
        for (clause, label) in clauses {
            switch clause {
            case .catch(let tag, _): output += [0x00] + LEB128.encode(tag)
            case .catchRef(let tag, _): output += [0x01] + LEB128.encode(tag)
            case .catchAll: output += [0x02]
            case .catchAllRef: output += [0x03]
            }
            output += LEB128.encode(label)
        }
        return output
    }

    private static func next(_ parser: inout ExpressionParser) throws(InterruptPoints.Failure) -> ExpressionParser.Visit? {
        do {
            return try parser.parse()
        } catch {
            throw InterruptPoints.Failure("a function body does not parse: \(error)")
        }
    }

    /// The code section with each body's locals declaration kept (and the three added locals
    /// declared where it has check points) and its expression replaced, then the bodies of the
    /// functions added for `pieced`.
    func codeSection(_ payload: Range<Int>, bodies: [Body], pieced: PiecedOperations) throws(InterruptPoints.Failure) -> [UInt8] {
        var reader = ModuleReader(bytes, range: payload)
        let count = try reader.u32()
        guard count == bodies.count else { throw reader.failure("the code section's count does not match its bodies") }
        var output = LEB128.encode(count + UInt32(pieced.operations.count))
        for (body, code) in zip(bodies, outline.codes) {
            let sizeStart = reader.offset
            let size = Int(try reader.u32())
            let start = reader.offset
            _ = try reader.bytes(size)
            guard let expression = body.expression else {
                output += bytes[sizeStart..<reader.offset]
                continue
            }
            // WasmParser's expression is a slice of `bytes`, at the end of the body.
            guard code.expression.endIndex == reader.offset, code.expression.startIndex >= start else {
                throw reader.failure("a function body is not where the parser found it", at: start)
            }
            var locals = Array(bytes[start..<code.expression.startIndex])
            if body.hasCheckPoints {
                // Two more groups of locals: two i32s, then an i64.
                var declaration = ModuleReader(bytes, range: start..<code.expression.startIndex)
                let groups = try declaration.u32()
                guard groups < UInt32.max - 1 else { throw reader.failure("a function declares too many groups of locals", at: start) }
                locals = LEB128.encode(groups + 2) + bytes[declaration.offset..<code.expression.startIndex]
                    + [0x02, ModuleBinary.i32Type, 0x01, ModuleBinary.i64Type]
            }
            let newSize = locals.count + expression.count
            guard let encodedSize = UInt32(exactly: newSize) else { throw reader.failure("a function body grows too large", at: start) }
            output += LEB128.encode(encodedSize) + locals + expression
        }
        guard reader.isAtEnd else { throw reader.failure("the code section has bytes after its bodies") }
        for operation in pieced.operations {
            let body = [0x00] + operation.expression(check: checkFunction)
            output += LEB128.encode(UInt32(body.count)) + body
        }
        return output
    }

    // MARK: Sections that gain an entry

    /// The type section with `() -> ()` appended, `(i32, i32, i32) -> ()` if `pieced` or
    /// there are `blockTypes` (whose indices follow it), and `blockTypes` (a new section when
    /// `payload` is `nil`).
    func typeSection(_ payload: Range<Int>?, pieced: Bool, blockTypes: AddedBlockTypes) throws(InterruptPoints.Failure) -> [UInt8] {
        let withPieced = pieced || !blockTypes.encoded.isEmpty
        let (count, rest) = try countAndRest(payload, adding: (withPieced ? 2 : 1) + UInt32(blockTypes.encoded.count))
        let i32 = ModuleBinary.i32Type
        return count + bytes[rest] + [ModuleBinary.functionTypeForm, 0x00, 0x00]
            + (withPieced ? [ModuleBinary.functionTypeForm, 0x03, i32, i32, i32, 0x00] : []) + blockTypes.encoded.joined()
    }

    /// The function section with the types of the functions added for `pieced` appended.
    func functionSection(_ payload: Range<Int>, pieced: PiecedOperations) throws(InterruptPoints.Failure) -> [UInt8] {
        let added = UInt32(pieced.operations.count)
        let (count, rest) = try countAndRest(payload, adding: added)
        return count + bytes[rest] + Array(repeating: LEB128.encode(piecedType), count: Int(added)).joined()
    }

    /// The import section with `check` appended.
    func importSection(_ payload: Range<Int>?) throws(InterruptPoints.Failure) -> [UInt8] {
        let (count, rest) = try countAndRest(payload, adding: 1)
        let module = Array(InterruptPoints.importModule.utf8)
        let name = Array(InterruptPoints.importName.utf8)
        return count + bytes[rest]
            + LEB128.encode(UInt32(module.count)) + module + LEB128.encode(UInt32(name.count)) + name
            + [ModuleBinary.functionKind] + LEB128.encode(checkType)
    }

    /// The global section with `ref.func` indices renumbered and the entry counter appended.
    func globalSection(_ payload: Range<Int>?) throws(InterruptPoints.Failure) -> [UInt8] {
        let (count, rest) = try countAndRest(payload, adding: 1)
        var rewriter = PayloadRewriter(self, rest)
        while !rewriter.reader.isAtEnd {
            try rewriter.copy { (reader) throws(InterruptPoints.Failure) in
                try reader.skipValueType()
                _ = try reader.byte()
            }
            try rewriter.constantExpression()
        }
        return count + (try rewriter.finish())
            + [ModuleBinary.i32Type, ModuleBinary.mutable, Op.i32Const]
            + LEB128.encode(signed: Int32(bitPattern: InterruptPoints.entryInterval)) + [Op.end]
    }

    /// The count at the start of a section's payload plus `added`, encoded, and the range of
    /// the entries after it; `added` and nothing for a section the module does not have.
    private func countAndRest(_ payload: Range<Int>?, adding added: UInt32) throws(InterruptPoints.Failure) -> ([UInt8], Range<Int>) {
        guard let payload else { return (LEB128.encode(added), 0..<0) }
        var reader = ModuleReader(bytes, range: payload)
        let count = try reader.u32()
        guard count <= UInt32.max - added else { throw reader.failure("a section has too many entries") }
        return (LEB128.encode(count + added), reader.offset..<payload.upperBound)
    }

    // MARK: Sections that name functions

    /// The table section with `ref.func` indices in table initializers renumbered.
    func tableSection(_ payload: Range<Int>) throws(InterruptPoints.Failure) -> [UInt8] {
        var rewriter = PayloadRewriter(self, payload)
        for _ in 0..<(try rewriter.copyU32()) {
            if try rewriter.reader.peek() == ModuleBinary.tableWithInitializer {
                try rewriter.copy { (reader) throws(InterruptPoints.Failure) in
                    _ = try reader.byte()
                    _ = try reader.byte()
                    try reader.skipTableType()
                }
                try rewriter.constantExpression()
            } else {
                try rewriter.copy { (reader) throws(InterruptPoints.Failure) in try reader.skipTableType() }
            }
        }
        return try rewriter.finish()
    }

    /// The export section with the indices of exported functions renumbered.
    func exportSection(_ payload: Range<Int>) throws(InterruptPoints.Failure) -> [UInt8] {
        var rewriter = PayloadRewriter(self, payload)
        for _ in 0..<(try rewriter.copyU32()) {
            try rewriter.copy { (reader) throws(InterruptPoints.Failure) in try reader.skipName() }
            let kind = try rewriter.copyByte()
            if kind == ModuleBinary.functionKind {
                try rewriter.function()
            } else {
                try rewriter.copy { (reader) throws(InterruptPoints.Failure) in _ = try reader.u32() }
            }
        }
        return try rewriter.finish()
    }

    /// The start section with its function renumbered.
    func startSection(_ payload: Range<Int>) throws(InterruptPoints.Failure) -> [UInt8] {
        var rewriter = PayloadRewriter(self, payload)
        try rewriter.function()
        return try rewriter.finish()
    }

    /// The element section with every function index renumbered: in vectors of function
    /// indices (flags 0–3) and in `ref.func` of vectors of expressions (flags 4–7).
    func elementSection(_ payload: Range<Int>) throws(InterruptPoints.Failure) -> [UInt8] {
        var rewriter = PayloadRewriter(self, payload)
        for _ in 0..<(try rewriter.copyU32()) {
            let flagsOffset = rewriter.reader.offset
            let flags = try rewriter.copyU32()
            guard flags <= 7 else {
                throw rewriter.reader.failure("an element segment has the unknown flags \(flags)", at: flagsOffset)
            }
            // Bit 0: passive or declarative; bit 1: a table index (active) or declarative
            // (passive); bit 2: expressions rather than function indices.
            let active = flags & 0b001 == 0
            let explicitTable = flags & 0b010 != 0
            let expressions = flags & 0b100 != 0
            if active && explicitTable { try rewriter.copy { (reader) throws(InterruptPoints.Failure) in _ = try reader.u32() } }
            if active { try rewriter.constantExpression() }
            // An element kind (0x00, funcref) or a reference type, unless the segment is active
            // on table 0 in the shortest form.
            if !active || explicitTable {
                try rewriter.copy { (reader) throws(InterruptPoints.Failure) in
                    if expressions { try reader.skipValueType() } else { _ = try reader.byte() }
                }
            }
            for _ in 0..<(try rewriter.copyU32()) {
                if expressions { try rewriter.constantExpression() } else { try rewriter.function() }
            }
        }
        return try rewriter.finish()
    }

    /// The `name` custom section with the function indices of its function names (1), local
    /// names (2) and label names (3) renumbered, other subsections copied; `nil` if it does not
    /// parse (engines ignore a malformed name section, and indices there cannot be trusted).
    func nameSection(_ payload: Range<Int>) -> [UInt8]? {
        do {
            var reader = ModuleReader(bytes, range: payload)
            try reader.skipName()
            var output = Array(bytes[payload.lowerBound..<reader.offset])
            while !reader.isAtEnd {
                let id = try reader.byte()
                let size = Int(try reader.u32())
                let contentStart = reader.offset
                _ = try reader.bytes(size)
                var subsection = PayloadRewriter(self, contentStart..<reader.offset)
                switch id {
                case 1:
                    for _ in 0..<(try subsection.copyU32()) {
                        try subsection.function()
                        try subsection.copy { (reader) throws(InterruptPoints.Failure) in try reader.skipName() }
                    }
                case 2, 3:
                    for _ in 0..<(try subsection.copyU32()) {
                        try subsection.function()
                        for _ in 0..<(try subsection.copyU32()) {
                            try subsection.copy { (reader) throws(InterruptPoints.Failure) in
                                _ = try reader.u32()
                                try reader.skipName()
                            }
                        }
                    }
                default:
                    try subsection.copy { (reader) throws(InterruptPoints.Failure) in _ = try reader.bytes(size) }
                }
                output += ModuleBinary.section(id, try subsection.finish())
            }
            return output
        } catch {
            return nil
        }
    }

    // MARK: The module

    /// The module with every section rewritten or copied, in the original order, with the
    /// type, import and global sections created where the binary format puts them if the
    /// module had none.
    func module(bodies: [Body], pieced: PiecedOperations, blockTypes: AddedBlockTypes) throws(InterruptPoints.Failure) -> [UInt8] {
        typealias Section = ModuleBinary.Section
        let present = Set(outline.sections.map(\.id))
        let hasPieced = !pieced.operations.isEmpty
        var missing: [(id: UInt8, payload: [UInt8])] = []
        if !present.contains(Section.type) { missing.append((Section.type, try typeSection(nil, pieced: hasPieced, blockTypes: blockTypes))) }
        if !present.contains(Section.import) { missing.append((Section.import, try importSection(nil))) }
        if !present.contains(Section.global) { missing.append((Section.global, try globalSection(nil))) }

        var output = ModuleBinary.magicAndVersion
        output.reserveCapacity(bytes.count + bytes.count / 8 + 64)
        func addMissing(before rank: Int) {
            while let first = missing.first, let firstRank = Section.rank(first.id), firstRank < rank {
                output += ModuleBinary.section(first.id, first.payload)
                missing.removeFirst()
            }
        }
        for section in outline.sections {
            if let rank = Section.rank(section.id) { addMissing(before: rank) }
            let payload: [UInt8]?
            switch section.id {
            case Section.type: payload = try typeSection(section.payload, pieced: hasPieced, blockTypes: blockTypes)
            case Section.function: payload = try functionSection(section.payload, pieced: pieced)
            case Section.import: payload = try importSection(section.payload)
            case Section.table: payload = try tableSection(section.payload)
            case Section.global: payload = try globalSection(section.payload)
            case Section.export: payload = try exportSection(section.payload)
            case Section.start: payload = try startSection(section.payload)
            case Section.element: payload = try elementSection(section.payload)
            case Section.code: payload = try codeSection(section.payload, bodies: bodies, pieced: pieced)
            case Section.custom where section.isNameSection:
                if let names = nameSection(section.payload) { output += ModuleBinary.section(section.id, names) }
                continue
            default:
                output += bytes[section.range]
                continue
            }
            if let payload { output += ModuleBinary.section(section.id, payload) }
        }
        addMissing(before: Int.max)
        return output
    }
}

/// A copy of part of a section that changes only the function indices in it.
private struct PayloadRewriter {
    let rewrite: Rewrite
    var reader: ModuleReader
    private(set) var output: [UInt8] = []

    init(_ rewrite: Rewrite, _ payload: Range<Int>) {
        self.rewrite = rewrite
        reader = ModuleReader(rewrite.bytes, range: payload)
    }

    /// Copies what `read` reads.
    mutating func copy(_ read: (inout ModuleReader) throws(InterruptPoints.Failure) -> Void) throws(InterruptPoints.Failure) {
        let start = reader.offset
        try read(&reader)
        output += reader.bytes[start..<reader.offset]
    }

    mutating func copyByte() throws(InterruptPoints.Failure) -> UInt8 {
        let byte = try reader.byte()
        output.append(byte)
        return byte
    }

    mutating func copyU32() throws(InterruptPoints.Failure) -> UInt32 {
        var value: UInt32 = 0
        try copy { (reader) throws(InterruptPoints.Failure) in value = try reader.u32() }
        return value
    }

    /// Reads a function index and writes it renumbered.
    mutating func function() throws(InterruptPoints.Failure) {
        output += LEB128.encode(try rewrite.function(try reader.u32()))
    }

    mutating func constantExpression() throws(InterruptPoints.Failure) {
        let rewrite = rewrite
        try reader.copyConstantExpression(into: &output) { (index) throws(InterruptPoints.Failure) in try rewrite.function(index) }
    }

    /// The rewritten payload, once all of it has been read.
    func finish() throws(InterruptPoints.Failure) -> [UInt8] {
        guard reader.isAtEnd else { throw reader.failure("a section has bytes after its last entry") }
        return output
    }
}

/// Keeps the last instruction WasmParser decoded and where it starts.
struct InstructionRecorder: AnyInstructionVisitor {
    typealias VisitorError = Never
    var binaryOffset = 0
    var instruction: Instruction = .nop

    mutating func visit(_ instruction: Instruction) {
        self.instruction = instruction
    }
}
