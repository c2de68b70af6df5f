// An innermost loop of a function body, read instruction by instruction, and written again with its body copied so that its check point runs once per several iterations.
import WasmParser

/// An innermost loop (one with no loop inside it) as the interrupt-point rewrite reads it, and
/// its unrolled form: the body copied ``factor`` times, so that the check point at
/// its header, two dispatches of WasmKit's interpreter, runs once every that many iterations
/// instead of on every one. A tight loop of three or four instructions otherwise pays half
/// again its own time for its check.
///
/// A loop `loop bt B end` whose body `B` branches back to it becomes, for a factor `k`:
///
///     block bt                  ;; out
///       loop bt                 ;; the loop; its check point counts k iterations
///         check point
///         block … block         ;; k − 1 blocks; copy i is the body of the i-th of them
///           B₁ br out end
///           B₂ br out end
///           …
///         Bₖ
///       end
///     end
///
/// Copy `i` < `k` continues the loop by leaving its block, into copy `i` + 1; the last copy
/// branches back to the loop's header. So a branch to the loop keeps its label (at the same
/// depth it now names the copy's block, or the loop for the last copy), and a branch to a
/// label outside the loop names it across the added blocks. A copy that falls off its end
/// leaves the loop with its results, by `br out`. Only the copies' labels change: every other
/// byte, the rewrite's own check points and renumbering included, is copied as it is.
///
/// Loops that take parameters (the added blocks would need a type of their own), and loops with
/// a `try_table`, `br_on_null` or `br_on_non_null` in their body (labels of another kind), stay
/// as they are, with a check point on every iteration.
struct UnrolledLoop {
    /// A body's instructions as the rewrite wrote them: code with no label outside it, or a
    /// branch, whose labels depend on the copy.
    enum Piece {
        case code([UInt8])
        /// `br`, `br_if` or `br_table` with its labels (a `br_table`'s default last), at
        /// `depth` blocks inside the loop's body.
        case branch(opcode: UInt8, labels: [UInt32], depth: UInt32)
    }

    /// Where the loop's rewritten form begins in the function's output.
    let outputStart: Int
    /// The `loop` instruction: its opcode and block type.
    let header: ArraySlice<UInt8>
    private(set) var pieces: [Piece] = []
    /// The bytes of the body.
    private(set) var bodySize = 0
    /// Blocks open in the body at the instruction being read.
    private var depth: UInt32 = 0
    /// Whether the body branches back to the loop: a loop that does not runs once.
    private var continues = false
    /// Whether the loop can be unrolled, as far as it has been read.
    private var unrollable: Bool

    /// The most iterations one check point stands for.
    static let maximumFactor: UInt32 = 8
    /// The bytes of code the copies of a body may take together: a body of 8 bytes or fewer
    /// is copied ``maximumFactor`` times, a larger one fewer, one of more than half of this not
    /// at all. Small, because every copy is code WasmKit translates again in every fresh
    /// instance, when the function is first called, whether or not the loop is hot: with 512
    /// bytes a fresh instance of a C program started 2.3 times as slowly as without interrupt
    /// points, with 64 bytes 1.2 times, and the tight loops that unrolling is for (bodies of a
    /// few instructions) are still unrolled (BENCHMARKS.md §9).
    static let copyBudget = 64

    /// How many copies of a body of `bodySize` bytes the unrolled loop has: a power of two,
    /// so that it divides ``InterruptPoints/loopInterval`` and the loop counts its iterations
    /// as exactly as one that is not unrolled.
    private static func factor(bodySize: Int, copyBudget: Int) -> UInt32 {
        var factor = maximumFactor
        while factor > 1 && Int(factor) * bodySize > copyBudget { factor /= 2 }
        return factor
    }

    /// The bytes the copies of this loop's body may take together.
    private let copyBudget: Int

    /// The loop that begins with `header` at `outputStart` of the function's output.
    ///
    /// - Parameters:
    ///   - takesParameters: Whether the loop's block type has parameters.
    ///   - copyBudget: The bytes its body's copies may take together (``copyBudget`` but in
    ///     tests).
    init(header: ArraySlice<UInt8>, at outputStart: Int, takesParameters: Bool, copyBudget: Int) {
        self.header = header
        self.outputStart = outputStart
        self.copyBudget = copyBudget
        unrollable = !takesParameters
    }

    /// Records the next instruction of the body, which the rewrite wrote as `written`.
    ///
    /// - Returns: Whether it was the `end` of the loop (which is not recorded).
    mutating func read(_ instruction: Instruction, written: ArraySlice<UInt8>) -> Bool {
        switch instruction {
        case .end:
            if depth == 0 { return true }
            depth -= 1
        case .block, .if:
            depth += 1
        case .tryTable:
            // A block whose catch clauses hold labels: counted, so its `end` is not the loop's.
            unrollable = false
            depth += 1
        case .brOnNull, .brOnNonNull:
            unrollable = false
        case .br(let label):
            record(.branch(opcode: ModuleBinary.Opcode.br, labels: [label], depth: depth), size: written.count)
            return false
        case .brIf(let label):
            record(.branch(opcode: ModuleBinary.Opcode.brIf, labels: [label], depth: depth), size: written.count)
            return false
        case .brTable(let table):
            let labels = table.labelIndices + [table.defaultIndex]
            record(.branch(opcode: ModuleBinary.Opcode.brTable, labels: labels, depth: depth), size: written.count)
            return false
        default:
            break
        }
        record(.code(Array(written)), size: written.count)
        return false
    }

    private mutating func record(_ piece: Piece, size: Int) {
        if case .branch(_, let labels, let depth) = piece {
            if labels.contains(depth) { continues = true }
            // A label past any nesting is invalid, and would overflow once moved out.
            if labels.contains(where: { $0 > UInt32.max - Self.maximumFactor }) { unrollable = false }
        }
        pieces.append(piece)
        bodySize += size
    }

    /// How many copies the unrolled form has; 1 if the loop stays as it is.
    var factor: UInt32 {
        guard unrollable, continues else { return 1 }
        return Self.factor(bodySize: bodySize, copyBudget: copyBudget)
    }

    /// The loop unrolled ``factor`` times, from its `block` to the `end` after it, with
    /// `checkPoint` (which counts ``factor`` iterations) after its header.
    func unrolled(checkPoint: [UInt8]) -> [UInt8] {
        typealias Op = ModuleBinary.Opcode
        let copies = factor
        var output = [Op.block] + header.dropFirst() + header + checkPoint
        output.reserveCapacity(output.count + Int(copies) * (bodySize + 4) + 2)
        output += Array(repeating: [Op.block, ModuleBinary.emptyBlockType], count: Int(copies - 1)).joined()
        for copy in 1...copies {
            // The blocks between the copy and the loop, and then the loop and `out`: a label
            // outside the loop is that much further away.
            let added = copies - copy + 1
            for piece in pieces {
                switch piece {
                case .code(let bytes):
                    output += bytes
                case .branch(let opcode, let labels, let depth):
                    let relabeled = labels.map { $0 > depth ? $0 + added : $0 }
                    output.append(opcode)
                    if opcode == Op.brTable { output += LEB128.encode(UInt32(relabeled.count - 1)) }
                    for label in relabeled { output += LEB128.encode(label) }
                }
            }
            if copy < copies { output += [Op.br] + LEB128.encode(added) + [Op.end] }
        }
        return output + [Op.end, Op.end]
    }
}
