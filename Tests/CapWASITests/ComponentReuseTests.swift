// Warm component instances: a run in a reused instance sees nothing of the runs before it, in any of its core instances.
@testable import CapWASI
import Testing
import TestSupport

@Suite("Component instance reuse")
struct ComponentReuseTests {
    /// What keeper.wasm's scan found: a bit per kind of leftover (see Components/keeper.wat).
    static func found(_ result: WASIRunResult) throws -> UInt8 {
        #expect(result.stdout.count == 1, "\(result.stdout)")
        return try #require(result.stdout.first) - UInt8(ascii: "0")
    }

    static func run(_ mode: String, _ pool: WASIComponentPool, owner: String = "a") throws -> WASIRunResult {
        try pool.run(WASIConfiguration(arguments: ["keeper", mode]), owner: owner, denialSink: nil)
    }

    @Test("the control: planting and scanning in one run shows every kind of leftover")
    func control() throws {
        let keeper = try testComponent("keeper")
        let both = try WASIRunner.run(keeper, entry: .function("run"), configuration: WASIConfiguration(arguments: ["keeper", "both"]))
        // Memory, the hidden global, the table slot, the handle left open and the grown memory.size.
        #expect(try Self.found(both) == 1 | 2 | 4 | 16 | 32)
        let scan = try WASIRunner.run(keeper, entry: .function("run"), configuration: WASIConfiguration(arguments: ["keeper", "scan"]))
        #expect(try Self.found(scan) == 0)
    }

    @Test("a reused instance shows nothing of the run before it, for its owner or, across owners, another's")
    func reusedInstanceIsClean() throws {
        for acrossOwners in [false, true] {
            let pool = WASIComponentPool(
                component: try testComponent("keeper"), entry: .function("run"), reuse: InstanceReuse(acrossOwners: acrossOwners))
            #expect(pool.notReusableReason == nil)
            _ = try Self.run("plant", pool, owner: "a")
            #expect(try Self.found(try Self.run("scan", pool, owner: acrossOwners ? "b" : "a")) == 0)
            #expect(pool.statistics == .init(instantiations: 1, reuses: 1, discards: 0, idle: 1))
            #expect(pool.idleInstancesArePristine)
        }
    }

    @Test("with growth reserved, an instance a tenant grew is kept and shows the next tenant nothing; past the reservation it is not")
    func reservedGrowth() throws {
        for (reserved, kept) in [(1 << 20, true), (0, false)] {
            let pool = WASIComponentPool(
                component: try testComponent("keeper"), entry: .function("run"), reuse: .indistinguishable(maxRetainedGrowth: reserved))
            // plant grows the memory by a page: the reserved megabyte holds it, no reservation does not.
            _ = try Self.run("plant", pool, owner: "a")
            #expect(pool.statistics == .init(instantiations: 1, reuses: 0, discards: kept ? 0 : 1, idle: kept ? 1 : 0), "\(reserved)")
            #expect(try Self.found(try Self.run("scan", pool, owner: "b")) == 0)
            #expect(pool.statistics.reuses == (kept ? 1 : 0))
            #expect(pool.idleInstancesArePristine)
        }
    }

    @Test("instances of one owner each: they share the first one's memory images, and each is put back to them")
    func sharedImages() throws {
        let pool = WASIComponentPool(component: try testComponent("keeper"), entry: .function("run"))
        for owner in ["a", "b", "c"] {
            _ = try Self.run("plant", pool, owner: owner)
            #expect(pool.sharesMemoryImages)
        }
        for owner in ["a", "b", "c"] { #expect(try Self.found(try Self.run("scan", pool, owner: owner)) == 0, "\(owner)") }
        #expect(pool.statistics == .init(instantiations: 3, reuses: 3, discards: 0, idle: 3))
        #expect(pool.idleInstancesArePristine)
    }

    @Test("an instance whose instantiation asked the host for something keeps its own memory image, never another's")
    func instantiationCallingTheHost() throws {
        // seeded.wasm's start function keeps a random number from the host; run prints it.
        let pool = WASIComponentPool(component: try testComponent("seeded"), entry: .function("run"))
        func run(_ owner: String) throws -> [UInt8] {
            let stdout = try pool.run(WASIConfiguration(), owner: owner, denialSink: nil).stdout
            #expect(stdout.count == 8)
            return stdout
        }
        let owners = ["a", "b", "c"]
        let first = try owners.map(run)
        // The control: each instance began with a number of its own, which an image shared from
        // the first instance would replace when the instance is put back.
        #expect(Set(first).count == owners.count)
        #expect(!pool.sharesMemoryImages)
        #expect(try owners.map(run) == first)
        #expect(pool.statistics == .init(instantiations: 3, reuses: 3, discards: 0, idle: 3))
        #expect(pool.idleInstancesArePristine)
    }

    @Test("200 reused runs, planting and scanning in turn: every scan is clean, one instance serves them all")
    func manyRuns() throws {
        let pool = WASIComponentPool(component: try testComponent("keeper"), entry: .function("run"))
        for round in 0..<100 {
            _ = try Self.run("plant", pool)
            #expect(try Self.found(try Self.run("scan", pool)) == 0, "round \(round)")
        }
        #expect(pool.statistics == .init(instantiations: 1, reuses: 199, discards: 0, idle: 1))
        #expect(pool.idleInstancesArePristine)
    }

    @Test("a trap, a stop or an exit: the first two discard the instance, an exit keeps it")
    func discards() throws {
        let pool = WASIComponentPool(component: try testComponent("keeper"), entry: .function("run"))
        // No argv[1]: keeper traps.
        #expect(throws: WASIRunError.self) { try pool.run(WASIConfiguration(arguments: ["keeper"]), owner: "a", denialSink: nil) }
        #expect(pool.statistics.discards == 1)
        #expect(try Self.found(try Self.run("scan", pool)) == 0)
        #expect(pool.statistics == .init(instantiations: 2, reuses: 0, discards: 1, idle: 1))

        let limits = WASIComponentPool(component: try testComponent("limits"), entry: .function("exit-err"))
        for _ in 0..<3 {
            #expect(try limits.run(WASIConfiguration(), owner: "a", denialSink: nil).exitCode == 1)
        }
        #expect(limits.statistics == .init(instantiations: 1, reuses: 2, discards: 0, idle: 1))
        let spin = WASIComponentPool(component: try testComponent("limits"), entry: .function("spin"))
        let stopped = WASIConfiguration(limits: WASILimits(timeout: .milliseconds(50)))
        #expect(throws: WASIRunError.timeout(.milliseconds(50))) { try spin.run(stopped, owner: "a", denialSink: nil) }
        #expect(spin.statistics == .init(instantiations: 1, reuses: 0, discards: 1, idle: 0))
    }

    @Test("cancelling the task awaiting a pooled component's run stops it and discards the instance")
    func cancellation() async throws {
        let pool = WASIComponentPool(component: try testComponent("limits"), entry: .function("spin"))
        let task = Task { try await pool.run(WASIConfiguration(limits: WASILimits(timeout: nil)), owner: "a", denialSink: nil) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: WASIRunError.cancelled) { try await task.value }
        // Stopped while it ran, its instance is discarded; cancelled before it began (a busy
        // executor), it never instantiated. Either way nothing is kept.
        let statistics = pool.statistics
        #expect(statistics.idle == 0 && statistics.reuses == 0 && statistics.discards == statistics.instantiations)
    }

    @Test("what a reused instance runs gives what a fresh one gives")
    func sameAsFresh() throws {
        let limits = try testComponent("limits")
        let pool = WASIComponentPool(component: limits, entry: .function("hello"))
        let fresh = try WASIRunner.run(limits, entry: .function("hello"), configuration: WASIConfiguration())
        for _ in 0..<3 {
            let reused = try pool.run(WASIConfiguration(), owner: "a", denialSink: nil)
            #expect(reused.stdout == fresh.stdout)
            #expect(reused.exitCode == fresh.exitCode)
        }
        #expect(pool.statistics.reuses == 2)
    }
}
