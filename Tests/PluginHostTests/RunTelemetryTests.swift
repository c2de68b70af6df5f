// Each run reported as metrics (by plugin and outcome, by tenant only on request) and one trace span.
import CapWASI
import InMemoryTracing
import MetricsTestKit
import PluginHost
import Testing
import TestSupport
import Tracing
import WAT

@Suite("Run telemetry")
struct RunTelemetryTests {
    /// Three tenants: the first exits 0, the second spins until its deadline, the third traps
    /// (a plugin that traps when given one argument, spins on two); each is refused one open
    /// of `../secret` first.
    static func runs(tenantDimension: Bool) async throws -> (TestMetrics, InMemoryTracer, [PluginRun]) {
        let module = try WASIModule(bytes: wat2wasm("""
            (module
              (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (memory (export "memory") 2)
              (data (i32.const 16) "../secret")
              (func (export "_start")
                (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 9) (i32.const 0)
                  (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))
                (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
                (if (i32.eq (i32.load (i32.const 0)) (i32.const 2)) (then unreachable))
                (if (i32.eq (i32.load (i32.const 0)) (i32.const 3)) (then (loop $forever (br $forever))))))
            """))
        let farm = try TenantFarm(count: 3)
        var tenants = try farm.capabilities()
        for index in tenants.indices { tenants[index].limits = WASILimits(timeout: .milliseconds(200)) }
        tenants[0].arguments = []
        tenants[1].arguments = ["spin", "forever"]
        tenants[2].arguments = ["trap"]
        let metrics = TestMetrics()
        let tracer = InMemoryTracer()
        let telemetry = RunTelemetry(plugin: "report", tenantDimension: tenantDimension, metricsFactory: metrics, tracer: tracer)
        let host = PluginHost(module: module, reuse: nil, telemetry: telemetry)
        return (metrics, tracer, await host.run(tenants: tenants))
    }

    @Test("counters and timers by plugin and outcome; no tenant dimension unless asked for")
    func metrics() async throws {
        let (metrics, _, runs) = try await Self.runs(tenantDimension: false)
        #expect(runs.map { $0.report?.outcome } == [.exited, .timeout, .trap])
        for outcome in ["exited", "timeout", "trap"] {
            let dimensions = [("plugin", "report"), ("outcome", outcome)]
            #expect(try metrics.expectCounter("capsule_runs_total", dimensions).totalValue == 1, "\(outcome)")
            #expect(try metrics.expectTimer("capsule_run_duration_seconds", dimensions).values.count == 1, "\(outcome)")
        }
        // The spinning run lasted its deadline at least.
        let timeout = try metrics.expectTimer("capsule_run_duration_seconds", [("plugin", "report"), ("outcome", "timeout")])
        #expect(try #require(timeout.lastValue) >= 200_000_000)
        let memory = try metrics.expectRecorder("capsule_run_peak_memory_bytes", [("plugin", "report")])
        let twoPages = Double(2 * 65536)
        #expect(memory.values == [twoPages, twoPages, twoPages])
        let descriptors = try metrics.expectRecorder("capsule_run_peak_descriptors", [("plugin", "report")])
        let peaks: [Double] = descriptors.values
        #expect(peaks.count == 3)
        #expect(peaks.allSatisfy { $0 >= 3 })
        #expect(try metrics.expectRecorder("capsule_run_fuel_used", [("plugin", "report")]).values.count == 3)
        // A run ended by a deadline or a trap keeps its denials, on the run and in the metrics.
        #expect(runs.map(\.denials.count) == [1, 1, 1])
        #expect(try metrics.expectCounter("capsule_run_denials_total", [("plugin", "report")]).totalValue == 3)
        // No series names a tenant.
        #expect(metrics.counters(label: "capsule_runs_total").allSatisfy { !$0.dimensions.contains { $0.0 == "tenant" } })
    }

    @Test("an embedder that opts in gets a tenant dimension")
    func tenantDimension() async throws {
        let (metrics, _, runs) = try await Self.runs(tenantDimension: true)
        for run in runs {
            let series = metrics.counters(label: "capsule_runs_total").filter { $0.dimensions.contains { $0 == ("tenant", run.tenant) } }
            #expect(series.count == 1, "\(run.tenant)")
            #expect(series.first?.totalValue == 1)
        }
    }

    @Test("one capsule.run span per run, with the report as attributes and an error status unless it exited")
    func spans() async throws {
        let (_, tracer, runs) = try await Self.runs(tenantDimension: false)
        let spans = tracer.finishedSpans
        #expect(spans.count == 3)
        for run in runs {
            let span = try #require(spans.first { $0.attributes["capsule.tenant"]?.toSpanAttribute() == .string(run.tenant) })
            #expect(span.operationName == "capsule.run")
            #expect(span.attributes["capsule.plugin"]?.toSpanAttribute() == .string("report"))
            let outcome = try #require(run.report?.outcome)
            #expect(span.attributes["capsule.outcome"]?.toSpanAttribute() == .string(outcome.rawValue))
            #expect(span.attributes["capsule.peak_memory_bytes"]?.toSpanAttribute() == .int64(2 * 65536))
            #expect((span.status?.code == .error) == (outcome != .exited), "\(outcome)")
        }
    }
}
