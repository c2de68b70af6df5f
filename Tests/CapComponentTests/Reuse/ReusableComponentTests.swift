// A component made reusable: every core instance of an instance of it reachable, state and all.
import CapComponent
import Testing
import WasmKit

@Suite("Reusable components")
struct ReusableComponentTests {
    @Test("every core instance of a reusable component exports its own memories, tables and mutable globals")
    func coreInstancesExportTheirState() throws {
        let (linker, captured) = try InstantiationAdapterTests.helloHost(version: "0.2.0")
        let component = try Component(bytes: try ComponentFixtures.bytes("hello-p2.wasm")).reusable()
        let instance = try linker.instantiate(component)
        // main, adapter, shim, fixup.
        #expect(instance.coreInstances.count == 4)
        var memories = 0
        var tables = 0
        var globals = 0
        for core in instance.coreInstances {
            let state = try #require(core.state)
            for name in state.memories { #expect(core.instance.exports[memory: name] != nil, "\(name)") }
            for name in state.tables { #expect(core.instance.exports[table: name] != nil, "\(name)") }
            for name in state.globals { #expect(core.instance.exports[global: name] != nil, "\(name)") }
            (memories, tables, globals) = (memories + state.memories.count, tables + state.tables.count, globals + state.globals.count)
        }
        // The main module's memory (the adapter imports it), the shim's table (the fixup imports
        // it), and at least the adapter's and main module's stack pointers.
        #expect(memories == 1)
        #expect(tables == 1)
        #expect(globals >= 2)
        // It runs as before.
        #expect(try instance.call("wasi:cli/run@0.2.0", "run", []) == .result(.success(nil)))
        #expect(String(decoding: captured.stdout, as: UTF8.self) == "hi\n")
    }

    @Test("a component not made reusable keeps its modules as they are")
    func notReusable() throws {
        let (linker, _) = try InstantiationAdapterTests.helloHost(version: "0.2.0")
        let instance = try linker.instantiate(try Component(bytes: try ComponentFixtures.bytes("hello-p2.wasm")))
        #expect(instance.coreInstances.count == 4)
        #expect(instance.coreInstances.allSatisfy { $0.state == nil })
    }
}
