// The guest's memory size kept apart from the memory's: fresh and put-back instances answer as the original module.
import CapComponent
import Testing
import WAT
import WasmKit

@Suite("Virtual memory size")
struct VirtualMemorySizeTests {
    static let growing = """
        (module
          (memory (export "memory") 1 8)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "size") (result i32) (memory.size)))
        """

    /// One step of a sequence: a grow by the delta, or (`nil`) a size.
    static let steps: [UInt32?] = [nil, 0, 1, 2, 3, 7, 0xFFFF_FFFF]

    @Test("memory.size and memory.grow answer as in the original module, in a fresh instance and after the size is put back")
    func matchesTheOriginal() throws {
        let original = try wat2wasm(Self.growing)
        let (rewritten, state) = try StateExports.rewrite(VirtualMemorySize.rewrite(original))
        #expect(rewritten != original)
        #expect(state.globals.count == 1, "the guest's pages, the module's only mutable global")
        var generator = SystemRandomNumberGenerator()
        var outcomes = (grewMemory: 0, tookRetainedPages: 0, refused: 0, unchanged: 0)
        for _ in 0..<300 {
            let sequence = (0..<Int.random(in: 1...10, using: &generator)).map { _ in Self.steps.randomElement(using: &generator)! }
            let expected = try Self.answers(of: try parseWasm(bytes: original).instantiate(store: Store(engine: Engine())), sequence)
            let instance = try parseWasm(bytes: rewritten).instantiate(store: Store(engine: Engine()))
            let memory = try #require(instance.exports[memory: "memory"])
            let pages = try #require(instance.exports[global: state.globals[0]])
            #expect(try Self.answers(of: instance, sequence) == expected, "fresh: \(sequence)")
            let realPages = memory.byteCount / 65_536
            // Put back as a pool does: the memory keeps its pages, the global its first value.
            try pages.assign(.i32(1))
            #expect(try Self.answers(of: instance, sequence) == expected, "put back: \(sequence)")
            #expect(memory.byteCount / 65_536 == realPages, "the second pass takes the pages the first grew")
            for (step, answer) in zip(sequence, expected) {
                switch (step, answer) {
                case (nil, _): continue
                case (0, _): outcomes.unchanged += 1
                case (_, -1): outcomes.refused += 1
                default: outcomes.grewMemory += 1
                }
            }
            outcomes.tookRetainedPages += realPages > 1 ? 1 : 0
        }
        #expect(outcomes.grewMemory > 0 && outcomes.tookRetainedPages > 0 && outcomes.refused > 0 && outcomes.unchanged > 0, "\(outcomes)")
    }

    @Test("a module whose memory is imported, or whose size nothing reads or grows, is left as it is")
    func leftAsItIs() throws {
        for text in [
            "(module (import \"env\" \"memory\" (memory 1)) (func (result i32) (memory.size)))",
            "(module (memory 1) (func (result i32) (i32.const 0)))",
            "(module (func))",
        ] {
            let bytes = try wat2wasm(text)
            #expect(try VirtualMemorySize.rewrite(bytes) == bytes, "\(text)")
        }
    }

    @Test("a component's defining module with no function or global of its own gets the sections for them")
    func bareDefiner() throws {
        let bytes = try wat2wasm("(module (memory (export \"memory\") 2 4))")
        let rewritten = try VirtualMemorySize.rewrite(bytes, as: .defines)
        let instance = try parseWasm(bytes: rewritten).instantiate(store: Store(engine: Engine()))
        #expect(instance.exports[global: VirtualMemorySize.pagesExport]?.value == .i32(2))
    }

    @Test("a module with globals of its own and a name section keeps them, and the added global comes after them")
    func keepsGlobalsAndNames() throws {
        let bytes = try wat2wasm(
            """
            (module
              (import "env" "g" (global $g i32))
              (memory (export "memory") 2)
              (global $h (export "h") (mut i32) (global.get $g))
              (func $grow (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func $size (export "size") (result i32) (i32.add (memory.size) (global.get $h))))
            """, options: EncodeOptions(nameSection: true))
        let rewritten = try VirtualMemorySize.rewrite(bytes)
        let store = Store(engine: Engine())
        var imports = Imports()
        imports.define(module: "env", name: "g", try Global(store: store, type: GlobalType(mutability: .constant, valueType: .i32), value: .i32(40)))
        let instance = try parseWasm(bytes: rewritten).instantiate(store: store, imports: imports)
        #expect(try Self.answers(of: instance, [nil, 3, nil, 0xFFFF_FFFF]) == [42, 2, 45, -1])
    }

    static let definer = """
        (module
          (memory (export "memory") 1 8)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "size") (result i32) (memory.size)))
        """
    /// Imports the memory and a global; its own global (exported) counts its grows.
    static let importer = """
        (module
          (import "env" "memory" (memory 1))
          (import "env" "k" (global $k i32))
          (global $own (export "own") (mut i32) (i32.const 7))
          (func (export "grow") (param i32) (result i32)
            (global.set $own (i32.add (global.get $own) (i32.const 1)))
            (memory.grow (local.get 0)))
          (func (export "size") (result i32) (i32.add (memory.size) (i32.mul (global.get $k) (global.get $own)))))
        """

    @Test("two modules sharing a memory, one defining and one importing it, answer as the originals, fresh and put back")
    func sharedMemory() throws {
        let definer = try wat2wasm(Self.definer)
        let importer = try wat2wasm(Self.importer)
        #expect(try VirtualMemorySize.role(of: definer) == .defines)
        #expect(try VirtualMemorySize.role(of: importer) == .imports)
        let definerRewritten = try VirtualMemorySize.rewrite(definer, as: .defines)
        let importerRewritten = try VirtualMemorySize.rewrite(importer, as: .imports)
        #expect(importerRewritten != importer)
        /// Both instantiated in one store, the importer given the definer's memory (and, once
        /// rewritten, its pages global).
        func pair(_ first: [UInt8], _ second: [UInt8]) throws -> (Instance, Instance) {
            let store = Store(engine: Engine())
            let a = try parseWasm(bytes: first).instantiate(store: store)
            var imports = Imports()
            imports.define(module: "env", name: "memory", try #require(a.exports[memory: "memory"]))
            imports.define(module: "env", name: "k", try Global(store: store, type: GlobalType(mutability: .constant, valueType: .i32), value: .i32(0)))
            if let pages = a.exports[global: VirtualMemorySize.pagesExport] {
                imports.define(module: VirtualMemorySize.importModule, name: VirtualMemorySize.importName, pages)
            }
            return (a, try parseWasm(bytes: second).instantiate(store: store, imports: imports))
        }
        var generator = SystemRandomNumberGenerator()
        var outcomes = (importerGrew: 0, definerGrew: 0, refused: 0)
        for _ in 0..<200 {
            let sequence = (0..<Int.random(in: 1...10, using: &generator)).map { _ in
                (Bool.random(using: &generator), Self.steps.randomElement(using: &generator)!)
            }
            let original = try pair(definer, importer)
            let expected = try Self.answers(of: original, sequence)
            let rewritten = try pair(definerRewritten, importerRewritten)
            #expect(try Self.answers(of: rewritten, sequence) == expected, "fresh: \(sequence)")
            let memory = try #require(rewritten.0.exports[memory: "memory"])
            let realPages = memory.byteCount / 65_536
            // Put back: the definer's pages and the importer's own global to their first values.
            try #require(rewritten.0.exports[global: VirtualMemorySize.pagesExport]).assign(.i32(1))
            try #require(rewritten.1.exports[global: "own"]).assign(.i32(7))
            #expect(try Self.answers(of: rewritten, sequence) == expected, "put back: \(sequence)")
            #expect(memory.byteCount / 65_536 == realPages)
            for ((fromImporter, step), answer) in zip(sequence, expected) where step != nil && step != 0 {
                if answer == -1 { outcomes.refused += 1 } else if fromImporter { outcomes.importerGrew += 1 } else { outcomes.definerGrew += 1 }
            }
        }
        #expect(outcomes.importerGrew > 0 && outcomes.definerGrew > 0 && outcomes.refused > 0, "\(outcomes)")
    }

    @Test("a component instantiating the defining module twice: each importer grows its own memory's size")
    func twinMemories() throws {
        let bytes = try ComponentFixtures.bytes("twin-memories.wasm")
        let original = try ComponentLinker().instantiate(try Component(bytes: bytes))
        let reusable = try ComponentLinker().instantiate(try Component(bytes: bytes).reusable())
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let copy = ["d1", "i1", "d2", "i2"].randomElement(using: &generator)!
            let call: (String, [ComponentValue]) =
                Bool.random(using: &generator) ? ("size-\(copy)", []) : ("grow-\(copy)", [.u32(UInt32.random(in: 0...2, using: &generator))])
            #expect(try reusable.call(call.0, call.1) == original.call(call.0, call.1), "\(call)")
        }
        // And the sizes agree at the end.
        for copy in ["d1", "i1", "d2", "i2"] { #expect(try reusable.call("size-\(copy)") == original.call("size-\(copy)")) }
    }

    /// What each step of `sequence` returns, each in the first instance of the pair or (`true`)
    /// the second, and last the second's own global if it exports one.
    static func answers(of pair: (Instance, Instance), _ sequence: [(Bool, UInt32?)]) throws -> [Int32] {
        var results: [Int32] = []
        for (second, step) in sequence {
            results += try answers(of: second ? pair.1 : pair.0, [step])
        }
        if case .i32(let own)? = pair.1.exports[global: "own"]?.value { results.append(Int32(bitPattern: own)) }
        return results
    }

    /// What each step of `sequence` returns.
    static func answers(of instance: Instance, _ sequence: [UInt32?]) throws -> [Int32] {
        let grow = try #require(instance.exports[function: "grow"])
        let size = try #require(instance.exports[function: "size"])
        return try sequence.map { step in
            let results = try step.map { try grow([.i32($0)]) } ?? size([])
            guard case .i32(let value) = results.first else { throw WasmKitError("no i32 result") }
            return Int32(bitPattern: value)
        }
    }

    struct WasmKitError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
