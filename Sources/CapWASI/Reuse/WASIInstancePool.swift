// Running a module again and again in warm instances, put back between runs.
import CapComponent
import Logging
import Synchronization
import WasmKit

/// Runs one preview 1 module many times, reusing instances instead of creating one per run.
///
/// WasmKit translates each function of an instance on its first call, and that translation
/// belongs to the instance: most of a short run is spent there. A pool keeps instances after
/// their runs and puts each back to the state instantiation left it in (every memory, table
/// element and mutable global, including the stack pointer a C toolchain does not export), with
/// a new descriptor table, arguments, environment, streams, limits and denial reports per run.
/// ``InstanceReuse`` says who may get which instance and what stays observable.
///
/// A run that traps, runs out of fuel, passes its time limit or its memory limit discards its
/// instance, as does a run whose tables grew or whose memory grew past
/// ``InstanceReuse/maxRetainedGrowth`` (with ``InstanceReuse/reservesGrowth``, past what was
/// grown for it before its first run). The guest's `memory.size` and `memory.grow` answer
/// from a size the instance keeps apart from its memory's (`VirtualMemorySize`),
/// put back with the rest, so a reused instance reports the size a fresh one does and a run's
/// growth takes pages an earlier run grew. A module whose state cannot be put back (it imports a
/// memory, table or global, or has passive segments) runs in a fresh instance every time;
/// ``notReusableReason`` says why.
///
/// Thread safety: `run` may be called from any number of tasks at once; each run has an
/// instance of its own.
public final class WASIInstancePool: Sendable {
    /// The module as the embedder gave it; instances run a rewritten copy.
    public let module: WASIModule
    /// What each run calls.
    public let entry: ModuleEntry
    /// Who may get which instance, and how many are kept.
    public let reuse: InstanceReuse
    /// Why this module's instances are never reused, or `nil` when they are.
    public let notReusableReason: String?
    private let prepared: (module: Module, exports: StateExports)?
    private let pool: InstancePool<PooledModule>
    /// The memory images every instance starts from, taken from the first instance, when the
    /// module has no start function to make instances differ.
    private let sharedImages = Mutex<[MemoryImage]?>(nil)

    /// What a pool has done so far.
    public struct Statistics: Sendable, Equatable {
        /// Instances created (each one run's worth of translation).
        public var instantiations = 0
        /// Runs that got an instance an earlier run had used.
        public var reuses = 0
        /// Instances dropped after a run: it failed, grew too much, or the pool was full.
        public var discards = 0
        /// Instances waiting for a run now.
        public var idle = 0

        public init(instantiations: Int = 0, reuses: Int = 0, discards: Int = 0, idle: Int = 0) {
            (self.instantiations, self.reuses, self.discards, self.idle) = (instantiations, reuses, discards, idle)
        }
    }

    /// The pool's counts so far.
    public var statistics: Statistics { pool.statistics }

    /// A pool for `module`, whose runs call `entry`. The module is rewritten once, here, to
    /// export its hidden state.
    public init(module: WASIModule, entry: ModuleEntry = .command, reuse: InstanceReuse = InstanceReuse()) {
        self.module = module
        self.entry = entry
        self.reuse = reuse
        pool = InstancePool(reuse: reuse)
        // The guest's memory size kept apart from the memory's (``VirtualMemorySize``), then
        // every part of the state exported. A module the first rewrite cannot read (WasmKit
        // parsed it, so none is known) keeps its real size: growth an earlier run left shows.
        let sized = (try? VirtualMemorySize.rewrite(module.bytes)) ?? module.bytes
        let rewritten: (bytes: [UInt8], exports: StateExports)
        do { rewritten = try StateExports.rewrite(sized) } catch {
            prepared = nil
            notReusableReason = "instances of this module cannot be reused: \(error)"
            return
        }
        do {
            prepared = (try parseWasm(bytes: rewritten.bytes), rewritten.exports)
            notReusableReason = nil
        } catch {
            prepared = nil
            notReusableReason = "instances of this module cannot be reused: the rewritten module does not parse (\(error))"
        }
    }

    /// Runs the entry with `configuration` in an idle instance of `owner` (any owner's, with
    /// ``InstanceReuse/acrossOwners``), or in a new one, on the calling thread. Every
    /// descriptor the run opened is closed when this returns or throws; preopened `Dir`s stay
    /// the embedder's. A run stopped by its deadline or a cancellation discards its instance.
    ///
    /// - Parameters:
    ///   - owner: Whose data the run handles, usually the tenant's name.
    ///   - interrupter: Cancel it from any thread to stop the run (``WASIRunError/cancelled``);
    ///     its deadline, if it has one, applies as well as ``WASILimits/timeout``.
    public func run(
        _ configuration: WASIConfiguration, owner: String,
        denialSink: DenialSink? = Denial.logging(to: Logger(label: "capsule.wasi")), interrupter: Interrupter? = nil
    ) throws(WASIRunError) -> WASIRunResult {
        try runReporting(configuration, owner: owner, denialSink: denialSink, interrupter: interrupter).result.get()
    }

    /// ``run(_:owner:denialSink:interrupter:)``, with the report of a failed run too.
    package func runReporting(
        _ configuration: WASIConfiguration, owner: String, denialSink: DenialSink?, interrupter: Interrupter?
    ) -> RunEnd {
        let start = ContinuousClock.now
        guard let prepared else {
            return WASIRunner.runReporting(
                module, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter)
        }
        let interrupter = WASIRunner.interrupter(for: configuration.limits, startingAt: start, following: interrupter)
        return pool.run(configuration, owner: owner, denialSink: denialSink, interrupter: interrupter, startedAt: start) {
            let images = sharedImages.withLock { $0 }
            let instance: PooledModule
            do throws(WASIRunError) {
                instance = try PooledModule(
                    prepared, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter,
                    eager: reuse.eagerTranslation, images: images, reserving: reuse.reservation)
            } catch {
                return .ended(RunEnd(failure: error, startedAt: start))
            }
            if images == nil && !prepared.exports.hasStartFunction {
                sharedImages.withLock { $0 = instance.snapshot.images }
            }
            return .made(instance)
        }
    }

    /// Drops every idle instance of `owner` (of every owner when `nil`), for example when a
    /// tenant leaves.
    public func removeIdle(owner: String? = nil) {
        pool.removeIdle(owner: owner)
    }

    /// Whether every idle instance is in its just-instantiated state with an empty descriptor
    /// table (a full comparison, for tests).
    var idleInstancesArePristine: Bool { pool.idleInstancesArePristine }
}

/// A pooled module instance and the state to put it back to.
private final class PooledModule: PooledInstance, @unchecked Sendable {
    let start: StartInstance
    private(set) var snapshot: InstanceSnapshot
    private let tableGrowthsAtSnapshot: Int
    /// The bytes of memory grown ahead of the first run (`nil`: they could not be).
    private let reserved: Int?

    /// Instantiates and snapshots the module, then grows its memory by `reserving` bytes past
    /// its guest's size (``InstanceReuse/reservesGrowth``).
    init(
        _ prepared: (module: Module, exports: StateExports), entry: ModuleEntry, configuration: WASIConfiguration,
        denialSink: DenialSink?, interrupter: Interrupter, eager: Bool, images: [MemoryImage]?, reserving: Int
    ) throws(WASIRunError) {
        start = try StartInstance(
            prepared.module, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter, eager: eager)
        do { snapshot = try InstanceSnapshot(of: start.instance, exports: prepared.exports, images: images) } catch {
            throw .instantiation("cannot snapshot the instance: \(error)")
        }
        tableGrowthsAtSnapshot = start.limiter.tableGrowthCount
        reserved = reserving > 0 ? snapshot.reserveGrowth(reserving, in: start.instance, limit: start.limiter.limit) : 0
    }

    func run(
        configuration: WASIConfiguration, denialSink: DenialSink?, interrupter: Interrupter, startedAt instant: ContinuousClock.Instant
    ) -> RunEnd {
        start.run(configuration: configuration, denialSink: denialSink, interrupter: interrupter, startedAt: instant)
    }

    func finish() {
        start.host.finish()
    }

    var isPristine: Bool { snapshot.isPristine && start.host.table.openCount == 0 }

    func restore(keeping reuse: InstanceReuse) -> Bool {
        guard start.limiter.tableGrowthCount == tableGrowthsAtSnapshot, reuse.keeps(grown: snapshot.grownBytes, reserved: reserved)
        else { return false }
        snapshot.restore(keepingResident: reuse.keptResident)
        return true
    }

    func fits(_ configuration: WASIConfiguration) -> Bool {
        let limits = configuration.limits
        return start.isMetered == (limits.fuel != nil) && snapshot.memoryBytes <= limits.maxMemoryBytes
    }
}
