// A tenant whose run never ends is stopped at its deadline; the other tenants' runs complete.
import CapStd
import CapWASI
import PluginHost
import Testing
import TestSupport
import WAT

@Suite("Tenant deadlines")
struct TenantDeadlineTests {
    /// Exits 0, unless given two arguments after the program name: then spins forever.
    static let spinsOnRequest = """
        (module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
            (if (i32.eq (i32.load (i32.const 0)) (i32.const 3)) (then (loop $forever (br $forever))))
            (call $exit (i32.const 0))))
        """

    @Test("the spinning tenant's run ends in timeout, pooled or fresh, and every other tenant's completes")
    func spinningTenant() async throws {
        let farm = try TenantFarm(count: 4)
        var tenants = try farm.capabilities()
        for index in tenants.indices {
            tenants[index].limits = WASILimits(timeout: .milliseconds(500))
        }
        tenants[1].arguments = ["spin", "forever"]
        let module = try WASIModule(bytes: wat2wasm(Self.spinsOnRequest))
        let before = try farm.openDescriptorsInside()
        for reuse in [InstanceReuse(), nil] {
            let host = PluginHost(module: module, maxConcurrentRuns: 2, reuse: reuse)
            let runs = await host.run(tenants: tenants)
            for (index, run) in runs.enumerated() {
                if index == 1 {
                    #expect(run.outcome.failure == .guest(.timeout(.milliseconds(500))), "\(run.tenant): \(run.outcome)")
                } else {
                    #expect((try? run.outcome.get().exitCode) == 0, "\(run.tenant): \(run.outcome)")
                }
            }
            #expect(try farm.openDescriptorsInside() == before)
        }
    }

    @Test("cancelling the task awaiting every tenant's run stops the spinning one")
    func cancelTenants() async throws {
        let farm = try TenantFarm(count: 2)
        var tenants = try farm.capabilities()
        tenants[0].arguments = ["spin", "forever"]
        tenants[0].limits.timeout = nil
        let host = PluginHost(module: try WASIModule(bytes: wat2wasm(Self.spinsOnRequest)))
        let task = Task { await host.run(tenants: tenants) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let runs = await task.value
        #expect(runs[0].outcome.failure == .guest(.cancelled))
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
