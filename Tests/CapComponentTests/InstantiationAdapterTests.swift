// A preview 1 program turned into a component with the reactor adapter: main + adapter + shim + fixup.

import Testing
import CapComponent
import WasmKit

@Suite("Instantiation of an adapter-based component")
struct InstantiationAdapterTests {
    /// hello-p2.wasm (from hello-p1.wat by p1-to-p2.sh) writes "hi\n" with `fd_write`, which the
    /// adapter turns into `wasi:io/streams@0.2.0` calls. The host here implements just those.
    @Test(
        "runs wasi:cli/run through the adapter, with stdout captured by a host of any compatible version",
        arguments: ["0.2.0", "0.2.9"])
    func hello(version: String) throws {
        let (linker, captured) = try Self.helloHost(version: version)
        let component = try Component(bytes: try ComponentFixtures.bytes("hello-p2.wasm"))
        #expect(component.coreModuleCount == 4)
        let instance = try linker.instantiate(component)
        let result = try instance.call("wasi:cli/run@0.2.0", "run", [])
        #expect(result == .result(.success(nil)))
        #expect(String(decoding: captured.stdout, as: UTF8.self) == "hi\n")
    }

    @Test("a released instance frees its store: the contexts of nested components do not keep it")
    func releasedInstanceFreesItsStore() throws {
        let (linker, captured) = try Self.helloHost(version: "0.2.0")
        // hello-p2.wasm defines nested components (wit-component's), whose closures refer to the
        // instance that defines them.
        let component = try Component(bytes: try ComponentFixtures.bytes("hello-p2.wasm"))
        weak var store: Store?
        do {
            let instance = try linker.instantiate(component)
            store = instance.store
            #expect(try instance.call("wasi:cli/run@0.2.0", "run", []) == .result(.success(nil)))
        }
        #expect(String(decoding: captured.stdout, as: UTF8.self) == "hi\n")
        #expect(store == nil)
    }

    @Test("a host of an incompatible version (0.3.0, 1.2.0) does not satisfy 0.2.0 imports", arguments: ["0.3.0", "1.2.0"])
    func incompatibleVersion(version: String) throws {
        let (linker, _) = try Self.helloHost(version: version)
        let component = try Component(bytes: try ComponentFixtures.bytes("hello-p2.wasm"))
        let error = #expect(throws: ComponentError.self) { try linker.instantiate(component) }
        #expect(error?.code == .missingImport)
        #expect(error?.message.contains("@0.2.0") == true)
    }

    /// What the host saw of the guest: its stdout.
    final class Captured {
        var stdout: [UInt8] = []
    }

    /// A host for hello-p2's imports, defined under `version` of each interface.
    static func helloHost(version: String) throws -> (ComponentLinker, Captured) {
        let linker = ComponentLinker()
        let captured = Captured()
        let streams = "wasi:io/streams@\(version)"
        linker.defineResource("wasi:io/error@\(version)", "error")
        linker.defineResource(streams, "input-stream")
        let output = linker.defineResource(streams, "output-stream")
        linker.defineResource("wasi:filesystem/types@\(version)", "descriptor")
        let input = try #require(linker.resourceType(streams, "input-stream"))
        linker.define("wasi:cli/stdin@\(version)", "get-stdin") { _ in .own(ResourceHandle(type: input, representation: 0)) }
        linker.define("wasi:cli/stdout@\(version)", "get-stdout") { _ in .own(ResourceHandle(type: output, representation: 1)) }
        linker.define("wasi:cli/stderr@\(version)", "get-stderr") { _ in .own(ResourceHandle(type: output, representation: 2)) }
        linker.define(streams, "[method]output-stream.check-write") { _ in .result(.success(.u64(4096))) }
        let write: ComponentLinker.HostFunction = { arguments in
            guard arguments.count == 2, case .bytes(let bytes) = arguments[1] else { return .result(.success(nil)) }
            captured.stdout.append(contentsOf: bytes)
            return .result(.success(nil))
        }
        linker.define(streams, "[method]output-stream.write", write)
        linker.define(streams, "[method]output-stream.blocking-write-and-flush", write)
        linker.define(streams, "[method]output-stream.blocking-flush") { _ in .result(.success(nil)) }
        struct NotImplemented: Error {}
        for name in [
            "[method]descriptor.write-via-stream", "[method]descriptor.append-via-stream",
            "[method]descriptor.get-type", "[method]descriptor.stat", "filesystem-error-code",
        ] {
            linker.define("wasi:filesystem/types@\(version)", name) { _ in throw NotImplemented() }
        }
        linker.define("wasi:filesystem/preopens@\(version)", "get-directories") { _ in .list([]) }
        return (linker, captured)
    }

    @Test(
        "instantiates a large locally built component with every import stubbed (CAPCOMPONENT_LARGE_COMPONENT)",
        .enabled(if: ComponentFixtures.largeComponentPath != nil, "set CAPCOMPONENT_LARGE_COMPONENT to a component's path"))
    func largeComponent() throws {
        struct Stub: Error {}
        let component = try Component(bytes: try ComponentFixtures.bytes(atPath: try #require(ComponentFixtures.largeComponentPath)))
        let linker = ComponentLinker()
        for requirement in component.requirements {
            if requirement.isResource {
                linker.defineResource(requirement.interface, requirement.name)
            } else {
                linker.define(requirement.interface, requirement.name) { _ in throw Stub() }
            }
        }
        let instance = try linker.instantiate(component)
        #expect(!instance.exportNames.isEmpty)
    }
}
