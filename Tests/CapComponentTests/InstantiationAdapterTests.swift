// A preview 1 program turned into a component with the reactor adapter: main + adapter + shim + fixup.

import Testing
import CapComponent

@Suite("Instantiation of an adapter-based component")
struct InstantiationAdapterTests {
    /// hello-p2.wasm (from hello-p1.wat by p1-to-p2.sh) writes "hi\n" with `fd_write`, which the
    /// adapter turns into `wasi:io/streams@0.2.0` calls. The host here implements just those.
    @Test("runs wasi:cli/run through the adapter, with stdout captured by the host")
    func hello() throws {
        let linker = ComponentLinker()
        var stdout: [UInt8] = []
        var dropped: [String] = []
        let streams = "wasi:io/streams@0.2.0"
        linker.defineResource("wasi:io/error@0.2.0", "error") { _ in dropped.append("error") }
        linker.defineResource(streams, "input-stream") { _ in dropped.append("input-stream") }
        let output = linker.defineResource(streams, "output-stream") { _ in dropped.append("output-stream") }
        linker.defineResource("wasi:filesystem/types@0.2.0", "descriptor") { _ in dropped.append("descriptor") }
        let input = try #require(linker.resourceType(streams, "input-stream"))
        linker.define("wasi:cli/stdin@0.2.0", "get-stdin") { _ in .own(ResourceHandle(type: input, representation: 0)) }
        linker.define("wasi:cli/stdout@0.2.0", "get-stdout") { _ in .own(ResourceHandle(type: output, representation: 1)) }
        linker.define("wasi:cli/stderr@0.2.0", "get-stderr") { _ in .own(ResourceHandle(type: output, representation: 2)) }
        linker.define(streams, "[method]output-stream.check-write") { _ in .result(.success(.u64(4096))) }
        let write: ComponentLinker.HostFunction = { arguments in
            guard arguments.count == 2, case .list(let bytes) = arguments[1] else { return .result(.success(nil)) }
            for case .u8(let byte) in bytes { stdout.append(byte) }
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
            linker.define("wasi:filesystem/types@0.2.0", name) { _ in throw NotImplemented() }
        }
        linker.define("wasi:filesystem/preopens@0.2.0", "get-directories") { _ in .list([]) }

        let component = try Component(bytes: try ComponentFixtures.bytes("hello-p2.wasm"))
        #expect(component.coreModuleCount == 4)
        let instance = try linker.instantiate(component)
        let result = try instance.call("wasi:cli/run@0.2.0", "run", [])
        #expect(result == .result(.success(nil)))
        #expect(String(decoding: stdout, as: UTF8.self) == "hi\n")
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
