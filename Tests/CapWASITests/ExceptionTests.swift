// WebAssembly exceptions as C++ uses them: catches that leave enclosing try_tables, uncaught throws, and a real C++ guest against Wasmtime's output.
import CapStd
import CapWASI
import TestSupport
import Testing
import WAT

/// A guest that prints `name value` lines through `say`, for the exception shapes below.
private func exceptionGuest(_ functions: String) -> String {
    """
    (module
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      ;; Writes the byte at $letter, then $value as one decimal digit and a newline.
      (func $say (param $letter i32) (param $value i32)
        (i32.store8 (i32.const 200) (local.get $letter))
        (i32.store8 (i32.const 201) (i32.add (i32.const 48) (local.get $value)))
        (i32.store8 (i32.const 202) (i32.const 10))
        (i32.store (i32.const 0) (i32.const 200))
        (i32.store (i32.const 4) (i32.const 3))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
      (tag $e (param i32))
      (func $thrower (param $v i32) (if (local.get $v) (then (throw $e (local.get $v)))))
      \(functions)
    )
    """
}

@Suite("WebAssembly exceptions")
struct ExceptionTests {
    static func run(_ module: WASIModule, _ arguments: [String] = []) throws -> (output: String, result: WASIRunResult) {
        let result = try WASIRunner.run(module, configuration: WASIConfiguration(arguments: ["guest.wasm"] + arguments), denialSink: nil)
        return (String(decoding: result.stdout, as: UTF8.self), result)
    }

    /// A catch whose label is outside another try_table (`mid`) of the same function, then a
    /// second throw, which belongs to `outer`: WasmKit 0.4.2 alone hands it to `mid`'s handler,
    /// left by the first catch.
    static let crossing = exceptionGuest(
        """
        (func (export "_start") (local $v i32)
          (block $mid (result i32)
            (block $outer (result i32)
              (try_table (catch $e $outer)
                (block $in (result i32)
                  (try_table (catch $e $mid)
                    (try_table (catch $e $in)
                      (call $thrower (i32.const 1))))
                  (return))
                (local.set $v) (call $say (i32.const 105) (local.get $v))   ;; i1: caught by `in`
                (call $thrower (i32.const 2)))
              (return))
            (local.set $v) (call $say (i32.const 111) (local.get $v))       ;; o2: caught by `outer`
            (return))
          (local.set $v) (call $say (i32.const 109) (local.get $v)))        ;; m2: the handler left behind
        """)

    /// The shape LLVM gives a call that must skip the innermost landing pad: `catch_all_ref` to
    /// a block outside that pad's try_table, then `throw_ref` to the outer pad. The inner object
    /// was never built; its destructor must not run.
    static let trampoline = exceptionGuest(
        """
        (func $f (local $exn exnref)
          (block $outer_pad (result exnref)
            (try_table (catch_all_ref $outer_pad)
              (block $tramp (result exnref)
                (block $inner_pad (result exnref)
                  (try_table (catch_all_ref $inner_pad)
                    (try_table (catch_all_ref $tramp)
                      (call $thrower (i32.const 1)))
                    (call $thrower (i32.const 0)))
                  (return))
                (local.set $exn)
                (call $say (i32.const 73) (i32.const 0))     ;; I0: ~Inner, on nothing
                (throw_ref (local.get $exn)))
              (throw_ref))
            (unreachable))
          (local.set $exn)
          (call $say (i32.const 79) (i32.const 0))           ;; O0: ~Outer
          (throw_ref (local.get $exn)))
        (func (export "_start") (local $v i32)
          (block $caught (result i32)
            (try_table (catch $e $caught) (call $f))
            (return))
          (local.set $v) (call $say (i32.const 99) (local.get $v)))         ;; c1: main catches it
        """)

    /// What the reroute relabels: a `br_table` inside a rerouted try_table to labels past it,
    /// and a rerouted try_table that takes a parameter and whose `catch_ref` passes two values
    /// (block types the rewrite adds to the type section).
    static let relabeled = exceptionGuest(
        """
        (type $takes (func (param i32) (result i32)))
        ;; A br_table inside a rerouted try_table, to labels past it and past the one it crosses.
        (func $route (param $i i32) (result i32)
          (block $two (result i32)
            (block $one (result i32)
              (block $h (result exnref)
                (try_table (catch_all_ref $h)
                  (try_table (catch_all_ref $h)
                    (br_table $one $two (i32.const 10) (local.get $i)))
                  (unreachable))
                (unreachable))
              (drop)
              (return (i32.const 0)))
            (return (i32.add (i32.const 1))))
          (i32.add (i32.const 2)))
        (func (export "_start") (local $v i32)
          (call $say (i32.const 82) (i32.sub (call $route (i32.const 0)) (i32.const 10)))   ;; R1
          (call $say (i32.const 82) (i32.sub (call $route (i32.const 1)) (i32.const 10)))   ;; R2
          (block $top (result i32)
            (try_table (catch $e $top)
              (block $stale
                (block $x (result i32 exnref)
                  (try_table (catch_all $stale)
                    ;; A try_table taking a parameter, whose catch_ref (two values) leaves the one above.
                    (i32.const 3)
                    (try_table (type $takes) (catch_ref $e $x)
                      (call $thrower)
                      (i32.const 0))
                    (unreachable))
                  (unreachable))
                (drop)
                (local.set $v) (call $say (i32.const 88) (local.get $v))                       ;; X3
                ;; Outside the try_table left: this throw is the outermost one's.
                (call $thrower (i32.const 4))
                (unreachable))
              (call $say (i32.const 83) (i32.const 0)))                                        ;; S0: the stale handler
            (return))
          (local.set $v) (call $say (i32.const 84) (local.get $v)))                             ;; T4
        """)

    @Test("a catch that leaves an enclosing try_table leaves its handlers too: the next throw goes where Wasmtime sends it")
    func crossingCatch() throws {
        let module = try WASIModule(bytes: wat2wasm(Self.crossing))
        #expect(try Self.run(module).output == "i1\no2\n")
        // The control: WasmKit without Capsule's rewrite hands the second throw to `mid`.
        let unrewritten = try WASIModule(bytes: wat2wasm(Self.crossing), interruptPoints: false)
        #expect(try Self.run(unrewritten).output == "i1\nm2\n")
    }

    @Test("branches past a rerouted try_table, parameters and two-value payloads keep their meaning")
    func relabeledShapes() throws {
        // Wasmtime 49 prints R1 R2 X3 T4.
        #expect(try Self.run(try WASIModule(bytes: wat2wasm(Self.relabeled))).output == "R1\nR2\nX3\nT4\n")
        let unrewritten = try WASIModule(bytes: wat2wasm(Self.relabeled), interruptPoints: false)
        #expect(try Self.run(unrewritten).output == "R1\nR2\nX3\nS0\n")
    }

    @Test("LLVM's trampoline: the outer landing pad runs, the inner one does not")
    func llvmTrampoline() throws {
        let module = try WASIModule(bytes: wat2wasm(Self.trampoline))
        #expect(try Self.run(module).output == "O0\nc1\n")
        let unrewritten = try WASIModule(bytes: wat2wasm(Self.trampoline), interruptPoints: false)
        #expect(try Self.run(unrewritten).output.hasPrefix("I0\n"))
    }

    @Test("an exception nothing catches ends the run as uncaught, with its payload")
    func uncaught() throws {
        let module = try WASIModule(bytes: wat2wasm(exceptionGuest(#"(func (export "_start") (call $thrower (i32.const 7)))"#)))
        #expect(throws: WASIRunError.uncaughtException("i32(7)")) { try Self.run(module) }
    }

    @Test("a C++ guest throwing at each of 97 points prints what it printed under wasmtime run, destructors and all")
    func cplusplus() async throws {
        let guests = try Dir.openAmbient(repositoryRoot.appending("Tests/CapWASITests/Guests"), ambientAuthority())
        let bytes = try guests.read("exceptions.wasm")
        // "N", then what the guest printed, then "exit S", for N in 0...96.
        let oracle = try guests.readString("exceptions-wasmtime.txt").components(separatedBy: "== ").dropFirst().map { run in
            (argument: String(run.prefix { $0 != "\n" }), printed: String(run.drop { $0 != "\n" }.dropFirst()))
        }
        #expect(oracle.count == 97)
        let outcomes = try await onOwnThread {
            // Reused instances, as a plugin host runs it: each run starts from the instance's first state.
            let pool = WASIInstancePool(module: try WASIModule(bytes: bytes))
            return try oracle.map { expected in
                let result = try pool.run(WASIConfiguration(arguments: ["exceptions.wasm", expected.argument]), owner: "t", denialSink: nil)
                return String(decoding: result.stdout, as: UTF8.self) + "exit \(result.exitCode)\n"
            }
        }
        for (expected, printed) in zip(oracle, outcomes) {
            #expect(printed == expected.printed, "N = \(expected.argument)")
        }
        // The control: WasmKit without Capsule's rewrite swallows the exception of N = 35 in a
        // catch(int) left behind, where Wasmtime's main catches it.
        let unrewritten = try WASIModule(bytes: bytes, interruptPoints: false)
        let control = try Self.run(unrewritten, ["35"]).output + "exit 0\n"
        #expect(control != oracle[35].printed && oracle[35].printed.contains("main caught"))
    }
}
