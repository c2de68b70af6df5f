// A plugin host's runs as metrics (swift-metrics) and trace spans (swift-distributed-tracing).
import CapWASI
import Metrics
import Tracing

/// How a ``PluginHost`` reports each run: metrics through swift-metrics and one span per run
/// through swift-distributed-tracing.
///
/// The library only emits. Nothing is recorded until the process bootstraps a backend
/// (`MetricsSystem.bootstrap`, `InstrumentationSystem.bootstrap`), or until ``metricsFactory``
/// and ``tracer`` name one; until then both go to no-op handlers.
///
/// Every run, whatever its outcome, records (`plugin` and `outcome` are dimensions; `tenant`
/// too when ``tenantDimension`` is set):
///
/// | Metric | Kind | Dimensions | Value |
/// |---|---|---|---|
/// | `capsule_runs_total` | counter | plugin, outcome | 1 per run |
/// | `capsule_run_duration_seconds` | timer | plugin, outcome | ``RunReport/duration`` |
/// | `capsule_run_fuel_used` | recorder | plugin | ``RunReport/fuelUsed``, for runs with a budget |
/// | `capsule_run_peak_memory_bytes` | recorder | plugin | ``RunReport/peakMemoryBytes`` |
/// | `capsule_run_peak_descriptors` | recorder | plugin | ``RunReport/peakOpenDescriptors`` |
/// | `capsule_run_denials_total` | counter | plugin | ``RunReport/denials`` |
///
/// The span is `capsule.run`, around the whole run (waiting for a guest thread included), with
/// the attributes `capsule.plugin`, `capsule.tenant`, `capsule.outcome`, `capsule.exit_code`,
/// `capsule.fuel_used`, `capsule.peak_memory_bytes`, `capsule.peak_descriptors` and
/// `capsule.denials`; its status is an error for every outcome but
/// ``RunReport/Outcome/exited``. The tenant is always a span attribute: a span is one run's
/// record, not a series.
public struct RunTelemetry: Sendable {
    /// The `plugin` dimension and attribute.
    public var plugin: String
    /// Whether metrics also get a `tenant` dimension. Off by default: every tenant then becomes
    /// series of its own, a cardinality only the embedder can decide to pay for.
    public var tenantDimension: Bool
    /// Where metrics go; `nil` for the process's bootstrapped `MetricsSystem.factory`.
    public var metricsFactory: (any MetricsFactory)?
    /// Where spans go; `nil` for the process's bootstrapped `InstrumentationSystem.tracer`.
    public var tracer: (any Tracer)?

    public init(plugin: String, tenantDimension: Bool = false, metricsFactory: (any MetricsFactory)? = nil, tracer: (any Tracer)? = nil) {
        self.plugin = plugin
        self.tenantDimension = tenantDimension
        self.metricsFactory = metricsFactory
        self.tracer = tracer
    }

    /// Starts the span of `tenant`'s run, a child of the task's current service context.
    func startSpan(tenant: String) -> any Span {
        let span = (tracer ?? InstrumentationSystem.tracer).startSpan("capsule.run", ofKind: .internal)
        span.attributes["capsule.plugin"] = plugin
        span.attributes["capsule.tenant"] = tenant
        return span
    }

    /// Records `report` of `tenant`'s run as metrics and on `span`, then ends the span.
    func finish(_ span: any Span, tenant: String, report: RunReport?, failure: PluginRunError?) {
        let factory = metricsFactory ?? MetricsSystem.factory
        var dimensions = [("plugin", plugin)]
        if tenantDimension { dimensions.append(("tenant", tenant)) }
        guard let report else {
            // The tenant's directories could not be handed over: nothing ran, nothing to measure.
            Counter(label: "capsule_runs_total", dimensions: dimensions + [("outcome", "not-started")], factory: factory).increment()
            span.attributes["capsule.outcome"] = RunReport.Outcome.notStarted.rawValue
            span.setStatus(SpanStatus(code: .error, message: failure.map { "\($0)" }))
            span.end()
            return
        }
        let outcome = [("outcome", report.outcome.rawValue)]
        Counter(label: "capsule_runs_total", dimensions: dimensions + outcome, factory: factory).increment()
        Timer(label: "capsule_run_duration_seconds", dimensions: dimensions + outcome, preferredDisplayUnit: .seconds, factory: factory)
            .record(duration: report.duration)
        if let fuel = report.fuelUsed {
            Recorder(label: "capsule_run_fuel_used", dimensions: dimensions, factory: factory).record(Int64(clamping: fuel))
        }
        Recorder(label: "capsule_run_peak_memory_bytes", dimensions: dimensions, factory: factory).record(report.peakMemoryBytes)
        Recorder(label: "capsule_run_peak_descriptors", dimensions: dimensions, factory: factory).record(report.peakOpenDescriptors)
        if report.denials > 0 {
            Counter(label: "capsule_run_denials_total", dimensions: dimensions, factory: factory).increment(by: report.denials)
        }

        span.attributes["capsule.outcome"] = report.outcome.rawValue
        if let code = report.exitCode { span.attributes["capsule.exit_code"] = Int(code) }
        if let fuel = report.fuelUsed { span.attributes["capsule.fuel_used"] = Int64(clamping: fuel) }
        span.attributes["capsule.peak_memory_bytes"] = report.peakMemoryBytes
        span.attributes["capsule.peak_descriptors"] = report.peakOpenDescriptors
        span.attributes["capsule.denials"] = report.denials
        if report.outcome != .exited { span.setStatus(SpanStatus(code: .error, message: failure.map { "\($0)" })) }
        span.end()
    }
}
