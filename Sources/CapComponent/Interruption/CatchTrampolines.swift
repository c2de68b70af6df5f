// Catches that leave enclosing try_tables, rerouted through blocks of their own: WasmKit 0.4.2 keeps those try_tables' handlers.
import WasmParser
import WasmKit

/// The labels of a function body as the load-time rewrite reads it, and the `try_table`s whose
/// catches it reroutes.
///
/// **The defect it works around.** When a `try_table`'s catch clause branches to a label outside
/// *another* `try_table` of the same function, WasmKit 0.4.2 removes only the catching
/// `try_table`'s handlers (`handleException`, `Execution/Instructions/ExceptionHandling.swift`),
/// not those of the `try_table`s the branch leaves; a later exception then lands in a handler of
/// a block that was left long ago, and runs its landing pad on whatever the frame holds. LLVM
/// emits exactly this shape for C++ (`-fwasm-exceptions`, a call that must skip the innermost
/// landing pad: `catch_all_ref` to a block outside it, then `throw_ref`), so C++ destructors ran on
/// objects never built and trapped out of bounds where Wasmtime reported the uncaught exception.
/// An ordinary `br` out of a `try_table` does remove its handlers.
///
/// **The rewrite.** Such a `try_table` T, with k catch clauses c₁…cₖ that leave a `try_table`
/// with handlers (to the labels L₁…Lₖ, relative to the context around T), becomes
///
///     block (T's type)                      ;; $exit
///       block ([T's params] -> [payload of cₖ])
///         …
///           block ([T's params] -> [payload of c₁])
///             try_table (T's type) (cᵢ to the i-th block around it; the other clauses +k+1) … end
///             br $exit                      ;; T's results, on the normal path
///           end
///           br L₁ (+ the blocks still around)   ;; c₁'s payload, now by an ordinary branch
///         …
///       end
///       br Lₖ (+1)
///     end
///
/// so that each rerouted catch lands on a block inside every `try_table` it used to leave, and
/// leaves them by a `br`. Every label inside T that reaches past T goes up by k + 1, the blocks
/// added around it. The payload of a catch is its tag's parameters (`catch`), those and an
/// `exnref` (`catch_ref`), nothing (`catch_all`) or an `exnref` (`catch_all_ref`); a block type
/// that is not one value or none is added to the type section (``AddedBlockTypes``).
struct LabelFrames {
    /// A `try_table` rerouted as above: how many blocks it added around itself (k + 1), and the
    /// labels of its rerouted clauses, relative to the context around it.
    struct Trampoline {
        let addedBlocks: UInt32
        let exits: [UInt32]
    }

    private struct Frame {
        let isLoop: Bool
        /// A `try_table` with at least one catch clause.
        let hasHandlers: Bool
        let trampoline: Trampoline?
    }

    /// The function's own frame at the bottom.
    private var frames = [Frame(isLoop: false, hasHandlers: false, trampoline: nil)]
    /// How many frames on the stack are rerouted `try_table`s.
    private(set) var rerouted = 0

    var isEmpty: Bool { frames.isEmpty }

    mutating func push(isLoop: Bool = false, hasHandlers: Bool = false, trampoline: Trampoline? = nil) {
        frames.append(Frame(isLoop: isLoop, hasHandlers: hasHandlers, trampoline: trampoline))
        if trampoline != nil { rerouted += 1 }
    }

    /// Ends the innermost frame: its trampoline, if it was rerouted.
    mutating func pop() throws(InterruptPoints.Failure) -> Trampoline? {
        guard let frame = frames.popLast() else { throw InterruptPoints.Failure("a function body has an `end` too many") }
        if frame.trampoline != nil { rerouted -= 1 }
        return frame.trampoline
    }

    /// `label`, as seen from the innermost frame, after the rewrite: up by the blocks added
    /// around every rerouted `try_table` a branch to it leaves.
    func relabeled(_ label: UInt32) throws(InterruptPoints.Failure) -> UInt32 {
        guard label < frames.count else { throw InterruptPoints.Failure("a branch to the label \(label), which does not exist") }
        guard rerouted > 0 else { return label }
        var result = label
        for (depth, frame) in frames.reversed().enumerated() where depth < label {
            result += frame.trampoline?.addedBlocks ?? 0
        }
        return result
    }

    /// Whether a branch to `label`, from the innermost frame, leaves a `try_table` that has
    /// handlers (a branch to a loop re-enters it rather than leaving it).
    func leavesHandlers(_ label: UInt32) -> Bool {
        for (depth, frame) in frames.reversed().enumerated() {
            if depth > label { return false }
            if frame.hasHandlers && !(depth == label && frame.isLoop) { return true }
        }
        return false
    }
}

/// The function types a rewrite adds for block types that are not one value or none, each
/// once, their indices from `firstIndex` on.
struct AddedBlockTypes {
    let firstIndex: UInt32
    /// Each added type, encoded (`0x60`, parameters, results).
    private(set) var encoded: [[UInt8]] = []
    private var indices: [[UInt8]: UInt32] = [:]

    init(firstIndex: UInt32) {
        self.firstIndex = firstIndex
    }

    /// The block type `parameters -> results`, encoded: `0x40`, one value type, or the index
    /// of an added function type.
    mutating func blockType(parameters: [WasmTypes.ValueType], results: [WasmTypes.ValueType]) -> [UInt8] {
        if parameters.isEmpty, results.count <= 1 {
            return results.first.map(ModuleBinary.valueType) ?? [ModuleBinary.emptyBlockType]
        }
        let type = [ModuleBinary.functionTypeForm] + LEB128.encode(UInt32(parameters.count)) + parameters.flatMap(ModuleBinary.valueType)
            + LEB128.encode(UInt32(results.count)) + results.flatMap(ModuleBinary.valueType)
        if let index = indices[type] { return LEB128.encode(signed: Int64(index)) }
        let index = firstIndex + UInt32(encoded.count)
        indices[type] = index
        encoded.append(type)
        return LEB128.encode(signed: Int64(index))
    }
}

extension ModuleBinary {
    /// `type` as the binary format writes a block type.
    static func blockType(_ type: BlockType) -> [UInt8] {
        switch type {
        case .empty: [emptyBlockType]
        case .type(let value): valueType(value)
        case .funcType(let index): LEB128.encode(signed: Int64(index))
        }
    }

    /// `type` as the binary format writes a value type: one byte, or `ref`/`ref null` and a
    /// heap type (a nullable abstract reference in its one-byte short form).
    static func valueType(_ type: WasmTypes.ValueType) -> [UInt8] {
        switch type {
        case .i32: [i32Type]
        case .i64: [i64Type]
        case .f32: [0x7d]
        case .f64: [0x7c]
        case .v128: [0x7b]
        case .ref(let reference):
            switch reference.heapType {
            case .abstract(let heap) where reference.isNullable: [abstractHeapType(heap)]
            case .abstract(let heap): [refType, abstractHeapType(heap)]
            case .concrete(let index): [reference.isNullable ? refNullType : refType] + LEB128.encode(signed: Int64(index))
            }
        }
    }

    static func abstractHeapType(_ type: AbstractHeapType) -> UInt8 {
        switch type {
        case .funcRef: 0x70
        case .externRef: 0x6f
        case .exnRef: 0x69
        case .any: 0x6e
        case .eq: 0x6d
        case .i31: 0x6c
        case .structRef: 0x6b
        case .arrayRef: 0x6a
        case .noneRef: 0x71
        case .noExtern: 0x72
        case .noFunc: 0x73
        case .noExn: 0x74
        }
    }
}

extension CatchClause {
    /// The label the clause branches to, relative to the context around its `try_table`.
    var label: UInt32 {
        switch self {
        case .catch(_, let label), .catchRef(_, let label), .catchAll(let label), .catchAllRef(let label): label
        }
    }
}
