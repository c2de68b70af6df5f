// Instantiating components: lifted exports, host imports, nested components, resources, wit-component shapes.

import Testing
import CapComponent

@Suite("Instantiation")
struct InstantiationTests {
    static func instantiate(_ name: String, _ linker: ComponentLinker = ComponentLinker()) throws -> ComponentInstance {
        try linker.instantiate(try Component(bytes: try ComponentFixtures.bytes(name)))
    }

    @Test("calls lifted exports with scalars and strings")
    func exports() throws {
        let instance = try Self.instantiate("exports.wasm")
        #expect(instance.exportNames == ["add", "echo", "fail", "test:math/ops@1.0.0"])
        #expect(try instance.call("add", [.u32(2), .u32(40)]) == .u32(42))
        #expect(try instance.call("echo", [.string("héllo")]) == .string("héllo"))
        #expect(try instance.call("test:math/ops@1.0.0", "add", [.u32(1), .u32(2)]) == .u32(3))
        #expect(instance.function("add")?.type.description == "func(a: u32, b: u32) -> u32")
        #expect(instance.exportNames(of: "test:math/ops@1.0.0") == ["add"])
    }

    @Test("a trap is an error with the trap's message, and the instance is poisoned")
    func trap() throws {
        let instance = try Self.instantiate("exports.wasm")
        let error = try #require(throws: ComponentError.self) { try instance.call("fail") }
        #expect(error.code == .trap)
        #expect(error.message.contains("unreachable"))
        #expect(throws: ComponentError.self) { try instance.call("add", [.u32(1), .u32(1)]) }
    }

    @Test("wrong arguments and unknown exports are errors before anything runs")
    func badCalls() throws {
        let instance = try Self.instantiate("exports.wasm")
        let mismatch = try #require(throws: ComponentError.self) { try instance.call("add", [.string("x"), .u32(1)]) }
        #expect(mismatch.code == .typeMismatch)
        let missing = try #require(throws: ComponentError.self) { try instance.call("nope") }
        #expect(missing.code == .noSuchExport)
        #expect(try instance.call("add", [.u32(1), .u32(1)]) == .u32(2))
    }

    /// A linker for host.wasm: a counter resource, log, make-counter, counter.get and get-number.
    final class Host {
        let linker = ComponentLinker()
        var logged: [String] = []
        var destroyed: [UInt32] = []
        let counter: ResourceType

        init(number: UInt32 = 100) {
            counter = linker.defineResource("test:host/api@0.1.0", "counter")
            let counter = counter
            linker.defineResource("test:host/api@0.1.0", "counter") { [unowned self] rep in destroyed.append(rep) }
            linker.define("test:host/api@0.1.0", "log") { [unowned self] arguments in
                if case .string(let message) = arguments.first { logged.append(message) }
                return nil
            }
            linker.define("test:host/api@0.1.0", "make-counter") { arguments in
                guard case .u32(let start) = arguments.first else { return nil }
                return .own(ResourceHandle(type: counter, representation: start + 1))
            }
            linker.define(
                "test:host/api@0.1.0", "[method]counter.get",
                type: FunctionType(parameters: [.init("self", .borrow(counter))], result: .u32)
            ) { arguments in
                guard case .borrow(let handle) = arguments.first else { return nil }
                return .u32(handle.representation * 10)
            }
            linker.define(nil, "get-number") { _ in .u32(number) }
        }
    }

    @Test("imports are satisfied by host functions and host resources")
    func hostImports() throws {
        let host = Host()
        let instance = try Self.instantiate("host.wasm", host.linker)
        // make-counter(4) -> rep 5; get -> 50; drop runs the host destructor; + get-number 100.
        #expect(try instance.call("run", [.u32(4)]) == .u32(150))
        #expect(host.logged == ["hello"])
        #expect(host.destroyed == [5])
        try instance.call("consume", [.own(ResourceHandle(type: host.counter, representation: 9))])
        #expect(host.destroyed == [5, 9])
    }

    @Test("a missing import is an error naming it")
    func missingImport() throws {
        let linker = ComponentLinker()
        linker.defineResource("test:host/api@0.1.0", "counter")
        let error = try #require(throws: ComponentError.self) { try Self.instantiate("host.wasm", linker) }
        #expect(error.code == .missingImport)
        #expect(error.message.contains("test:host/api@0.1.0#log"))
        let noResource = try #require(throws: ComponentError.self) { try Self.instantiate("host.wasm") }
        #expect(noResource.code == .missingImport)
        #expect(noResource.message.contains("counter"))
    }

    @Test("a host function of the wrong type is refused at instantiation")
    func hostTypeMismatch() throws {
        let host = Host()
        host.linker.define(nil, "get-number", type: FunctionType(parameters: [], result: .string)) { _ in .string("") }
        let error = try #require(throws: ComponentError.self) { try Self.instantiate("host.wasm", host.linker) }
        #expect(error.code == .typeMismatch)
        #expect(error.message.contains("get-number"))
    }

    @Test("a handle the guest does not own is a bad-handle error")
    func badHandle() throws {
        let instance = try Self.instantiate("host.wasm", Host().linker)
        let error = try #require(throws: ComponentError.self) { try instance.call("bad-drop") }
        #expect(error.code == .badHandle)
    }

    @Test("a host function's error traps the guest and names the function")
    func hostError() throws {
        struct Refused: Error {}
        let host = Host()
        host.linker.define(nil, "get-number") { _ in throw Refused() }
        let instance = try Self.instantiate("host.wasm", host.linker)
        let error = try #require(throws: ComponentError.self) { try instance.call("run", [.u32(1)]) }
        #expect(error.code == .trap)
        #expect(error.message.contains("get-number"))
    }

    @Test("nested components are instantiated with arguments and call each other through values")
    func nested() throws {
        let instance = try Self.instantiate("nested.wasm")
        #expect(try instance.call("run", [.u32(5)]) == .u32(12))
        #expect(try instance.call("run-twice", [.u32(5)]) == .u32(24))
        #expect(try instance.call("inner", "run", [.u32(0)]) == .u32(2))
    }

    @Test("a component's own resources: resource.new, rep, drop and its destructor")
    func resources() throws {
        let instance = try Self.instantiate("resources.wasm")
        let thing = try #require(instance.resourceType(nil, "thing"))
        let made = try #require(try instance.call("[constructor]thing", [.u32(7)]))
        guard case .own(let handle) = made else {
            Issue.record("expected an own handle, got \(made)")
            return
        }
        #expect(handle.type == thing)
        #expect(handle.representation == 7)
        #expect(try instance.call("[method]thing.value", [.borrow(handle)]) == .u32(7))
        #expect(try instance.call("consume", [.own(handle)]) == .u32(7))
        #expect(try instance.call("dropped") == .u32(1))
        guard case .own(let second)? = try instance.call("[constructor]thing", [.u32(8)]) else {
            Issue.record("expected an own handle")
            return
        }
        try instance.drop(second)
        #expect(try instance.call("dropped") == .u32(2))
        let foreign = ResourceType(name: "other")
        #expect(throws: ComponentError.self) {
            try instance.call("[method]thing.value", [.borrow(ResourceHandle(type: foreign, representation: 1))])
        }
    }

    @Test("resources are fresh per instantiation")
    func freshResources() throws {
        let component = try Component(bytes: try ComponentFixtures.bytes("resources.wasm"))
        let linker = ComponentLinker()
        let first = try linker.instantiate(component)
        let second = try linker.instantiate(component)
        #expect(first.resourceType(nil, "thing") != second.resourceType(nil, "thing"))
    }

    @Test("wit-component's shim and fixup modules fill the indirect table through canon lower")
    func witComponentShape() throws {
        let linker = ComponentLinker()
        var logged: [String] = []
        linker.define("test:shape/host", "log") { arguments in
            if case .string(let message) = arguments.first { logged.append(message) }
            return nil
        }
        linker.define("test:shape/host", "next") { _ in .u32(1000) }
        let instance = try Self.instantiate("shape.wasm", linker)
        #expect(try instance.call("run", [.string("hi there")]) == .u32(1008))
        #expect(logged == ["hi there"])
    }
}
