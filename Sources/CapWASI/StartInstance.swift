// One instantiated preview 1 module with its host: runs `_start` once, or many times when pooled.
import WasmKit

/// A module instantiated in its own store, with the WASI host its imports are bound to.
///
/// Used by one run at a time: a one-shot run owns it, and ``WASIInstancePool`` hands it from
/// run to run under its lock (hence `@unchecked Sendable`: WasmKit's `Store` is not, but it is
/// never touched by two threads at once).
final class StartInstance: @unchecked Sendable {
    let store: Store
    let host: WASIHost
    let instance: Instance
    let limiter: MemoryLimiter
    private let entry: Function
    /// Whether the store's engine meters fuel; only runs with a budget may use it, and only
    /// they need it.
    let isMetered: Bool
    private var runs = 0

    /// Instantiates `module` for a first run with `configuration`.
    ///
    /// - Throws: ``WASIRunError/instantiation(_:)``, ``WASIRunError/memoryLimit(requested:limit:)``
    ///   for a module declaring more memory than the limit, ``WASIRunError/missingStart``.
    init(_ module: Module, configuration: WASIConfiguration, denialSink: DenialSink?, eager: Bool = false) throws(WASIRunError) {
        isMetered = configuration.limits.fuel != nil
        limiter = MemoryLimiter(limit: configuration.limits.maxMemoryBytes)
        store = Store.limited(engine: WASIRunner.engine(for: configuration.limits, eager: eager), by: limiter)
        do { host = try WASIHost(configuration: configuration, sink: denialSink) } catch {
            throw .instantiation("too many preopens for the descriptor limit (\(error))")
        }
        var imports = Imports()
        host.define(into: &imports, store: store)
        do { instance = try module.instantiate(store: store, imports: imports) } catch let limit as MemoryLimitExceeded {
            // A module can declare more initial memory than the limit; it never runs.
            throw .memoryLimit(requested: limit.requested, limit: limit.limit)
        } catch {
            throw .instantiation("\(error)")
        }
        guard let entry = instance.exports[function: "_start"] else { throw .missingStart }
        self.entry = entry
    }

    /// Runs `_start` with `configuration`. A run after the first starts from a new descriptor
    /// table, policy and arguments; its memory, tables and globals are the caller's to restore.
    /// The descriptors a run opened stay open until the next run or ``WASIHost/closeAll()``.
    func run(
        configuration: WASIConfiguration, denialSink: DenialSink?, startedAt start: ContinuousClock.Instant
    ) throws(WASIRunError) -> WASIRunResult {
        if runs > 0 {
            do { try host.begin(configuration: configuration, sink: denialSink) } catch {
                throw .instantiation("too many preopens for the descriptor limit (\(error))")
            }
            limiter.limit = configuration.limits.maxMemoryBytes
        }
        runs += 1
        if let budget = configuration.limits.fuel { store.fuel = Fuel(remaining: budget) }

        var exitCode: UInt32 = 0
        do {
            try entry.invoke()
        } catch GuestStop.exit(let code) {
            exitCode = code
        } catch GuestStop.timeout {
            throw .timeout(configuration.limits.timeout ?? .zero)
        } catch let limit as MemoryLimitExceeded {
            throw .memoryLimit(requested: limit.requested, limit: limit.limit)
        } catch {
            let description = "\(error)"
            if description.contains("out of fuel"), let budget = configuration.limits.fuel { throw .outOfFuel(budget: budget) }
            throw .trap(description)
        }
        let fuelUsed = configuration.limits.fuel.map { $0 - (store.fuel?.remaining ?? 0) }
        return WASIRunResult(
            exitCode: exitCode, stdout: host.policy.captured[1] ?? [], stderr: host.policy.captured[2] ?? [], denials: host.policy.denials,
            fuelUsed: fuelUsed, wallTime: start.duration(to: .now))
    }
}
