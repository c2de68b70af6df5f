// The run report: outcome, peak memory, descriptor high-water mark, fuel and denials, for modules, components and pooled instances.
import CapStd
import CapWASI
import Testing
import WAT

@Suite("Run reports")
struct RunReportTests {
    /// A preview 1 module with 2 pages that grows to 5, opens `/config/settings.toml` `opens`
    /// times without closing, opens `../secret` (refused) `refusals` times, then does `end`.
    static func module(opens: Int, refusals: Int, end: String = "") throws -> WASIModule {
        let open = """
            (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 13) (i32.const 0)
              (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))
            """
        let refuse = """
            (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 9) (i32.const 0)
              (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))
            """
        return try WASIModule(bytes: wat2wasm("""
            (module
              (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 2)
              (data (i32.const 16) "settings.toml")
              (data (i32.const 32) "../secret")
              (func (export "_start")
                (drop (memory.grow (i32.const 3)))
                \(String(repeating: open, count: opens))
                \(String(repeating: refuse, count: refusals))
                \(end)))
            """))
    }

    static let quiet: DenialSink = { _ in }

    @Test("a module's report: exit code, peak memory, descriptors held at once, denials and fuel")
    func module() throws {
        let tree = try TenantTree()
        let configuration = try tree.configuration(limits: WASILimits(fuel: 1_000_000))
        let baseline = try WASIRunner.run(try Self.module(opens: 0, refusals: 0), configuration: configuration, denialSink: Self.quiet)
        let result = try WASIRunner.run(
            try Self.module(opens: 3, refusals: 2, end: "(call $exit (i32.const 7))"), configuration: configuration,
            denialSink: Self.quiet)
        #expect(baseline.report.outcome == .exited && baseline.report.exitCode == 0)
        #expect(result.report.outcome == .exited && result.report.exitCode == 7)
        #expect(result.report.peakMemoryBytes == 5 * 65536)
        // Standard streams and the two preopens, then the three files the guest kept open.
        #expect(baseline.report.peakOpenDescriptors == 5)
        #expect(result.report.peakOpenDescriptors == 8)
        #expect(result.report.denials == 2 && result.denials.count == 2)
        let fuel = try #require(result.report.fuelUsed)
        #expect(fuel > 0 && fuel < 1_000_000)
        #expect(try #require(baseline.report.fuelUsed) < fuel)
        #expect(result.report.duration > .zero && result.wallTime == result.report.duration)
    }

    @Test(
        "a failed run's report says how it ended",
        arguments: [
            ("unreachable", RunReport.Outcome.trap), ("(loop $forever (br $forever))", .timeout),
            ("(loop $forever (drop (memory.grow (i32.const 1))) (br $forever))", .memoryLimit),
        ])
    func failedModule(end: String, outcome: RunReport.Outcome) throws {
        let tree = try TenantTree()
        let limits = WASILimits(maxMemoryBytes: 16 * 65536, timeout: .milliseconds(100))
        let ended = WASIRunner.runReporting(
            try Self.module(opens: 1, refusals: 1, end: end), configuration: try tree.configuration(limits: limits),
            denialSink: Self.quiet, interrupter: nil)
        guard case .failure(let error) = ended.result else {
            Issue.record("expected the run to fail")
            return
        }
        #expect(RunReport.Outcome(error) == outcome)
        #expect(ended.report.outcome == outcome)
        #expect(ended.report.exitCode == nil)
        #expect(ended.report.peakOpenDescriptors == 6)
        #expect(ended.report.denials == 1)
        #expect(ended.report.peakMemoryBytes == (outcome == .memoryLimit ? 16 : 5) * 65536)
    }

    @Test("out of fuel uses the budget but for less than a block; a module that never starts reports not-started")
    func fuelAndRefusal() throws {
        let tree = try TenantTree()
        let configuration = try tree.configuration(limits: WASILimits(fuel: 10_000))
        let spent = WASIRunner.runReporting(
            try Self.module(opens: 0, refusals: 0, end: "(loop $forever (br $forever))"), configuration: configuration,
            denialSink: Self.quiet, interrupter: nil)
        #expect(spent.report.outcome == .outOfFuel)
        // WasmKit charges a block's fuel before running it and leaves the budget as it was when
        // the charge does not fit: what is left is less than one block's charge.
        let used = try #require(spent.report.fuelUsed)
        #expect(used <= 10_000 && used > 9_900)

        // An import no host provides: instantiation fails.
        let unresolvable = try WASIModule(bytes: wat2wasm(#"(module (import "elsewhere" "f" (func)) (func (export "_start")))"#))
        let refused = WASIRunner.runReporting(unresolvable, configuration: configuration, denialSink: Self.quiet, interrupter: nil)
        #expect(refused.report.outcome == .notStarted)
        #expect(refused.report.peakMemoryBytes == 0 && refused.report.peakOpenDescriptors == 0)
    }

    @Test("a pooled instance's report counts each run's own descriptors")
    func pooled() throws {
        let tree = try TenantTree()
        let pool = WASIInstancePool(module: try Self.module(opens: 2, refusals: 0))
        let configuration = try tree.configuration()
        for _ in 0..<3 {
            let result = try pool.run(configuration, owner: "tenant-a", denialSink: Self.quiet)
            #expect(result.report.peakOpenDescriptors == 7)
            #expect(result.report.peakMemoryBytes >= 5 * 65536)
        }
        #expect(pool.statistics.reuses == 2)
    }

    @Test("a component's report: outcome, memory and resources")
    func component() throws {
        let tree = try TenantTree()
        let component = try testComponent("limits")
        let configuration = try tree.configuration(limits: WASILimits(timeout: .milliseconds(100)))
        let hello = try WASIRunner.run(component, entry: .function("hello"), configuration: configuration, denialSink: Self.quiet)
        #expect(hello.report.outcome == .exited && hello.report.exitCode == 0)
        #expect(hello.report.peakMemoryBytes >= 65536)
        // The output stream it held, at least.
        #expect(hello.report.peakOpenDescriptors >= 1)
        for (export, outcome) in [("trap", RunReport.Outcome.trap), ("spin", .timeout), ("exit-err", .exited)] {
            let ended = WASIRunner.runReporting(
                component, entry: .function(export), configuration: configuration, denialSink: Self.quiet, interrupter: nil)
            #expect(ended.report.outcome == outcome, "\(export)")
        }
    }
}
