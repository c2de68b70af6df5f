// Keeps the README's CapComponent example honest: the same code compiles here, runs, and matches the text.
import CapComponent
import Foundation
import TestSupport
import Testing

/// The README's example, with the component's bytes passed in.
func readmeExample(hostComponentBytes: [UInt8]) throws -> ComponentValue? {
// BEGIN README EXAMPLE
let linker = ComponentLinker()
let counter = linker.defineResource("test:host/api@0.1.0", "counter") { rep in print("dropped \(rep)") }
linker.define("test:host/api@0.1.0", "log") { arguments in
    if case .string(let message)? = arguments.first { print(message) }
    return nil
}
linker.define("test:host/api@0.1.0", "make-counter") { arguments in
    guard case .u32(let start)? = arguments.first else { return nil }
    return .own(ResourceHandle(type: counter, representation: start + 1))
}
linker.define("test:host/api@0.1.0", "[method]counter.get") { arguments in
    guard case .borrow(let handle)? = arguments.first else { return nil }
    return .u32(handle.representation * 10)
}
linker.define(nil, "get-number") { _ in .u32(100) }
let instance = try linker.instantiate(Component(bytes: hostComponentBytes))
let total = try instance.call("run", [.u32(4)])   // .u32(150)
// END README EXAMPLE
    return total
}

@Suite("README: CapComponent")
struct ComponentReadmeTests {
    @Test("the example instantiates host.wasm with Swift imports and its run export returns 150")
    func exampleRuns() throws {
        #expect(try readmeExample(hostComponentBytes: ComponentFixtures.bytes("host.wasm")) == .u32(150))
    }

    @Test("the README shows exactly the code this file compiles")
    func exampleMatchesReadme() throws {
        let tests = URL(fileURLWithPath: repositoryRoot.appending("Tests/CapComponentTests").string)
        let readme = try String(contentsOf: tests.appendingPathComponent("../../README.md"), encoding: .utf8)
        let source = try String(contentsOf: tests.appendingPathComponent("ComponentReadmeTests.swift"), encoding: .utf8)
        let example = source.components(separatedBy: "// BEGIN README EXAMPLE\n")[1].components(separatedBy: "// END README EXAMPLE")[0]
        #expect(readme.contains("```swift\nimport CapComponent\n\n" + example + "```"))
    }
}
