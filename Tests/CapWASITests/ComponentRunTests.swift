// Runs of WASI 0.2 components: exit statuses, traps, every limit, stdio, and what is left after.
import CapStd
import CapWASI
import SystemPackage
import Testing
import TestSupport

/// A checked-in component beside this file (Components/, rebuilt by its build.sh).
func testComponent(_ name: String) throws -> WASIComponent {
    let directory = repositoryRoot.appending("Tests/CapWASITests/Components")
    return try WASIComponent(bytes: try Dir.openAmbient(directory, ambientAuthority()).read(RawPath(name + ".wasm")))
}

@Suite("WASI 0.2 component runs")
struct ComponentRunTests {
    @Test("a component writes to stdout through wasi:io/streams, captured like a module's")
    func hello() throws {
        let result = try WASIRunner.run(try testComponent("limits"), entry: .function("hello"), configuration: WASIConfiguration())
        #expect(result.exitCode == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "hello from a component\n")
    }

    @Test("standard input comes from the configured bytes, in reads of any size, then ends")
    func standardInput() throws {
        let text = "line one\nline two, longer than one read\n"
        let configuration = WASIConfiguration(stdin: .bytes(Array(text.utf8)))
        let result = try WASIRunner.run(try testComponent("limits"), entry: .function("echo-stdin"), configuration: configuration)
        #expect(String(decoding: result.stdout, as: UTF8.self) == text)
        let empty = try WASIRunner.run(try testComponent("limits"), entry: .function("echo-stdin"), configuration: WASIConfiguration())
        #expect(empty.stdout.isEmpty)
    }

    @Test("wasi:sockets links, and creating a socket is refused with access-denied")
    func sockets() throws {
        let result = try WASIRunner.run(try testComponent("limits"), entry: .function("sockets-refused"), configuration: WASIConfiguration())
        #expect(result.exitCode == 0)
    }

    @Test("wasi:cli/exit with ok is exit code 0 and with err 1, ending the run where it is called")
    func exitStatus() throws {
        let component = try testComponent("limits")
        #expect(try WASIRunner.run(component, entry: .function("exit-ok"), configuration: WASIConfiguration()).exitCode == 0)
        #expect(try WASIRunner.run(component, entry: .function("exit-err"), configuration: WASIConfiguration()).exitCode == 1)
    }

    @Test("a trap is a trap error naming the export")
    func trap() throws {
        let error = #expect(throws: WASIRunError.self) {
            try WASIRunner.run(try testComponent("limits"), entry: .function("trap"), configuration: WASIConfiguration())
        }
        guard case .trap(let message)? = error else {
            Issue.record("expected a trap, got \(String(describing: error))")
            return
        }
        // The export is named "trap" too: ask for WasmKit's reason and the call it ended.
        #expect(message.contains("Trap: unreachable"), "\(message)")
        #expect(message.hasPrefix("calling trap:"), "\(message)")
    }

    @Test("a guest spinning without host calls runs out of fuel")
    func fuel() throws {
        let limits = WASILimits(fuel: 1_000_000)
        #expect(throws: WASIRunError.outOfFuel(budget: 1_000_000)) {
            try WASIRunner.run(try testComponent("limits"), entry: .function("spin"), configuration: WASIConfiguration(limits: limits))
        }
    }

    @Test("a guest spinning through host calls is stopped by the time limit")
    func timeout() throws {
        let limits = WASILimits(fuel: nil, timeout: .milliseconds(200))
        #expect(throws: WASIRunError.timeout(.milliseconds(200))) {
            try WASIRunner.run(
                try testComponent("limits"), entry: .function("spin-calling-host"), configuration: WASIConfiguration(limits: limits))
        }
    }

    @Test("memory growth past the limit ends the run with a memory-limit error")
    func memory() throws {
        let limits = WASILimits(maxMemoryBytes: 4 << 20)
        let error = #expect(throws: WASIRunError.self) {
            try WASIRunner.run(try testComponent("limits"), entry: .function("grow"), configuration: WASIConfiguration(limits: limits))
        }
        guard case .memoryLimit(let requested, let limit)? = error else {
            Issue.record("expected a memory limit, got \(String(describing: error))")
            return
        }
        #expect(limit == 4 << 20)
        #expect(requested > limit)
    }

    @Test("a guest hoarding handles hits the instance's resource limit and traps with it named")
    func resourceLimit() throws {
        let limits = WASILimits(maxDescriptors: 64)
        let error = #expect(throws: WASIRunError.self) {
            try WASIRunner.run(
                try testComponent("limits"), entry: .function("hoard-streams"), configuration: WASIConfiguration(limits: limits))
        }
        guard case .trap(let message)? = error else {
            Issue.record("expected a trap, got \(String(describing: error))")
            return
        }
        #expect(message.contains("limit of 64 open descriptors"))
    }

    @Test("an export that does not exist is named with what the component does export")
    func missingExport() throws {
        let component = try testComponent("limits")
        #expect(component.exportsFunction("hello"))
        #expect(!component.exportsFunction("run"))
        let error = #expect(throws: WASIRunError.self) { try WASIRunner.run(component, configuration: WASIConfiguration()) }
        guard case .missingExport(let message)? = error else {
            Issue.record("expected a missing export, got \(String(describing: error))")
            return
        }
        #expect(message.contains("wasi:cli/run"))
        #expect(message.contains("hello"))
    }

    @Test("malformed component bytes are refused with what is wrong, and modules are told apart")
    func malformed() throws {
        let header: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]
        #expect(WASIComponent.isComponent(header))
        #expect(!WASIComponent.isComponent([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]))
        #expect(!WASIComponent.isComponent([0x00, 0x61]))
        #expect(throws: WASIRunError.self) { try WASIComponent(bytes: header + [0x01, 0xff]) }
    }
}
