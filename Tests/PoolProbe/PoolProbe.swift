// Measures, in a process of its own, how long 100 sleeps of 10 ms on Swift's cooperative pool
// take while 8 spinning plugin runs are awaited. Its own process, so that no other test's work on
// the pool is in the figure.
//
//   pool-probe   prints probe_ms=<milliseconds> cancelled=<runs that ended cancelled>
import CapStd
import CapWASI
import Glibc
import PluginHost
import SystemPackage
import TestSupport
import WAT

@main
struct PoolProbe {
    /// Spins forever in its start function.
    static let spin = #"(module (memory (export "memory") 1) (func (export "_start") (loop $forever (br $forever))))"#

    static func main() async throws {
        let tree = try TemporaryTree(prefix: "capsule-pool")
        let top = tree.dir
        defer { withExtendedLifetime(tree) {} }
        // The default executor: as many guests spin as there are cores, the others wait for a
        // thread; all eight are awaited. The timeout only ends runs that cancelling failed to stop.
        let host = PluginHost(module: try WASIModule(bytes: wat2wasm(spin)), maxConcurrentRuns: 8, reuse: nil)
        let tenants = try (0..<8).map { index in
            PluginCapabilities(
                tenant: "t\(index)", config: try top.readOnly(), output: try top.readOnly(), limits: WASILimits(fuel: nil, timeout: .seconds(30)))
        }
        let spinning = Task { await host.run(tenants: tenants) }
        try await Task.sleep(for: .milliseconds(200))
        // Detached, on the cooperative pool; each sleep's continuation and a new task need a
        // pool thread, which guest code holding the pool's threads would keep from them.
        let milliseconds = try await Task.detached {
            let start = ContinuousClock.now
            for _ in 0..<100 {
                try await Task.sleep(for: .milliseconds(10))
                await Task.detached {}.value
            }
            let elapsed = start.duration(to: .now)
            return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        }.value
        spinning.cancel()
        let runs = await spinning.value
        for tenant in tenants {
            tenant.config.close()
            tenant.output.close()
        }
        let cancelled = runs.filter { if case .failure(.guest(.cancelled)) = $0.outcome { true } else { false } }.count
        print("probe_ms=\(milliseconds) cancelled=\(cancelled)")
    }
}
