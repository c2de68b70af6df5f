// Exporting every part of an instance's mutable state, so that a host can put it back.
import CapComponent
import Testing
import WAT
import WasmKit

@Suite("State exports")
struct StateExportsTests {
    @Test("hidden state is exported under names no export has, and a module without exports gets an export section")
    func rewrite() throws {
        let exported = try wat2wasm("""
            (module
              (memory 1) (global (mut i32) (i32.const 0)) (global i32 (i32.const 1)) (table 1 funcref)
              (func (export "capsule.state.global.0")))
            """)
        let (bytes, exports) = try StateExports.rewrite(exported)
        #expect(exports == StateExports(memories: ["capsule.state.memory.0"], tables: ["capsule.state.table.0"], globals: ["capsule.state.global.0_"]))
        let store = Store(engine: Engine())
        let instance = try parseWasm(bytes: bytes).instantiate(store: store)
        #expect(instance.exports[global: "capsule.state.global.0_"] != nil)
        #expect(instance.exports[function: "capsule.state.global.0"] != nil)
        #expect(instance.exports[memory: "capsule.state.memory.0"] != nil)

        let bare = try wat2wasm("(module (memory 1) (global (mut i64) (i64.const 7)) (func) (start 0))")
        let (rewritten, bareExports) = try StateExports.rewrite(bare)
        #expect(bareExports.globals.count == 1)
        let global = try parseWasm(bytes: rewritten).instantiate(store: store).exports[global: bareExports.globals[0]]
        #expect(global?.value == .i64(7))

        #expect(throws: StateExports.NotReusable.self) {
            try StateExports.rewrite(wat2wasm("(module (import \"env\" \"memory\" (memory 1)))"))
        }
    }

    @Test("inside a component a module may import state: its own items are numbered after the imported ones")
    func importedState() throws {
        let bytes = try wat2wasm("""
            (module
              (import "env" "memory" (memory 1))
              (import "env" "table" (table 1 funcref))
              (import "env" "sp" (global (mut i32)))
              (table 2 funcref) (global (mut i32) (i32.const 5)) (global i32 (i32.const 6))
              (func (export "f")))
            """)
        #expect(throws: StateExports.NotReusable.self) { try StateExports.rewrite(bytes) }
        let (rewritten, exports) = try StateExports.rewrite(bytes, importedState: true)
        // The module's own table is table 1 and its mutable global is global 1; the imported
        // memory is the exporter's to put back.
        #expect(exports == StateExports(memories: [], tables: ["capsule.state.table.1"], globals: ["capsule.state.global.1"]))
        let store = Store(engine: Engine())
        var imports = Imports()
        imports.define(module: "env", name: "memory", try Memory(store: store, type: MemoryType(min: 1, max: nil)))
        imports.define(module: "env", name: "table", try Table(store: store, type: TableType(elementType: .funcRef, limits: Limits(min: 1, max: nil))))
        imports.define(module: "env", name: "sp", try Global(store: store, type: GlobalType(mutability: .variable, valueType: .i32), value: .i32(9)))
        let instance = try parseWasm(bytes: rewritten).instantiate(store: store, imports: imports)
        #expect(instance.exports[global: "capsule.state.global.1"]?.value == .i32(5))
        #expect(instance.exports[table: "capsule.state.table.1"]?.type.limits.min == 2)
    }
}
