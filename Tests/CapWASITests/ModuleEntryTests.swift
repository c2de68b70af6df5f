// Reactors and invoked functions through the library: fresh and reused instances, returned values, refusals.
import CapWASI
import Testing
import WAT

/// A reactor whose `_initialize` counts its calls in a global, and whose default export exits
/// with the count: 1 in every run, fresh or reused, if each run initializes its own state.
private let countingReactor = """
    (module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (global $count (mut i32) (i32.const 0))
      (func (export "_initialize") (global.set $count (i32.add (global.get $count) (i32.const 1))))
      (func (export "") (call $exit (global.get $count)))
      (func (export "scale") (param f64 i32) (result f64 i32) (f64.mul (local.get 0) (f64.const 2)) (global.get $count))
      (func (export "takes-v128") (param v128)))
    """

@Suite("Module entries")
struct ModuleEntryTests {
    @Test("a reactor is initialized once per run, in a fresh instance and in every reused one")
    func reactorPerRun() throws {
        let module = try WASIModule(bytes: wat2wasm(countingReactor))
        #expect(try WASIRunner.run(module, configuration: WASIConfiguration(), denialSink: nil).exitCode == 1)
        let pool = WASIInstancePool(module: module)
        for _ in 0..<3 {
            #expect(try pool.run(WASIConfiguration(), owner: "t", denialSink: nil).exitCode == 1)
        }
        #expect(pool.statistics.reuses == 2)
    }

    @Test("an invoked function gets typed arguments and its results back as text, after _initialize")
    func invoked() throws {
        let module = try WASIModule(bytes: wat2wasm(countingReactor))
        let result = try WASIRunner.run(
            module, entry: .function("scale", arguments: ["0.75", "99"]), configuration: WASIConfiguration(), denialSink: nil)
        #expect(result.exitCode == 0 && result.returnedValues == ["1.5", "1"])
        let pool = WASIInstancePool(module: module, entry: .function("scale", arguments: ["1e-7", "0"]))
        #expect(try pool.run(WASIConfiguration(), owner: "t", denialSink: nil).returnedValues == ["0.0000002", "1"])
        // A command returns nothing to show.
        #expect(try WASIRunner.run(module, configuration: WASIConfiguration(), denialSink: nil).returnedValues.isEmpty)
    }

    @Test(
        "arguments that do not fit, and functions that are not there, are refused with what was wrong",
        arguments: [
            (ModuleEntry.function("scale", arguments: ["1"]), "takes 2 arguments"),
            (.function("scale", arguments: ["x", "1"]), "`x`, is not an f64"),
            (.function("scale", arguments: ["1", "2.5"]), "`2.5`, is not an i32"),
            (.function("scale", arguments: ["0x1p3", "1"]), "is not an f64"),
            (.function("takes-v128", arguments: ["1"]), "only i32, i64, f32 and f64"),
        ])
    func refused(entry: ModuleEntry, reason: String) throws {
        let module = try WASIModule(bytes: wat2wasm(countingReactor))
        #expect {
            _ = try WASIRunner.run(module, entry: entry, configuration: WASIConfiguration(), denialSink: nil)
        } throws: { error in
            guard case .invalidArguments(let message) = error as? WASIRunError else { return false }
            return message.contains(reason)
        }
        #expect {
            _ = try WASIRunner.run(module, entry: .function("absent"), configuration: WASIConfiguration(), denialSink: nil)
        } throws: { error in
            guard case .missingExport(let message) = error as? WASIRunError else { return false }
            return message.contains("absent") && message.contains("scale") && message.contains("the default export")
        }
    }

    @Test("an _initialize that takes or returns values is refused at instantiation")
    func badInitialize() throws {
        let module = try WASIModule(bytes: wat2wasm("(module (func (export \"_initialize\") (param i32)))"))
        #expect { _ = try WASIRunner.run(module, configuration: WASIConfiguration(), denialSink: nil) } throws: { error in
            guard case .instantiation(let message) = error as? WASIRunError else { return false }
            return message.contains("_initialize")
        }
    }
}
