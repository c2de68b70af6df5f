// A Hummingbird server in the same process keeps answering while plugins spin, their guest code off the cooperative pool.
#if Hummingbird
import CapServeHummingbird
import CapStd
import CapWASI
import Hummingbird
import PluginHost
import ServeTestSupport
import Synchronization
import SystemPackage
import Testing
import WAT

@Suite("Hummingbird beside spinning plugins")
struct SpinningPluginsTests {
    @Test("while 8 spinning plugin runs are awaited, the server still answers a static file")
    func answersWhileSpinning() async throws {
        let site = try HostileSite()
        let provider = DirFileProvider(try DirFileProviderTests.open(site, .kernel))
        let spin = "(module (memory (export \"memory\") 1) (func (export \"_start\") (loop $forever (br $forever))))"
        let host = PluginHost(module: try WASIModule(bytes: wat2wasm(spin)), maxConcurrentRuns: 8, reuse: nil)
        let tenants = try (0..<8).map { index in
            PluginCapabilities(
                tenant: "t\(index)", config: try Dir.openAmbient(FilePath(site.publicPath), ambientAuthority()).readOnly(),
                output: try Dir.openAmbient(FilePath(site.publicPath), ambientAuthority()).readOnly(),
                limits: WASILimits(fuel: nil, timeout: .seconds(30)))
        }
        let finished = Flag()
        try await DirFileProviderTests.withServer(FileMiddleware(fileProvider: provider)) { client in
            let spinning = Task {
                let runs = await host.run(tenants: tenants)
                finished.value.store(true, ordering: .relaxed)
                return runs
            }
            try await Task.sleep(for: .milliseconds(200))
            let response = try await client.send("/note.txt")
            #expect(response.status == 200)
            let stillSpinning = !finished.value.load(ordering: .relaxed)
            #expect(stillSpinning, "the plugins stopped before the server answered")
            spinning.cancel()
            let runs = await spinning.value
            #expect(runs.allSatisfy { $0.outcome.failure == .guest(.cancelled) })
        }
    }
}

final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
#endif
