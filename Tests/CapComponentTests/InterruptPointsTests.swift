// The interrupt-point rewrite: check counts, stopping runaway guests, renumbering, and hostile bytes.

import CapComponent
import Testing
import WAT
import WasmKit
import WasmParser

/// What a throwing `check` throws, to be told apart from anything WasmKit throws.
private struct Stop: Error, Equatable {
    let afterChecks: Int
}

/// A host `check` that counts its calls and, once it has been called `stopAt` times, throws.
private final class CheckProbe {
    private(set) var calls = 0
    let stopAt: Int?

    init(stopAt: Int? = nil) {
        self.stopAt = stopAt
    }

    func function(in store: Store) -> Function {
        Function(store: store, parameters: []) { _, _ in
            self.calls += 1
            if let stopAt = self.stopAt, self.calls >= stopAt { throw Stop(afterChecks: self.calls) }
            return []
        }
    }
}

/// One instance of a module, compiled eagerly so that every function body is validated.
private struct Run {
    let store: Store
    let instance: Instance

    init(
        _ bytes: [UInt8], probe: CheckProbe = CheckProbe(), features: WasmFeatureSet = .default,
        imports: (Store) -> [String: Function] = { _ in [:] }
    ) throws {
        store = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager)))
        var definitions = Imports()
        definitions.define(module: InterruptPoints.importModule, name: InterruptPoints.importName, probe.function(in: store))
        for (name, function) in imports(store) {
            definitions.define(module: "env", name: name, function)
        }
        instance = try parseWasm(bytes: bytes, features: features).instantiate(store: store, imports: definitions)
    }

    func call(_ name: String, _ arguments: [Value] = []) throws -> [Value] {
        try #require(instance.exports[function: name]).invoke(arguments)
    }
}

private let loopWAT = """
    (module
      (func (export "sum") (param $n i32) (result i32)
        (local $i i32) (local $acc i32)
        (loop $next
          (local.set $acc (i32.add (local.get $acc) (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc)))
    """

private let fibWAT = """
    (module
      (func $fib (export "fib") (param $n i32) (result i32)
        (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
          (then (local.get $n))
          (else (i32.add
            (call $fib (i32.sub (local.get $n) (i32.const 1)))
            (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
    """

/// Loops nested across functions: `outer` iterates `n` times, calling `inner`, which iterates
/// `m` times and calls nothing.
private let nestedWAT = """
    (module
      (func $inner (param $m i32) (result i32)
        (local $i i32)
        (loop $next
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $m))))
        (local.get $i))
      (func (export "outer") (param $n i32) (param $m i32) (result i32)
        (local $i i32) (local $acc i32)
        (loop $next
          (local.set $acc (i32.add (local.get $acc) (call $inner (local.get $m))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc)))
    """

/// Two function imports, and defined functions named from exports, the start section, element
/// segments of all eight encodings (a `ref.null` keeps WAT from encoding a segment of `ref.func`
/// expressions as function indices), a global, code and the name section.
private let renumberingWAT = """
    (module $renumbering
      (type $v2i (func (result i32)))
      (import "env" "a" (func $a (result i32)))
      (import "env" "b" (func $b (param i32) (result i32)))
      (table $t 4 funcref)
      (table $t2 3 funcref)
      (global $g funcref (ref.func $three))
      (global $started (mut i32) (i32.const 0))
      (elem (table $t) (i32.const 0) func $one $two)
      (elem (table $t) (i32.const 2) funcref (ref.func $three) (ref.null func))
      (elem (table $t2) (i32.const 0) func $two)
      (elem (table $t2) (i32.const 1) funcref (ref.func $one) (ref.null func))
      (elem $passive func $four $three)
      (elem $passiveExpressions funcref (ref.func $two) (ref.null func))
      (elem declare func $four)
      (elem declare funcref (ref.func $one) (ref.null func))
      (start $init)
      (func $one (result i32) (i32.const 1))
      (func $two (result i32) (i32.const 2))
      (func $three (result i32) (i32.const 3))
      (func $four (result i32) (i32.const 4))
      (func $init (global.set $started (i32.const 1)))
      (func (export "indirect") (param $slot i32) (result i32) (call_indirect $t (type $v2i) (local.get $slot)))
      (func (export "indirect2") (param $slot i32) (result i32) (call_indirect $t2 (type $v2i) (local.get $slot)))
      (func (export "viaGlobal") (result i32)
        (table.set $t (i32.const 3) (global.get $g))
        (call_indirect $t (type $v2i) (i32.const 3)))
      (func (export "refFunc") (result i32)
        (table.set $t (i32.const 3) (ref.func $four))
        (call_indirect $t (type $v2i) (i32.const 3)))
      (func (export "passive") (result i32)
        (table.init $t $passive (i32.const 0) (i32.const 0) (i32.const 2))
        (i32.add (i32.mul (call_indirect $t (type $v2i) (i32.const 0)) (i32.const 10))
          (call_indirect $t (type $v2i) (i32.const 1))))
      (func (export "passiveExpressions") (result i32)
        (table.init $t2 $passiveExpressions (i32.const 0) (i32.const 0) (i32.const 1))
        (call_indirect $t2 (type $v2i) (i32.const 0)))
      (func (export "imports") (result i32) (i32.add (call $a) (call $b (i32.const 5))))
      (func (export "direct") (result i32) (call $three))
      (func (export "started") (result i32) (global.get $started))
      (func $deep (param $unused i32) (local $named i64) unreachable)
      (func $middle (call $deep (i32.const 0)))
      (func (export "trap") (call $middle))
      (export "two" (func $two))
      (export "importedA" (func $a)))
    """

private let exceptionWAT = """
    (module
      (tag $odd (param i32))
      (func $throwIfOdd (param $i i32)
        (if (i32.and (local.get $i) (i32.const 1)) (then (throw $odd (local.get $i)))))
      (func (export "run") (param $n i32) (result i32)
        (local $i i32) (local $acc i32)
        (loop $next
          (local.set $acc (i32.add (local.get $acc)
            (block $caught (result i32)
              (try_table (catch $odd $caught)
                (call $throwIfOdd (local.get $i)))
              (i32.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc))
      (func (export "spin")
        (block $caught
          (try_table (catch_all $caught)
            (loop $forever (br $forever))))))
    """

/// An inner loop's body of 14 bytes, which counts `$j` up once and does not branch back.
private let counting = "(local.set $j (i32.add (local.get $j) (i32.const 1))) (br_if $inner (i32.lt_u (local.get $j) (i32.const 1)))"

/// Innermost loops of every shape the unrolling handles, and one it leaves alone: labels inside,
/// on and outside the loop from `br`, `br_if` and `br_table` at several depths, a body that ends
/// in a branch, results (one, and two through a type), and parameters.
private let unrollingWAT = """
    (module
      (func (export "table") (param $n i32) (result i32)
        (local $i i32) (local $acc i32)
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (block $odd
              (block $even
                (br_table $even $odd $next $done $odd (i32.rem_u (i32.mul (local.get $i) (i32.const 7)) (i32.const 11))))
              (local.set $acc (i32.add (local.get $acc) (local.get $i))))
            (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $acc) (i32.const 1))))
            (br $next))
          ;; Reached only by a branch meant for $done that stops short of it.
          (local.set $acc (i32.const -1)))
        (i32.add (local.get $acc) (local.get $i)))
      (func (export "nested") (param $n i32) (result i32)
        (local $i i32) (local $acc i32)
        (block $exit
          (loop $next
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (if (i32.and (local.get $i) (i32.const 1))
              (then
                (local.set $acc (i32.add (local.get $acc) (i32.const 3)))
                (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
              (else
                (block $inner
                  (br_if $inner (i32.eqz (i32.and (local.get $i) (i32.const 2))))
                  (br_if $exit (i32.eq (local.get $i) (i32.const 50)))
                  (if (i32.gt_u (local.get $acc) (i32.const 1000)) (then (return (i32.sub (i32.const 0) (local.get $i)))))
                  (local.set $acc (i32.mul (local.get $acc) (i32.const 2))))))
            (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
          (local.set $acc (i32.add (local.get $acc) (i32.const 7))))
        (local.get $acc))
      (func (export "result") (param $n i32) (result i32)
        (local $i i32)
        (loop $next (result i32)
          (local.set $i (i32.add (local.get $i) (i32.const 3)))
          (i32.mul (local.get $i) (i32.const 2))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
      (func (export "results") (param $n i32) (result i32)
        (local $i i32)
        (loop $next (result i32 i64)
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.get $i)
          (i64.extend_i32_u (i32.mul (local.get $i) (local.get $i)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
        (i32.wrap_i64)
        (i32.add))
      (func (export "parameters") (param $n i32) (result i32)
        (local $i i32)
        (i32.const 0)
        (loop $next (param i32) (result i32)
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (i32.add (local.get $i))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))))
    """

extension WasmKit.Memory {
    /// Every byte of the memory.
    var contents: [UInt8] { withUnsafeBufferPointer(offset: 0, count: byteCount) { Array($0) } }
}

/// A reader of the LEB128 integers and names in a name section.
private struct NameReader {
    var bytes: ArraySlice<UInt8>

    mutating func u32() -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while let byte = bytes.popFirst() {
            result |= UInt32(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return result
    }

    mutating func name() -> String {
        let length = Int(u32())
        defer { bytes = bytes.dropFirst(length) }
        return String(decoding: bytes.prefix(length), as: UTF8.self)
    }
}

/// The function names (subsection 1) and the functions with local names (subsection 2) of a
/// module's name section.
private func names(_ bytes: [UInt8]) throws -> (functions: [UInt32: String], locals: [UInt32]) {
    let section = try #require(try parseWasm(bytes: bytes).customSections.first { $0.name == "name" })
    var reader = NameReader(bytes: Array(section.bytes)[...])
    var functions: [UInt32: String] = [:]
    var locals: [UInt32] = []
    while let id = reader.bytes.popFirst() {
        let size = Int(reader.u32())
        var subsection = NameReader(bytes: reader.bytes.prefix(size))
        reader.bytes = reader.bytes.dropFirst(size)
        switch id {
        case 1:
            for _ in 0..<subsection.u32() { functions[subsection.u32()] = subsection.name() }
        case 2:
            for _ in 0..<subsection.u32() {
                locals.append(subsection.u32())
                for _ in 0..<subsection.u32() { _ = (subsection.u32(), subsection.name()) }
            }
        default: break
        }
    }
    return (functions, locals)
}

/// The function names in a trap's backtrace, innermost first (without the frames WasmKit
/// cannot name, which it sometimes reports past the outermost one).
private func backtraceNames(_ error: any Error) -> [String] {
    "\(error)".split(separator: "\n").compactMap { line in
        guard line.contains("(0x"), let close = line.firstIndex(of: ")") else { return nil }
        let name = String(line[line.index(after: close)...].drop { $0 == " " })
        return name == "unknown" ? nil : name
    }
}

@Suite("InterruptPoints")
struct InterruptPointsTests {
    @Test("a loop of 10,000 iterations checks every loopInterval iterations, with the same result")
    func loop() throws {
        let original = try wat2wasm(loopWAT)
        let instrumented = try InterruptPoints.instrument(original)
        #expect(instrumented != original)
        let probe = CheckProbe()
        let result = try Run(instrumented, probe: probe).call("sum", [.i32(10_000)])
        #expect(result == (try Run(original).call("sum", [.i32(10_000)])))
        #expect(result == [.i32(49_995_000)])
        #expect(probe.calls == 10_000 / Int(InterruptPoints.loopInterval))
    }

    @Test("recursion checks every entryInterval entries, with the same result")
    func recursion() throws {
        let original = try wat2wasm(fibWAT)
        let probe = CheckProbe()
        let result = try Run(try InterruptPoints.instrument(original), probe: probe).call("fib", [.i32(20)])
        #expect(result == (try Run(original).call("fib", [.i32(20)])))
        #expect(result == [.i32(6765)])
        // fib(20) makes 2 × fib(21) − 1 activations, every one entering a function that calls.
        #expect(probe.calls == (2 * 10946 - 1) / Int(InterruptPoints.entryInterval))
    }

    @Test(
        "a loop counts per activation, and entering a function that loops counts per instance",
        arguments: [(n: 3000, m: 600, checks: 4), (n: 3, m: 3000, checks: 6), (n: 100, m: 100, checks: 0)])
    func nestedLoops(n: Int, m: Int, checks: Int) throws {
        let original = try wat2wasm(nestedWAT)
        let probe = CheckProbe()
        let arguments: [Value] = [.i32(UInt32(n)), .i32(UInt32(m))]
        let result = try Run(try InterruptPoints.instrument(original), probe: probe).call("outer", arguments)
        #expect(result == (try Run(original).call("outer", arguments)))
        #expect(result == [.i32(UInt32(n * m))])
        // The outer loop's n headers, in one activation, and each inner activation's m headers
        // check every loopInterval; the n + 1 entries of functions that loop, every
        // entryInterval. (3000, 600): 2 + 0 + 2; (3, 3000): 0 + 3 × 2 + 0; (100, 100): none.
        let loopChecks = n / Int(InterruptPoints.loopInterval) + n * (m / Int(InterruptPoints.loopInterval))
        #expect(probe.calls == loopChecks + (n + 1) / Int(InterruptPoints.entryInterval))
        #expect(probe.calls == checks)
    }

    @Test("a bulk operation of bulkCheckLength bytes or more checks before each piece of that length")
    func bulkOperations() throws {
        let wat = """
            (module
              (memory 32)
              (func (export "fill") (param $n i32) (param $length i32) (result i32)
                (local $i i32)
                (loop $next
                  (memory.fill (i32.const 0) (i32.const 7) (local.get $length))
                  (memory.copy (local.get $length) (i32.const 0) (local.get $length))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
                (i32.load8_u (i32.sub (i32.add (local.get $length) (local.get $length)) (i32.const 1)))))
            """
        let original = try wat2wasm(wat)
        let instrumented = try InterruptPoints.instrument(original)
        let large = Int32(InterruptPoints.bulkCheckLength)
        let cases: [(iterations: Int32, length: Int32, checks: Int)] = [
            (5, large, 10), (5, large * 8, 80), (5, large * 8 + 1, 90), (5, large - 1, 0), (2000, 100, 2000 / Int(InterruptPoints.loopInterval)),
        ]
        for (iterations, length, checks) in cases {
            let arguments: [Value] = [.i32(UInt32(iterations)), .i32(UInt32(length))]
            let probe = CheckProbe()
            let result = try Run(instrumented, probe: probe).call("fill", arguments)
            #expect(result == [.i32(7)])
            #expect(result == (try Run(original).call("fill", arguments)))
            #expect(probe.calls == checks, "\(iterations) × \(length)")
        }
    }

    @Test(
        "a fill or copy done in pieces leaves memory as the instruction does, overlapping or out of bounds",
        arguments: [
            ("fill", 0, 7, 8 * 65536 + 123), ("fill", 65536 * 39, 9, 65536), ("fill", 0, 1, 41 * 65536),
            ("fill", 0xFFFF_FFF0, 1, 65536), ("fill", 65536 * 40, 1, 0x10000),
            ("copy", 0, 10 * 65536, 5 * 65536 + 1), ("copy", 1000, 3, 6 * 65536 + 17), ("copy", 3, 1000, 6 * 65536 + 17),
            ("copy", 0, 5, 65536), ("copy", 39 * 65536, 0, 2 * 65536), ("copy", 0, 39 * 65536, 2 * 65536),
            ("copy", 0xFFFF_0000, 0, 0x20000), ("copyAcross", 17, 5000, 3 * 65536 + 9), ("copyAcross", 0, 0, 3 * 65536),
        ] as [(String, UInt32, UInt32, UInt32)])
    func piecedOperations(operation: String, first: UInt32, second: UInt32, length: UInt32) throws {
        // Memory 0 of 40 pages and memory 1 of 4, both filled with a pattern by `init`.
        let wat = """
            (module
              (memory $m 40)
              (memory $n 4)
              (export "memory" (memory $m))
              (export "other" (memory $n))
              (func (export "init")
                (local $i i32)
                (loop $next
                  (i64.store $m (local.get $i) (i64.mul (i64.extend_i32_u (local.get $i)) (i64.const 0x9E3779B97F4A7C15)))
                  (if (i32.lt_u (local.get $i) (i32.const 262144))
                    (then (i64.store $n (local.get $i) (i64.mul (i64.extend_i32_u (local.get $i)) (i64.const 0x2545F4914F6CDD1D)))))
                  (local.set $i (i32.add (local.get $i) (i32.const 8)))
                  (br_if $next (i32.lt_u (local.get $i) (i32.const 2621440)))))
              (func (export "fill") (param i32 i32 i32) (memory.fill $m (local.get 0) (local.get 1) (local.get 2)))
              (func (export "copy") (param i32 i32 i32) (memory.copy $m $m (local.get 0) (local.get 1) (local.get 2)))
              (func (export "copyAcross") (param i32 i32 i32) (memory.copy $m $n (local.get 0) (local.get 1) (local.get 2))))
            """
        let original = try wat2wasm(wat)
        let instrumented = try InterruptPoints.instrument(original)
        let arguments: [Value] = [.i32(first), .i32(second), .i32(length)]
        func outcome(_ run: Run) throws -> (trapped: Bool, memory: [UInt8], other: [UInt8]) {
            _ = try run.call("init")
            let trapped = (try? run.call(operation, arguments)) == nil
            let memory = try #require(run.instance.exports[memory: "memory"])
            let other = try #require(run.instance.exports[memory: "other"])
            return (trapped, memory.contents, other.contents)
        }
        let probe = CheckProbe()
        let pieced = try outcome(try Run(instrumented, probe: probe, features: [.multiMemory]))
        let whole = try outcome(try Run(original, features: [.multiMemory]))
        #expect(pieced.trapped == whole.trapped)
        #expect(pieced.memory == whole.memory)
        #expect(pieced.other == whole.other)
        // `init`'s loop (2,621,440 / 8 iterations) checks every loopInterval iterations; the
        // operation, if it runs, once per piece.
        let pieces = whole.trapped ? 0 : (Int(length) + Int(InterruptPoints.bulkCheckLength) - 1) / Int(InterruptPoints.bulkCheckLength)
        #expect(probe.calls == 2_621_440 / 8 / Int(InterruptPoints.loopInterval) + pieces)
    }

    @Test("an unrolled innermost loop computes what the loop does, whatever its labels, results and exits")
    func unrolledLoops() throws {
        let original = try wat2wasm(unrollingWAT)
        // A budget large enough that every loop here but the one with parameters is unrolled,
        // the larger bodies too.
        let instrumented = try InterruptPoints.instrument(original, copyBudget: 512)
        #expect(instrumented.count > (try InterruptPoints.instrument(original)).count)
        let (plain, checked) = (try Run(original), try Run(instrumented))
        for name in ["table", "nested", "result", "results", "parameters"] {
            for n: UInt32 in [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 100, 1001, 5000] {
                let expected = try plain.call(name, [.i32(n)])
                #expect(try checked.call(name, [.i32(n)]) == expected, "\(name)(\(n))")
            }
        }
    }

    @Test(
        "an innermost loop's header counts as many iterations as its body has copies, a power of two within the budget",
        arguments: [
            (body: "(br_if $inner (i32.const 0))", copies: 8), (body: counting, copies: 4),
            (body: "nop nop nop nop " + counting, copies: 2), (body: String(repeating: "nop ", count: 20) + counting, copies: 1),
        ])
    func unrollingFactor(body: String, copies: Int) throws {
        // An outer loop of 1,024 iterations, each running an inner loop of one iteration; each
        // header of the inner loop counts `copies` iterations, whether or not they all run.
        let wat = """
            (module
              (func (export "run") (result i32)
                (local $i i32) (local $j i32)
                (loop $outer
                  (local.set $j (i32.const 0))
                  (loop $inner \(body))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $outer (i32.lt_u (local.get $i) (i32.const 1024))))
                (local.get $i)))
            """
        let probe = CheckProbe()
        #expect(try Run(try InterruptPoints.instrument(try wat2wasm(wat)), probe: probe).call("run") == [.i32(1024)])
        #expect(probe.calls == (1024 + 1024 * copies) / Int(InterruptPoints.loopInterval))
    }

    @Test("a throwing check stops an infinite loop, and its error comes out of invoke")
    func infiniteLoop() throws {
        let bytes = try InterruptPoints.instrument(try wat2wasm(#"(module (func (export "spin") (loop $forever (br $forever))))"#))
        let probe = CheckProbe(stopAt: 3)
        let error = try #require(throws: Stop.self) { try Run(bytes, probe: probe).call("spin") }
        #expect(error == Stop(afterChecks: 3))
    }

    @Test("a throwing check stops exponential recursion that has no loop")
    func runawayRecursion() throws {
        let wat = """
            (module
              (func $f (export "f") (param $n i32)
                (if (local.get $n) (then
                  (call $f (i32.sub (local.get $n) (i32.const 1)))
                  (call $f (i32.sub (local.get $n) (i32.const 1)))))))
            """
        let probe = CheckProbe(stopAt: 5)
        let error = try #require(throws: Stop.self) {
            try Run(try InterruptPoints.instrument(try wat2wasm(wat)), probe: probe).call("f", [.i32(60)])
        }
        #expect(error == Stop(afterChecks: 5))
    }

    @Test("an Interrupter's deadline stops a guest that loops forever")
    func deadline() throws {
        let bytes = try InterruptPoints.instrument(try wat2wasm(#"(module (func (export "spin") (loop $forever (br $forever))))"#))
        let interrupter = Interrupter(deadline: ContinuousClock.now + .milliseconds(50))
        let store = Store(engine: Engine())
        var imports = Imports()
        imports.define(
            module: InterruptPoints.importModule, name: InterruptPoints.importName,
            Function(store: store, parameters: []) { _, _ in
                try interrupter.check()
                return []
            })
        let spin = try #require(try parseWasm(bytes: bytes).instantiate(store: store, imports: imports).exports[function: "spin"])
        let started = ContinuousClock.now
        let error = try #require(throws: Interrupted.self) { try spin.invoke() }
        #expect(error.reason == .deadline)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("function indices are renumbered everywhere the module names a function")
    func renumbering() throws {
        let original = try wat2wasm(renumberingWAT, options: EncodeOptions(nameSection: true))
        let instrumented = try InterruptPoints.instrument(original)
        func imports(_ store: Store) -> [String: Function] {
            [
                "a": Function(store: store, parameters: [], results: [.i32]) { _, _ in [.i32(10)] },
                "b": Function(store: store, parameters: [.i32], results: [.i32]) { _, arguments in
                    guard case .i32(let value) = arguments.first else { return [.i32(0)] }
                    return [.i32(value * 2)]
                },
            ]
        }
        let before = try Run(original, imports: imports)
        let after = try Run(instrumented, imports: imports)
        let calls: [(String, [Value], [Value])] = [
            ("indirect", [.i32(0)], [.i32(1)]), ("indirect", [.i32(1)], [.i32(2)]), ("indirect", [.i32(2)], [.i32(3)]),
            ("indirect2", [.i32(0)], [.i32(2)]), ("indirect2", [.i32(1)], [.i32(1)]),
            ("viaGlobal", [], [.i32(3)]), ("refFunc", [], [.i32(4)]), ("passive", [], [.i32(43)]),
            ("passiveExpressions", [], [.i32(2)]), ("imports", [], [.i32(20)]), ("direct", [], [.i32(3)]),
            ("started", [], [.i32(1)]), ("two", [], [.i32(2)]), ("importedA", [], [.i32(10)]),
        ]
        for (name, arguments, expected) in calls {
            #expect(try after.call(name, arguments) == expected, "\(name)")
            #expect(try before.call(name, arguments) == expected, "\(name)")
        }
        let originalTrap = try #require(throws: (any Error).self) { try before.call("trap") }
        let instrumentedTrap = try #require(throws: (any Error).self) { try after.call("trap") }
        #expect(backtraceNames(originalTrap) == ["deep", "middle", "trap"])
        #expect(backtraceNames(instrumentedTrap) == backtraceNames(originalTrap))

        let (originalFunctions, originalLocals) = try names(original)
        let (functions, locals) = try names(instrumented)
        let shifted = { (index: UInt32) in index < 2 ? index : index + 1 }
        #expect(functions == Dictionary(uniqueKeysWithValues: originalFunctions.map { (shifted($0.key), $0.value) }))
        #expect(locals == originalLocals.map(shifted))
        #expect(locals.contains(shifted(originalFunctions.first { $0.value == "deep" }?.key ?? 0)))
    }

    @Test("try_table and throw inside a loop behave as before, and a guest cannot catch the interruption")
    func exceptions() throws {
        let original = try wat2wasm(exceptionWAT)
        let instrumented = try InterruptPoints.instrument(original)
        let probe = CheckProbe()
        let result = try Run(instrumented, probe: probe).call("run", [.i32(3000)])
        #expect(result == (try Run(original).call("run", [.i32(3000)])))
        #expect(result == [.i32(1500 * 1500)])
        #expect(probe.calls == 3000 / Int(InterruptPoints.loopInterval))

        let stopping = CheckProbe(stopAt: 2)
        #expect(throws: Stop(afterChecks: 2)) { try Run(instrumented, probe: stopping).call("spin") }
    }

    @Test("a module with no loop and no call comes back byte for byte")
    func unchanged() throws {
        let modules = [
            "(module)",
            """
            (module
              (memory 1)
              (global $g (mut i32) (i32.const 0))
              (table 1 funcref)
              (elem (i32.const 0) func $f)
              (func $f (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
              (func (export "r") (result funcref) (ref.func $f))
              (data (i32.const 0) "x"))
            """,
        ]
        for wat in modules {
            let bytes = try wat2wasm(wat, options: EncodeOptions(nameSection: true))
            #expect(try InterruptPoints.instrument(bytes) == bytes)
        }
    }

    @Test("the import and global sections are created where the binary format puts them")
    func createdSections() throws {
        let bytes: [UInt8] =
            [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
            + [0x01, 0x04, 0x01, 0x60, 0x00, 0x00]  // type 0: () -> ()
            + [0x00, 0x05, 0x04] + Array("note".utf8)  // a custom section, which stays after the types
            + [0x03, 0x02, 0x01, 0x00]  // function 0: type 0
            + [0x07, 0x08, 0x01, 0x04] + Array("spin".utf8) + [0x00, 0x00]  // export "spin": function 0
            + [0x0a, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b]  // loop (br 0)
        let instrumented = try InterruptPoints.instrument(bytes)
        // The type section, now of two types (9 bytes); the custom section; then the new imports.
        #expect(instrumented[8..<17] == [0x01, 0x07, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00])
        #expect(instrumented[17..<24] == bytes[14..<21])
        #expect(instrumented[24] == 0x02)
        let probe = CheckProbe(stopAt: 1)
        #expect(throws: Stop(afterChecks: 1)) { try Run(instrumented, probe: probe).call("spin") }
    }

    @Test("code that names a global or local the module does not have is refused, not given the rewrite's")
    func missingIndices() throws {
        let header: [UInt8] =
            [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
            + [0x01, 0x04, 0x01, 0x60, 0x00, 0x00]  // type 0: () -> ()
            + [0x03, 0x02, 0x01, 0x00]  // function 0: type 0
        // global.set 0 (i32.const 5) in a module without globals, then a loop.
        let global = header + [0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0x05, 0x24, 0x00, 0x03, 0x40, 0x0b, 0x0b]
        let failure = try #require(throws: InterruptPoints.Failure.self) { try InterruptPoints.instrument(global) }
        #expect(failure.reason.contains("global 0"))
        // local.get 0 in a loop of a function without parameters or locals.
        let local = header + [0x0a, 0x0a, 0x01, 0x08, 0x00, 0x03, 0x40, 0x20, 0x00, 0x1a, 0x0b, 0x0b]
        let localFailure = try #require(throws: InterruptPoints.Failure.self) { try InterruptPoints.instrument(local) }
        #expect(localFailure.reason.contains("local 0"))
    }

    @Test("garbage, components and every truncation or corruption of a module are refused or rewritten, never a crash")
    func hostileBytes() throws {
        for garbage: [UInt8] in [[], [1, 2, 3], Array(repeating: 0xff, count: 64), [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]] {
            #expect(throws: InterruptPoints.Failure.self) { try InterruptPoints.instrument(garbage) }
        }
        let module = try wat2wasm(renumberingWAT, options: EncodeOptions(nameSection: true))
        var refused = 0
        for length in 0..<module.count {
            do {
                _ = try InterruptPoints.instrument(Array(module.prefix(length)))
            } catch {
                refused += 1
            }
        }
        #expect(refused > module.count / 2)
        for position in module.indices {
            var corrupted = module
            corrupted[position] ^= 0xa5
            if let instrumented = try? InterruptPoints.instrument(corrupted) {
                // Whatever WasmKit makes of the result, it must not crash either.
                _ = try? parseWasm(bytes: instrumented)
            }
        }
    }
}
