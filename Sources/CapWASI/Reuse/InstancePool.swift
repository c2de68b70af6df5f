// What every pool of warm instances shares, module or component: the idle instances by owner, and one run's way through the pool.
import CapComponent
import Synchronization

/// An instance a pool keeps between runs: a module's (``WASIInstancePool``) or a component's
/// (``WASIComponentPool``).
protocol PooledInstance: AnyObject, Sendable {
    /// Runs the entry with `configuration`, stopped by `interrupter`.
    func run(configuration: WASIConfiguration, denialSink: DenialSink?, interrupter: Interrupter, startedAt: ContinuousClock.Instant) -> RunEnd
    /// Closes what the run opened and lets go of its configuration, output and denials.
    func finish()
    /// Puts the instance back for another run; `false` when it cannot be (a table grew, a call
    /// is still inside it) or `reuse` does not keep it (``InstanceReuse/keeps(grown:reserved:)``).
    func restore(keeping reuse: InstanceReuse) -> Bool
    /// Whether a run with `configuration` may use this instance: the same metering, memory
    /// within its limit, and for a component the preopens its instantiation took.
    func fits(_ configuration: WASIConfiguration) -> Bool
    /// Whether the instance is in its just-instantiated state with nothing open (a full
    /// comparison, for tests).
    var isPristine: Bool { get }
}

/// The instances of one pool and its counts, and the way a run goes through it.
final class InstancePool<Pooled: PooledInstance>: Sendable {
    let reuse: InstanceReuse
    private let state = Mutex(PoolState<Pooled>())

    init(reuse: InstanceReuse) {
        self.reuse = reuse
    }

    var statistics: WASIInstancePool.Statistics { state.withLock { $0.statistics } }

    /// A new instance, or the end of a run that has none to keep (it could not be made, or
    /// ran once in an instance that cannot be put back).
    enum Creation {
        case made(Pooled)
        case ended(RunEnd)
    }

    /// Runs in an idle instance of `owner` (any owner's, with ``InstanceReuse/acrossOwners``),
    /// or in a new one `create` makes; keeps the instance after a run that succeeded and could
    /// be put back.
    func run(
        _ configuration: WASIConfiguration, owner: String, denialSink: DenialSink?, interrupter: Interrupter,
        startedAt start: ContinuousClock.Instant, create: () -> Creation
    ) -> RunEnd {
        let key = reuse.acrossOwners ? "" : owner
        let instance: Pooled
        if let idle = state.withLock({ $0.checkOut(key, fitting: configuration) }) {
            instance = idle
        } else {
            switch create() {
            case .made(let created): instance = created
            case .ended(let end): return end
            }
            state.withLock { $0.statistics.instantiations += 1 }
        }
        let end = instance.run(configuration: configuration, denialSink: denialSink, interrupter: interrupter, startedAt: start)
        instance.finish()
        let keep = if case .success = end.result { instance.restore(keeping: reuse) } else { false }
        // What the lock hands back is freed after it is released: freeing a store takes a while.
        _ = state.withLock { state in
            guard keep else {
                state.statistics.discards += 1
                return [instance]
            }
            return state.checkIn(instance, key, reuse)
        }
        return end
    }

    /// Drops every idle instance of `owner` (of every owner when `nil`).
    func removeIdle(owner: String?) {
        _ = state.withLock { $0.remove(owner.map { reuse.acrossOwners ? "" : $0 }) }
    }

    /// Whether every idle instance is pristine (for tests).
    var idleInstancesArePristine: Bool {
        state.withLock { $0.idle.values.joined().allSatisfy(\.isPristine) }
    }
}

/// The idle instances by owner, least recently used owner first.
struct PoolState<Pooled: PooledInstance> {
    var idle: [String: [Pooled]] = [:]
    var recency: [String] = []
    var statistics = WASIInstancePool.Statistics()

    /// An idle instance of `key` that a run with `configuration` may use; others of `key` that do not
    /// fit are dropped.
    mutating func checkOut(_ key: String, fitting configuration: WASIConfiguration) -> Pooled? {
        defer {
            if idle[key]?.isEmpty == true { forget(key) }
        }
        while let instance = idle[key]?.popLast() {
            statistics.idle -= 1
            if instance.fits(configuration) {
                statistics.reuses += 1
                return instance
            }
            statistics.discards += 1
        }
        return nil
    }

    /// Keeps `instance` for `key` if there is room; returns the instances to free (it, when
    /// there is none, or the least recently used owner's).
    mutating func checkIn(_ instance: Pooled, _ key: String, _ reuse: InstanceReuse) -> [Pooled] {
        guard reuse.owners > 0, idle[key, default: []].count < reuse.idleInstancesPerOwner else {
            statistics.discards += 1
            return [instance]
        }
        idle[key, default: []].append(instance)
        statistics.idle += 1
        recency.removeAll { $0 == key }
        recency.append(key)
        var dropped: [Pooled] = []
        while recency.count > reuse.owners {
            dropped += remove(recency[0])
        }
        return dropped
    }

    /// Takes the idle instances of `key` (of every owner when `nil`) out of the pool.
    mutating func remove(_ key: String?) -> [Pooled] {
        var dropped: [Pooled] = []
        for key in key.map({ [$0] }) ?? Array(idle.keys) {
            dropped += idle[key] ?? []
            forget(key)
        }
        statistics.idle -= dropped.count
        statistics.discards += dropped.count
        return dropped
    }

    private mutating func forget(_ key: String) {
        idle.removeValue(forKey: key)
        recency.removeAll { $0 == key }
    }
}
