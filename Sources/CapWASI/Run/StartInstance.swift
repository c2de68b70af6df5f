// One instantiated preview 1 module with its host: runs its entry once, or many times when pooled.
import CapComponent
import WasmKit

/// A module instantiated in its own store, with the WASI host its imports are bound to.
///
/// Used by one run at a time: a one-shot run owns it, and ``WASIInstancePool`` hands it from
/// run to run under its lock (hence `@unchecked Sendable`: WasmKit's `Store` is not, but it is
/// never touched by two threads at once).
final class StartInstance: @unchecked Sendable {
    /// The store, its limits and how a run in it ends, as for a component.
    let run: RunStore
    let host: WASIHost
    let instance: Instance
    var store: Store { run.store }
    var limiter: MemoryLimiter { run.limiter }
    private let entry: ModuleEntryPoints
    /// Whether the store's engine meters fuel; only runs with a budget may use it, and only
    /// they need it.
    let isMetered: Bool
    private var runs = 0
    /// The interrupter of the run in progress, which the module's interrupt points check.
    private let interruption: InterrupterSlot

    /// Instantiates `module` (instrumented, ``InterruptPoints``) for a first run with
    /// `configuration`, stopped by `interrupter` from its start function on.
    ///
    /// - Throws: ``WASIRunError/instantiation(_:)``, ``WASIRunError/memoryLimit(requested:limit:)``
    ///   for a module declaring more memory than the limit, ``WASIRunError/missingStart`` or
    ///   ``WASIRunError/missingExport(_:)`` for a module without `entry`, or the stop of a start
    ///   function that ran past the deadline or was cancelled.
    init(
        _ module: Module, entry: ModuleEntry, configuration: WASIConfiguration, denialSink: DenialSink?, interrupter: Interrupter,
        eager: Bool = false
    ) throws(WASIRunError) {
        isMetered = configuration.limits.fuel != nil
        run = RunStore(limits: configuration.limits, interrupter: interrupter, eager: eager)
        let store = run.store
        interruption = InterrupterSlot(interrupter)
        do { host = try WASIHost(configuration: configuration, sink: denialSink, interrupter: interrupter) } catch {
            throw .instantiation("too many preopens for the descriptor limit (\(error))")
        }
        var imports = Imports()
        host.define(into: &imports, store: store)
        let slot = interruption
        let check = Function(store: store, parameters: [], results: []) { _, _ in
            try slot.check()
            return []
        }
        imports.define(module: InterruptPoints.importModule, name: InterruptPoints.importName, check)
        do { instance = try module.instantiate(store: store, imports: imports) } catch {
            // A module can declare more initial memory than the limit; it never runs. A start
            // function may be stopped.
            switch run.endInstantiation(error) {
            case .failure(let stop): throw stop
            case .success: throw .instantiation("\(error)")
            }
        }
        self.entry = try ModuleEntryPoints(entry, of: instance)
    }

    /// Runs the entry (`_initialize`, then `_start`, `""` or the named function) with
    /// `configuration`, stopped by `interrupter`. A run after the first starts
    /// from a new descriptor table, policy and arguments; its memory, tables and globals are the
    /// caller's to restore. The descriptors a run opened stay open until the next run or
    /// ``WASIHost/closeAll()``.
    func run(
        configuration: WASIConfiguration, denialSink: DenialSink?, interrupter: Interrupter, startedAt start: ContinuousClock.Instant
    ) -> RunEnd {
        if runs > 0 { run.begin(limits: configuration.limits, interrupter: interrupter) }
        let meter = run.meter(from: start)
        let ending: Result<GuestFinish, WASIRunError>
        do {
            ending = .success(try invoke(configuration: configuration, denialSink: denialSink, interrupter: interrupter))
        } catch {
            ending = run.end(error)
        }
        return meter.end(
            ending, peakOpenDescriptors: host.table.peakOpenCount, denials: host.policy.denials, stdout: host.policy.capturedOutput,
            stderr: host.policy.capturedError)
    }

    /// Calls the entry: the exit code and what it returned, or throws what stopped it.
    private func invoke(configuration: WASIConfiguration, denialSink: DenialSink?, interrupter: Interrupter) throws -> GuestFinish {
        if runs > 0 {
            do { try host.begin(configuration: configuration, sink: denialSink, interrupter: interrupter) } catch {
                throw WASIRunError.instantiation("too many preopens for the descriptor limit (\(error))")
            }
            interruption.interrupter = interrupter
        }
        runs += 1
        try run.checkNotStopped()
        try entry.initialize?.invoke()
        guard let (name, function) = entry.main else { return GuestFinish(exitCode: 0) }
        let arguments = try ModuleEntryPoints.values(
            entry.arguments.map { $0[...] } ?? configuration.arguments.dropFirst(), for: function, named: name)
        let returned = try function.invoke(arguments)
        return GuestFinish(exitCode: 0, returnedValues: returned.map(ModuleEntryPoints.text))
    }
}

extension StartInstance {
    /// The payload values of an uncaught exception, from WasmKit's description of it (it keeps
    /// them internal): `wasm exception (payload: [i32(77)])` is `i32(77)`.
    static func payload(of exception: WasmKitException) -> String {
        let description = exception.description
        guard let open = description.firstIndex(of: "["), let close = description.lastIndex(of: "]"), open < close else {
            return description
        }
        return String(description[description.index(after: open)..<close])
    }
}
