// Running a component again and again in warm instances, every core instance put back between runs.
import CapComponent
import Logging
import Synchronization
import WasmKit

/// Runs one WASI 0.2 component many times, reusing instances instead of creating one per run:
/// ``WASIInstancePool`` for components, with the same guarantees and the same machinery.
///
/// The component is rewritten once, here, so that each of its core modules (the program's, the
/// preview 1 adapter's, the shims') exports all of its mutable state. Between runs every core
/// instance is put back to the state the component's instantiation left it in (every memory,
/// table element and mutable global), every handle table is emptied, and the WASI 0.2 host
/// starts a new resource table, configuration, streams, limits and denial reports. When one
/// core module defines the component's memory (the program's, which the adapter imports), the
/// guest's `memory.size` and `memory.grow`, in every core module, answer from a size kept in
/// that module and put back with it (`VirtualMemorySize`), as in a ``WASIInstancePool``.
/// ``InstanceReuse`` says who may get which instance and what stays observable. What an instance
/// is put back to is read from its memories once, when it is made; an instance whose
/// instantiation called no lowered function (no start function asked the host anything)
/// takes it from the first such instance instead, since the component's bytes alone made both.
///
/// A run that traps, runs out of fuel, passes its time limit or its memory limit discards its
/// instance, as does a run whose tables grew or whose memory grew past
/// ``InstanceReuse/maxRetainedGrowth`` (with ``InstanceReuse/reservesGrowth``, past what was
/// grown for it before its first run); a guest's `wasi:cli/exit` does not. A component whose
/// state cannot be put back (a core module with passive segments) runs in a fresh instance
/// every time; ``notReusableReason`` says why.
///
/// Thread safety: `run` may be called from any number of tasks at once; each run has an
/// instance of its own.
public final class WASIComponentPool: Sendable {
    /// The component as the embedder gave it; instances run a rewritten copy.
    public let component: WASIComponent
    /// What each run calls.
    public let entry: ComponentEntry
    /// Who may get which instance, and how many are kept.
    public let reuse: InstanceReuse
    /// Why this component's instances are never reused, or `nil` when they are.
    public let notReusableReason: String?
    private let reusable: Component?
    private let pool: InstancePool<PooledComponent>
    /// The memory images of each core instance, taken from the first instance whose
    /// instantiation made no lowered call, for every later such instance: each begins in the
    /// same state, so a new instance is not scanned again.
    private let sharedImages = Mutex<[[MemoryImage]]?>(nil)

    /// A pool for `component`, whose runs call `entry`.
    public init(component: WASIComponent, entry: ComponentEntry = .command, reuse: InstanceReuse = InstanceReuse()) {
        self.component = component
        self.entry = entry
        self.reuse = reuse
        pool = InstancePool(reuse: reuse)
        do {
            reusable = try component.component.reusable()
            notReusableReason = nil
        } catch {
            reusable = nil
            notReusableReason = "instances of this component cannot be reused: \(error)"
        }
    }

    /// The pool's counts so far.
    public var statistics: WASIInstancePool.Statistics { pool.statistics }

    /// Runs the entry with `configuration` in an idle instance of `owner` (any owner's, with
    /// ``InstanceReuse/acrossOwners``), or in a new one, on the calling thread. Every resource
    /// the run opened is closed when this returns or throws; preopened `Dir`s stay the
    /// embedder's. A run stopped by its deadline or a cancellation discards its instance.
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
        guard let reusable else {
            return WASIRunner.runReporting(
                component, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter)
        }
        let interrupter = WASIRunner.interrupter(for: configuration.limits, startingAt: start, following: interrupter)
        return pool.run(configuration, owner: owner, denialSink: denialSink, interrupter: interrupter, startedAt: start) {
            let started = StartComponent(
                reusable, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter,
                eager: reuse.eagerTranslation)
            if let ended = started.instantiate() {
                defer { started.host.closeAll() }
                return .ended(started.end(ended, startedAt: start))
            }
            do throws(StateExports.NotReusable) {
                let pooled = try PooledComponent(
                    started, images: sharedImages.withLock { $0 }, reserving: reuse.reservation)
                if let images = pooled.shareableImages { sharedImages.withLock { $0 = $0 ?? images } }
                return .made(pooled)
            } catch {
                // An instance that cannot be put back runs once.
                defer { started.host.closeAll() }
                return .ended(
                    started.run(configuration: configuration, denialSink: denialSink, interrupter: interrupter, startedAt: start))
            }
        }
    }

    /// Drops every idle instance of `owner` (of every owner when `nil`), for example when a
    /// tenant leaves.
    public func removeIdle(owner: String? = nil) {
        pool.removeIdle(owner: owner)
    }

    /// Whether every idle instance is in its just-instantiated state with no resource open (a
    /// full comparison, for tests).
    var idleInstancesArePristine: Bool { pool.idleInstancesArePristine }

    /// Whether new instances take the memory images of an earlier one (for tests).
    var sharesMemoryImages: Bool { sharedImages.withLock { $0 != nil } }
}

/// A pooled component instance and the state of each of its core instances to put back.
private final class PooledComponent: PooledInstance, @unchecked Sendable {
    let start: StartComponent
    private let instance: ComponentInstance
    private var snapshots: [InstanceSnapshot]
    private let tableGrowthsAtSnapshot: Int
    private let isMetered: Bool
    /// The host resources instantiation made, which every run remakes.
    private let resources: [HostResource.Recipe?]

    /// The memory images of every core instance, for later instances to share; `nil` when
    /// instantiation made a lowered call, so that another instantiation may leave other state
    /// (a start function that asked the host for its arguments or a random number, say).
    let shareableImages: [[MemoryImage]]?

    /// The bytes of memory grown ahead of the first run (`nil`: they could not be).
    private let reserved: Int?

    /// Snapshots every core instance of `start`'s instance, just instantiated, taking the
    /// memories' images from `images` (one list per core instance) when its instantiation
    /// made no lowered call; then grows the memory by `reserving` bytes past its guest's size
    /// (``InstanceReuse/reservesGrowth``).
    init(_ start: StartComponent, images: [[MemoryImage]]?, reserving: Int) throws(StateExports.NotReusable) {
        guard let instance = start.instance else { throw .init(reason: "the component was not instantiated") }
        guard let resources = start.instantiationResources else {
            throw .init(reason: "its instantiation made a host resource no other run can be given (a file, say)")
        }
        self.resources = resources
        self.start = start
        self.instance = instance
        let independent = !instance.instantiationMadeLoweredCalls
        let images = independent && images?.count == instance.coreInstances.count ? images : nil
        snapshots = try instance.coreInstances.enumerated().map { index, core throws(StateExports.NotReusable) in
            guard let state = core.state else { throw .init(reason: "a core instance has no state exports") }
            return try InstanceSnapshot(of: core.instance, exports: state, images: images?[index])
        }
        shareableImages = independent ? snapshots.map(\.images) : nil
        tableGrowthsAtSnapshot = start.run.limiter.tableGrowthCount
        isMetered = start.run.limits.fuel != nil
        var reserved: Int? = 0
        if reserving > 0 {
            // Only the core instance that defines the memory has the `grow` to reserve with.
            for index in snapshots.indices {
                let grown = snapshots[index].reserveGrowth(
                    reserving, in: instance.coreInstances[index].instance, limit: start.run.limiter.limit)
                reserved = grown.flatMap { grown in reserved.map { $0 + grown } }
            }
        }
        self.reserved = reserved
    }

    func run(
        configuration: WASIConfiguration, denialSink: DenialSink?, interrupter: Interrupter, startedAt instant: ContinuousClock.Instant
    ) -> RunEnd {
        start.run(configuration: configuration, denialSink: denialSink, interrupter: interrupter, startedAt: instant)
    }

    func finish() {
        start.host.finish()
    }

    func restore(keeping reuse: InstanceReuse) -> Bool {
        guard start.run.limiter.tableGrowthCount == tableGrowthsAtSnapshot,
            reuse.keeps(grown: snapshots.reduce(0, { $0 + $1.grownBytes }), reserved: reserved), instance.resetForReuse()
        else { return false }
        for index in snapshots.indices { snapshots[index].restore(keepingResident: reuse.keptResident) }
        return true
    }

    func fits(_ configuration: WASIConfiguration) -> Bool {
        let limits = configuration.limits
        // A few preopens at most: searched in place, with nothing built for each check.
        return isMetered == (limits.fuel != nil) && snapshots.reduce(0, { $0 + $1.memoryBytes }) <= limits.maxMemoryBytes
            && resources.allSatisfy { resource in
                guard case .preopen(let name)? = resource else { return true }
                return configuration.preopens.contains { $0.guestPath == name }
            }
    }

    /// Pristine: every core instance as instantiated, and no host resource held (each run
    /// remakes those instantiation made).
    var isPristine: Bool { snapshots.allSatisfy(\.isPristine) && start.host.resources.count == 0 }
}
