// Running one compiled plugin for many tenants at once, each confined to its own directories.
import CapComponent
import CapStd
import CapWASI
import Synchronization
import Tracing

/// The outcome of one tenant's run.
public struct PluginRun: Sendable {
    public let tenant: String
    /// The guest's result, or why it did not finish.
    public let outcome: Result<WASIRunResult, PluginRunError>
    /// What the run did, however it ended (a timeout or a trap included); `nil` only when the
    /// tenant's directories could not be handed over and nothing ran.
    public let report: RunReport?

    /// The run's denials, also for runs that a trap or a limit ended.
    public let denials: [Denial]
}

/// Why a tenant's run did not produce a result.
public enum PluginRunError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The guest trapped, hit a limit, or could not be instantiated.
    case guest(WASIRunError)
    /// A tenant directory could not be handed over (for example, it was closed).
    case capability(CapStdError)

    public var description: String {
        switch self {
        case .guest(let error): "\(error)"
        case .capability(let error): "\(error)"
        }
    }
}

/// A compiled plugin, and the export the host calls: a preview 1 module (a command's `_start`;
/// a reactor's `_initialize`, then its default export `""` if it has one; or a named function)
/// or a WASI 0.2 component.
public enum Plugin: Sendable {
    case module(WASIModule, entry: ModuleEntry = .command)
    case component(WASIComponent, entry: ComponentEntry)

    /// Reads a module or a component, whichever `bytes` are. A module runs as `wasmtime run`
    /// runs it (``ModuleEntry/command``) unless `moduleEntry` says otherwise. A component's
    /// plain `run` export is called, the design document's plugin shape, unless
    /// `componentEntry` says otherwise.
    ///
    /// - Throws: ``WASIRunError/invalidModule(_:)`` or ``WASIRunError/invalidComponent(_:)``.
    public init(bytes: [UInt8], moduleEntry: ModuleEntry = .command, componentEntry: ComponentEntry? = nil) throws(WASIRunError) {
        if WASIComponent.isComponent(bytes) {
            self = .component(try WASIComponent(bytes: bytes), entry: componentEntry ?? .function("run"))
        } else {
            self = .module(try WASIModule(bytes: bytes), entry: moduleEntry)
        }
    }
}

/// Runs one compiled plugin for many tenants.
///
/// Each run gets a fresh descriptor (or resource) table holding only that tenant's
/// directories, and every descriptor a run opened is closed when it ends. Instances of a module
/// or a component are reused by default, but only for the tenant they last ran for: between
/// runs the memories, tables and globals of the instance (of each core instance of a component)
/// are put back to their just-instantiated state (see ``InstanceReuse`` for what stays
/// observable), and a run that traps or hits a limit discards its instance. Pass `reuse: nil`
/// for a fresh WasmKit store and instance per run. Runs execute concurrently, at most `maxConcurrentRuns` at a time; a trap or
/// a limit ends that tenant's run only. Modules and components get the same configuration,
/// limits and denial reports.
///
/// The `async` runs execute guest code on ``executor``'s threads, never on Swift's cooperative
/// pool, and stop the guest when the awaiting task is cancelled; the synchronous
/// ``run(_:denialSink:interrupter:)`` runs it on the calling thread.
public struct PluginHost: Sendable {
    public let plugin: Plugin
    public let programName: String
    public let maxConcurrentRuns: Int
    /// The warm instances of a module plugin; `nil` for a component or with reuse off.
    public let instancePool: WASIInstancePool?
    /// The warm instances of a component plugin; `nil` for a module or with reuse off.
    public let componentPool: WASIComponentPool?
    /// Where the `async` runs execute guest code.
    public let executor: GuestExecutor
    /// How each run is reported as metrics and a trace span.
    public let telemetry: RunTelemetry

    /// - Parameter telemetry: The `plugin` dimension and where metrics and spans go; by default
    ///   `programName`, to the process's bootstrapped backends.
    public init(
        plugin: Plugin, programName: String = "plugin.wasm", maxConcurrentRuns: Int = 4, reuse: InstanceReuse? = InstanceReuse(),
        executor: GuestExecutor = .shared, telemetry: RunTelemetry? = nil
    ) {
        self.plugin = plugin
        self.programName = programName
        self.maxConcurrentRuns = max(1, maxConcurrentRuns)
        self.executor = executor
        self.telemetry = telemetry ?? RunTelemetry(plugin: programName)
        instancePool =
            switch (plugin, reuse) {
            case (.module(let module, let entry), let reuse?): WASIInstancePool(module: module, entry: entry, reuse: reuse)
            default: nil
            }
        componentPool =
            switch (plugin, reuse) {
            case (.component(let component, let entry), let reuse?): WASIComponentPool(component: component, entry: entry, reuse: reuse)
            default: nil
            }
    }

    /// A host for a preview 1 module.
    public init(
        module: WASIModule, programName: String = "plugin.wasm", maxConcurrentRuns: Int = 4, reuse: InstanceReuse? = InstanceReuse(),
        executor: GuestExecutor = .shared, telemetry: RunTelemetry? = nil
    ) {
        self.init(
            plugin: .module(module), programName: programName, maxConcurrentRuns: maxConcurrentRuns, reuse: reuse, executor: executor,
            telemetry: telemetry)
    }

    /// Runs the plugin for one tenant on the calling thread.
    ///
    /// - Parameter interrupter: Cancel it from any thread to stop the run.
    public func run(_ tenant: PluginCapabilities, denialSink: DenialSink? = nil, interrupter: Interrupter? = nil) -> PluginRun {
        let span = telemetry.startSpan(tenant: tenant.tenant)
        return finish(span, runNow(tenant, denialSink: denialSink, interrupter: interrupter))
    }

    /// Runs the plugin for one tenant on one of ``executor``'s threads; the awaiting task is
    /// suspended meanwhile, and cancelling it stops the guest (``WASIRunError/cancelled``).
    public func run(_ tenant: PluginCapabilities, denialSink: DenialSink? = nil) async -> PluginRun {
        let span = telemetry.startSpan(tenant: tenant.tenant)
        let interrupter = Interrupter()
        let start = ContinuousClock.now
        do {
            return finish(
                span,
                try await executor.run(cancelling: interrupter) { () throws(WASIRunError) in
                    runNow(tenant, denialSink: denialSink, interrupter: interrupter)
                })
        } catch {
            // Cancelled while waiting for a thread: the guest never started.
            let end = RunEnd(failure: error, startedAt: start)
            return finish(span, PluginRun(tenant: tenant.tenant, outcome: .failure(.guest(error)), report: end.report, denials: end.denials))
        }
    }

    /// One run on the calling thread, measured but not yet reported.
    private func runNow(_ tenant: PluginCapabilities, denialSink: DenialSink?, interrupter: Interrupter?) -> PluginRun {
        let configuration: WASIConfiguration
        do { configuration = try tenant.configuration(programName: programName) } catch {
            return PluginRun(tenant: tenant.tenant, outcome: .failure(.capability(error)), report: nil, denials: [])
        }
        let end =
            switch plugin {
            case .module(let module, let entry):
                if let instancePool {
                    instancePool.runReporting(configuration, owner: tenant.tenant, denialSink: denialSink, interrupter: interrupter)
                } else {
                    WASIRunner.runReporting(module, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter)
                }
            case .component(let component, let entry):
                if let componentPool {
                    componentPool.runReporting(configuration, owner: tenant.tenant, denialSink: denialSink, interrupter: interrupter)
                } else {
                    WASIRunner.runReporting(
                        component, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter)
                }
            }
        return PluginRun(tenant: tenant.tenant, outcome: end.result.mapError { .guest($0) }, report: end.report, denials: end.denials)
    }

    /// Emits `run` through ``telemetry`` and ends its span.
    private func finish(_ span: any Span, _ run: PluginRun) -> PluginRun {
        let failure: PluginRunError? = if case .failure(let error) = run.outcome { error } else { nil }
        telemetry.finish(span, tenant: run.tenant, report: run.report, failure: failure)
        return run
    }

    /// Runs the plugin for every tenant, concurrently, on ``executor``'s threads; results come
    /// back in the tenants' order. Cancelling the awaiting task stops every run.
    ///
    /// At most ``maxConcurrentRuns`` lanes run at once, each handing the executor a few tenants'
    /// runs at a time (``runsPerJob``, or fewer once ``jobLength`` has passed): the hand-over
    /// between threads, which costs as much as a short warm run, is paid once per job, and
    /// another caller's runs waiting for the executor get a thread between two jobs.
    public func run(tenants: [PluginCapabilities], denialSink: DenialSink? = nil) async -> [PluginRun] {
        let queue = TenantQueue(count: tenants.count)
        let start = ContinuousClock.now
        return await withTaskGroup(of: [(Int, PluginRun)].self) { group in
            for _ in 0..<min(maxConcurrentRuns, tenants.count) {
                group.addTask {
                    var runs: [(Int, PluginRun)] = []
                    while !queue.isEmpty {
                        let interrupter = Interrupter()
                        let job: @Sendable () throws(WASIRunError) -> [(Int, PluginRun)] = { () throws(WASIRunError) in
                            var ran: [(Int, PluginRun)] = []
                            let clock = ContinuousClock()
                            let began = clock.now
                            while ran.count < Self.runsPerJob, clock.now - began < Self.jobLength, let index = queue.take() {
                                ran.append((index, self.run(tenants[index], denialSink: denialSink, interrupter: interrupter)))
                            }
                            return ran
                        }
                        // The job itself never throws; a failure here means it never ran.
                        guard let ran = try? await executor.run(cancelling: interrupter, job) else { break }
                        runs += ran
                    }
                    return runs
                }
            }
            var results = [PluginRun?](repeating: nil, count: tenants.count)
            for await runs in group {
                for (index, run) in runs { results[index] = run }
            }
            return results.enumerated().map { index, run in
                run ?? notRun(tenants[index], startedAt: start)
            }
        }
    }

    /// Runs one job hands the executor at most.
    static let runsPerJob = 32
    /// After this long a job takes no further tenant.
    static let jobLength = Duration.milliseconds(10)

    /// A tenant's run that never started (it was cancelled before a thread took it).
    private func notRun(_ tenant: PluginCapabilities, startedAt start: ContinuousClock.Instant) -> PluginRun {
        let end = RunEnd(failure: .cancelled, startedAt: start)
        return finish(
            telemetry.startSpan(tenant: tenant.tenant),
            PluginRun(tenant: tenant.tenant, outcome: .failure(.guest(.cancelled)), report: end.report, denials: end.denials))
    }
}

/// The indices of a batch's tenants not yet taken, shared by its lanes.
private final class TenantQueue: Sendable {
    private let next = Mutex(0)
    private let count: Int

    init(count: Int) {
        self.count = count
    }

    var isEmpty: Bool { next.withLock { $0 >= count } }

    /// The next tenant's index, or `nil` when every one has been taken.
    func take() -> Int? {
        next.withLock { next in
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }
}
