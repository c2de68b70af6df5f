// A componentize-py app (Examples/PythonPlugin) as a WASI 0.2 component: CPython reading /config
// and writing /output through Capsule's host. The 18 MB component is built by a script, not
// checked in, so this test runs only where it has been built.
import CapStd
import CapWASI
import SystemPackage
import TestSupport
import Testing

enum PythonPlugin {
    static let folder = repositoryRoot.appending("Examples/PythonPlugin")

    /// The built component, or nil when Examples/PythonPlugin/build.sh has not been run.
    static let bytes: [UInt8]? = try? Dir.openAmbient(folder, ambientAuthority()).read(".build/app.wasm")
}

@Suite("componentize-py component")
struct PythonComponentTests {
    @Test(
        "CPython reads /config and writes /output, and everything else stays out of reach",
        .enabled(if: PythonPlugin.bytes != nil, "Examples/PythonPlugin/.build/app.wasm is missing: run Examples/PythonPlugin/build.sh (needs componentize-py)"))
    func pythonPlugin() throws {
        let tree = try TenantTree()
        let component = try WASIComponent(bytes: try #require(PythonPlugin.bytes))
        let result = try WASIRunner.run(component, configuration: try tree.configuration(limits: .unlimited))
        #expect(result.exitCode == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
        // The same lines `wasmtime run` prints for this app (errno 44 is ENOENT, 63 EPERM).
        #expect(String(decoding: result.stdout, as: UTF8.self) == """
            read 14 characters from /config/settings.toml; /config holds ['alias.toml', 'leak', 'settings.toml', 'sub']
            wrote 89 bytes to /output/report.txt
            open /etc/passwd: FileNotFoundError errno=44
            open /config/../../etc/passwd: PermissionError errno=63
            list /: FileNotFoundError errno=44

            """)
        #expect(try tree.output.readString("report.txt") == """
            settings: 14 characters
            config holds: alias.toml, leak, settings.toml, sub
            MODE = "FAST"

            """)
        #expect(result.denials.map(\.operation) == ["descriptor.open-at"])
        try tree.expectOutsideUntouched()
    }

    @Test(
        "in a pool, reused across tenants, CPython gives each tenant what a fresh instance gives",
        .enabled(if: PythonPlugin.bytes != nil, "Examples/PythonPlugin/.build/app.wasm is missing: run Examples/PythonPlugin/build.sh (needs componentize-py)"))
    func pooled() throws {
        let component = try WASIComponent(bytes: try #require(PythonPlugin.bytes))
        let freshTree = try TenantTree()
        let fresh = try WASIRunner.run(component, configuration: try freshTree.configuration(limits: .unlimited))
        let pool = WASIComponentPool(component: component, reuse: InstanceReuse(acrossOwners: true))
        #expect(pool.notReusableReason == nil)
        for tenant in ["a", "b", "c"] {
            let tree = try TenantTree()
            let result = try pool.run(try tree.configuration(limits: .unlimited), owner: tenant, denialSink: nil)
            #expect(result.exitCode == 0, "\(String(decoding: result.stderr, as: UTF8.self))")
            #expect(result.stdout == fresh.stdout)
            #expect(try tree.output.readString("report.txt") == (try freshTree.output.readString("report.txt")))
        }
        #expect(pool.statistics == .init(instantiations: 1, reuses: 2, discards: 0, idle: 1))
    }
}
