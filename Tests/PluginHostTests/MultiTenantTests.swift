// Many tenants at once: each plugin sees only its own directories, and no descriptor outlives its run.
import CapStd
import CapWASI
import Glibc
import PluginHost
import SystemPackage
import Testing
import TestSupport

/// Each example plugin is built twice: a preview 1 module, and a component exporting `run`.
enum PluginFlavour: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case module, component

    var testDescription: String { rawValue }

    /// What the guest's libc reports for an escape: preview 1 says NOTCAPABLE, WASI 0.2 says
    /// not-permitted, which the adapter turns into EPERM.
    var escapeErrno: String { self == .module ? "ENOTCAPABLE" : "EPERM" }
}

/// An example plugin from `Examples/Plugins`.
func examplePlugin(_ name: String, _ flavour: PluginFlavour) throws -> Plugin {
    let root = repositoryRoot
    let file = flavour == .module ? name + ".wasm" : name + "-component.wasm"
    let plugin = try Plugin(bytes: try Dir.openAmbient(root.appending("Examples/Plugins"), ambientAuthority()).read(RawPath(file)))
    switch (plugin, flavour) {
    case (.module, .module), (.component, .component): return plugin
    default: throw WASIRunError.invalidComponent("\(file) is not a \(flavour)")
    }
}

/// `<tmp>/tenants/t<i>/{config/settings.toml, config/alias.toml, config/other-tenant, output/}` for
/// `count` tenants, each settings file holding a secret only that tenant may read; `other-tenant`
/// points at the next tenant's settings.
final class TenantFarm {
    private let tree: TemporaryTree
    var path: String { tree.path }
    var top: Dir { tree.dir }
    let names: [String]

    init(count: Int) throws {
        tree = try TemporaryTree(prefix: "capsule-farm")
        let top = tree.dir
        names = (0..<count).map { "t\($0)" }
        for (index, name) in names.enumerated() {
            try top.createDirAll(RawPath("\(name)/config"))
            try top.createDir(RawPath("\(name)/output"))
            try top.write(RawPath("\(name)/config/settings.toml"), contents: Self.secret(name))
            try top.symlink(target: "settings.toml", at: RawPath("\(name)/config/alias.toml"))
            let other = names[(index + 1) % count]
            try top.symlink(target: RawPath("../../\(other)/config/settings.toml"), at: RawPath("\(name)/config/other-tenant"))
        }
    }

    static func secret(_ tenant: String) -> String { "secret = \"only-\(tenant)\"\n" }


    func capabilities() throws -> [PluginCapabilities] {
        try names.map { name in
            PluginCapabilities(
                tenant: name, config: try top.openDir(RawPath("\(name)/config")), output: try top.openDir(RawPath("\(name)/output")),
                arguments: [name])
        }
    }

    /// The paths of this process's descriptors that lead into a tenant's tree (the farm's own
    /// top directory, held by the test, is not one).
    func openDescriptorsInside() throws -> [String] {
        try openDescriptors(beneath: path)
    }
}

@Suite("Multi-tenant plugin host")
struct MultiTenantTests {
    @Test("200 tenants at once: each reads only its own config, writes only its own output", arguments: PluginFlavour.allCases)
    func twoHundredTenants(_ flavour: PluginFlavour) async throws {
        let farm = try TenantFarm(count: 200)
        let host = PluginHost(plugin: try examplePlugin("report", flavour), programName: "report.wasm", maxConcurrentRuns: 8)
        var capabilities: [PluginCapabilities]? = try farm.capabilities()
        let runs = await host.run(tenants: capabilities!)
        #expect(runs.map(\.tenant) == farm.names)
        for run in runs {
            let result = try run.outcome.get()
            #expect(result.exitCode == 0, "\(run.tenant): \(String(decoding: result.stderr, as: UTF8.self))")
            let report = try farm.top.readString(RawPath("\(run.tenant)/output/report.txt"))
            #expect(report == "report for \(run.tenant)\nsettings: \(FarmBytes.count(run.tenant)) bytes\n" + TenantFarm.secret(run.tenant))
            #expect(try farm.top.entries(RawPath("\(run.tenant)/output")).map(\.name) == ["report.txt"])
        }
        // The host holds the tenants' directories only as long as the embedder does.
        capabilities = nil
        #expect(try farm.openDescriptorsInside() == [])
    }

    @Test("every tenant's probe is refused the other tenant's files and the host", arguments: PluginFlavour.allCases)
    func probesAreConfined(_ flavour: PluginFlavour) async throws {
        let farm = try TenantFarm(count: 24)
        let host = PluginHost(plugin: try examplePlugin("probe", flavour), programName: "probe.wasm", maxConcurrentRuns: 6)
        let runs = await host.run(tenants: try farm.capabilities())
        for run in runs {
            let output = String(decoding: try run.outcome.get().stdout, as: UTF8.self)
            #expect(output.contains("follow /config/other-tenant (outside)|\(flavour.escapeErrno)\n"))
            #expect(output.contains("write /config/modified.toml|EACCES\n"))
            #expect(output.contains("read /config/settings.toml|ok\n"))
            #expect(run.denials.count == 4)
            #expect(run.denials.allSatisfy { $0.instance == run.tenant })
        }
        for name in farm.names {
            #expect(try farm.top.readString(RawPath("\(name)/config/settings.toml")) == TenantFarm.secret(name))
        }
        #expect(try farm.openDescriptorsInside() == [])
    }

    @Test("a trapping or runaway tenant ends alone; the others finish", arguments: PluginFlavour.allCases)
    func failuresStayWithTheirTenant(_ flavour: PluginFlavour) async throws {
        let farm = try TenantFarm(count: 3)
        let host = PluginHost(plugin: try examplePlugin("report", flavour), programName: "report.wasm")
        var capabilities = try farm.capabilities()
        capabilities[1].limits.fuel = 1_000
        let runs = await host.run(tenants: capabilities)
        #expect(try runs[0].outcome.get().exitCode == 0)
        #expect(throws: PluginRunError.guest(.outOfFuel(budget: 1_000))) { try runs[1].outcome.get() }
        #expect(try runs[2].outcome.get().exitCode == 0)
    }
}

@Suite("Write quota, module and component alike")
struct QuotaTests {
    @Test("a report past the byte quota fails with EDQUOT, keeps what fit, and is reported", arguments: PluginFlavour.allCases)
    func byteQuota(_ flavour: PluginFlavour) async throws {
        let farm = try TenantFarm(count: 1)
        var tenant = try farm.capabilities()[0]
        tenant.writeQuota = WriteQuota(maxBytes: 10, maxEntries: 4)
        let run = await PluginHost(plugin: try examplePlugin("report", flavour), programName: "report.wasm").run(tenant)
        let result = try run.outcome.get()
        #expect(result.exitCode == 1)
        #expect(String(decoding: result.stderr, as: UTF8.self).contains("/output/report.txt: Quota exceeded"))
        #expect(result.denials.contains { $0.errno == .quota && $0.preopen == "/output" })
        let written = try farm.top.read("t0/output/report.txt")
        #expect(written.count <= 10)
        #expect(written == Array("report for t0\n".utf8.prefix(written.count)))
    }
}

@Suite("Descriptor limit, module and component alike")
struct DescriptorLimitTests {
    /// The guest's libc reports the limit as EMFILE for a module; WASI 0.2 has no EMFILE, so a
    /// component's open-at says insufficient-memory, which the adapter makes ENOMEM.
    @Test("an open past the descriptor limit fails in the guest and is reported", arguments: PluginFlavour.allCases)
    func openPastTheLimit(_ flavour: PluginFlavour) async throws {
        let farm = try TenantFarm(count: 1)
        var tenant = try farm.capabilities()[0]
        // The standard streams and both preopens fit; opening the settings does not.
        tenant.limits.maxDescriptors = 5
        let run = await PluginHost(plugin: try examplePlugin("report", flavour), programName: "report.wasm").run(tenant)
        let result = try run.outcome.get()
        #expect(result.exitCode == 1)
        let message = flavour == .module ? "No file descriptors available" : "Out of memory"
        #expect(String(decoding: result.stderr, as: UTF8.self).contains("/config/settings.toml: \(message)"))
        // Each denial records what its guest was told: MFILE, or insufficient-memory (NOMEM).
        let told = flavour == .module ? (WASIErrno.tooManyFiles, nil) : (WASIErrno.noMemory, "insufficient-memory")
        #expect(result.denials.contains { $0.reason.contains("limit of 5") && $0.errno == told.0 && $0.errorCode == told.1 })
        #expect(try !farm.top.exists("t0/output/report.txt"))
    }
}

enum FarmBytes {
    static func count(_ tenant: String) -> Int { TenantFarm.secret(tenant).utf8.count }
}

@Suite("Seed table through the probe plugin")
struct ProbeTableTests {
    @Test("the probe plugin's nine rows all match the table, and the host tree confirms them", arguments: PluginFlavour.allCases)
    func nineOfNine(_ flavour: PluginFlavour) async throws {
        let farm = try TenantFarm(count: 2)
        let host = PluginHost(plugin: try examplePlugin("probe", flavour), programName: "probe.wasm")
        let run = await host.run(try farm.capabilities()[0])
        let output = String(decoding: try run.outcome.get().stdout, as: UTF8.self)
        let judged = SeedTable.judge(probeOutput: output)
        #expect(judged.count == 9)
        #expect(judged.filter(\.matches).count == 9, "\(judged.map { "\($0.row.action): \($0.got)" })")
        #expect(try !farm.top.exists("t0/config/modified.toml"))
        #expect(try farm.top.readString("t0/config/settings.toml") == TenantFarm.secret("t0"))
        #expect(try farm.top.readString("t0/output/report.txt") == "probe\n")
        #expect(SeedTable.judge(probeOutput: "read /config/settings.toml|EACCES\n").filter(\.matches).isEmpty)
    }
}
