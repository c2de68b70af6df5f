// The example plugins in reused instances: the same results as fresh ones, run after run.
import CapStd
import CapWASI
import PluginHost
import Testing

@Suite("Plugin host instance reuse")
struct ReuseTests {
    /// What a run produced that a tenant or the embedder can see.
    struct Observed: Equatable {
        let exitCode: UInt32
        let stdout: [UInt8]
        let stderr: [UInt8]
        let denials: [Denial]
        let output: [String: [UInt8]]
    }

    /// Runs every tenant, then reads and empties each tenant's output directory.
    static func runRound(_ host: PluginHost, _ farm: TenantFarm, _ tenants: [PluginCapabilities]) async throws -> [Observed] {
        var observed: [Observed] = []
        for run in await host.run(tenants: tenants) {
            let result = try run.outcome.get()
            var files: [String: [UInt8]] = [:]
            for entry in try farm.top.entries(RawPath("\(run.tenant)/output")) {
                let path = RawPath("\(run.tenant)/output/\(entry.name)")
                files[entry.name.description] = try farm.top.read(path)
                try farm.top.removeFile(path)
            }
            observed.append(Observed(
                exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, denials: result.denials, output: files))
        }
        return observed
    }

    @Test(
        "every example plugin gives the same results in reused instances as in fresh ones, module and component",
        arguments: ["report", "probe"], PluginFlavour.allCases)
    func sameAsFresh(_ name: String, _ flavour: PluginFlavour) async throws {
        let farm = try TenantFarm(count: 6)
        let tenants = try farm.capabilities()
        let plugin = try examplePlugin(name, flavour)
        let fresh = PluginHost(plugin: plugin, programName: "\(name).wasm", maxConcurrentRuns: 3, reuse: nil)
        let reused = PluginHost(plugin: plugin, programName: "\(name).wasm", maxConcurrentRuns: 3)
        #expect(fresh.instancePool == nil && fresh.componentPool == nil)
        let expected = try await Self.runRound(fresh, farm, tenants)
        #expect(expected.allSatisfy { $0.exitCode == 0 && !$0.output.isEmpty })
        for round in 1...4 {
            #expect(try await Self.runRound(reused, farm, tenants) == expected, "round \(round)")
        }
        let statistics = try #require(flavour == .module ? reused.instancePool?.statistics : reused.componentPool?.statistics)
        #expect(statistics.reuses == 3 * tenants.count)
        #expect(statistics.instantiations == tenants.count)
        // Idle instances hold nothing of the tenants: once the embedder closes their
        // directories, no descriptor into the farm is left.
        tenants.forEach { $0.config.close(); $0.output.close() }
        #expect(try farm.openDescriptorsInside() == [])
    }

    @Test(
        "a C plugin grows memory at every run's first allocation; a reused instance takes the pages it grew before",
        arguments: [PluginFlavour.module, .component])
    func growthBound(flavour: PluginFlavour) throws {
        let farm = try TenantFarm(count: 1)
        let tenant = try farm.capabilities()[0]
        let host = PluginHost(
            plugin: try examplePlugin("report", flavour), programName: "report.wasm", reuse: InstanceReuse(maxRetainedGrowth: 1 << 20))
        for _ in 0..<500 { #expect(try host.run(tenant).outcome.get().exitCode == 0) }
        // wasi-libc's allocator (and, in the component, the preview 1 adapter) grows memory at
        // every run. Without VirtualMemorySize an instance would keep adding that and be
        // replaced once it had kept 1 MiB (every 5 runs for the module, every 30 or so for the
        // component).
        let statistics = host.instancePool?.statistics ?? host.componentPool?.statistics
        #expect(statistics == .init(instantiations: 1, reuses: 499, discards: 0, idle: 1))
    }

    @Test("a tenant's pooled instance never runs for another tenant")
    func poolsArePerTenant() async throws {
        let farm = try TenantFarm(count: 4)
        let host = PluginHost(plugin: try examplePlugin("report", .module), programName: "report.wasm", maxConcurrentRuns: 1)
        let tenants = try farm.capabilities()
        for tenant in tenants { _ = await host.run(tenant) }
        #expect(host.instancePool?.statistics.reuses == 0)
        #expect(host.instancePool?.statistics.idle == tenants.count)
        for tenant in tenants.reversed() { _ = await host.run(tenant) }
        #expect(host.instancePool?.statistics.reuses == tenants.count)
        #expect(host.instancePool?.statistics.instantiations == tenants.count)
    }

    @Test("a component plugin gets a component pool, and none with reuse off")
    func componentPools() throws {
        let host = PluginHost(plugin: try examplePlugin("report", .component), programName: "report.wasm")
        #expect(host.instancePool == nil)
        #expect(host.componentPool?.notReusableReason == nil)
        #expect(PluginHost(plugin: try examplePlugin("report", .component), programName: "report.wasm", reuse: nil).componentPool == nil)
    }
}
