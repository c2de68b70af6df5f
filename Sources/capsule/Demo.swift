// `capsule demo`: two tenants, the report plugin for each, and the expected-behaviour table.
import ArgumentParser
import CapStd
import CapWASI
import Foundation
import PluginHost
import Synchronization

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show Capsule's guarantees on a built-in two-tenant example.",
        discussion: """
            Builds a temporary tree with tenants alpha and beta (config/settings.toml, a symlink \
            inside config, a symlink to the other tenant's settings, an empty output/), runs the probe \
            plugin for alpha, which tries every row of the expected-behaviour table, once as a preview 1 \
            module and once as a WASI 0.2 component, then the report plugin for both tenants. Exits 0 only when every row matches.
            """)

    @Flag(help: "Keep the temporary tree and print its path.")
    var keep = false

    func run() async throws {
        let (root, top) = try AmbientStartup.makeTemporaryDirectory(prefix: "capsule-demo")
        defer { if !keep { AmbientStartup.removeTemporaryDirectory(root) } }
        let tenants = ["alpha", "beta"]
        for (index, tenant) in tenants.enumerated() {
            try top.createDirAll(RawPath("\(tenant)/config"))
            try top.createDir(RawPath("\(tenant)/output"))
            try top.write(RawPath("\(tenant)/config/settings.toml"), contents: "tenant = \"\(tenant)\"\nmode = \"fast\"\n")
            try top.symlink(target: "settings.toml", at: RawPath("\(tenant)/config/alias.toml"))
            let other = tenants[1 - index]
            try top.symlink(target: RawPath("../../\(other)/config/settings.toml"), at: RawPath("\(tenant)/config/other-tenant"))
        }
        let capabilities = try tenants.map { tenant in
            PluginCapabilities(
                tenant: tenant, config: try top.openDir(RawPath("\(tenant)/config")),
                output: try top.openDir(RawPath("\(tenant)/output")), arguments: [tenant])
        }
        let denials = Mutex<[Denial]>([])
        let sink: DenialSink = { denial in denials.withLock { $0.append(denial) } }

        // The probe runs twice: as a preview 1 module and as a WASI 0.2 component whose plain
        // `run` export the host calls; both must give every row.
        var probeOutputs: [(title: String, output: String)] = []
        for (title, plugin, name) in [
            ("preview 1 module", try Self.plugin(EmbeddedPlugins.probe), "probe.wasm"),
            ("WASI 0.2 component, run export", try Self.plugin(EmbeddedPlugins.probeComponent), "probe-component.wasm"),
        ] {
            let probeRun = await PluginHost(plugin: plugin, programName: name).run(capabilities[0], denialSink: sink)
            probeOutputs.append((title, String(decoding: (try? probeRun.outcome.get().stdout) ?? [], as: UTF8.self)))
        }
        let settingsIntact = try top.readString("alpha/config/settings.toml") == "tenant = \"alpha\"\nmode = \"fast\"\n"
        let nothingCreated = try !top.exists("alpha/config/modified.toml")

        let report = PluginHost(plugin: try Self.plugin(EmbeddedPlugins.report), programName: "report.wasm")
        let reportRuns = await report.run(tenants: capabilities, denialSink: sink)

        print("Capsule demo — tenant alpha: /config read-only, /output read-write (tree: \(root))")
        var matches = 0
        var rows = 0
        for (title, output) in probeOutputs {
            print("\nThe probe plugin as a \(title):\n")
            let judged = SeedTable.judge(probeOutput: output)
            let widths = (judged.map(\.row.action.count).max() ?? 0, judged.map(\.row.expected.count).max() ?? 0)
            print("  " + "guest action".padded(widths.0 + 1) + "expected".padded(widths.1 + 1) + "got")
            for (row, got, matched) in judged {
                var ok = matched
                if row.action == "write /config/modified.toml" { ok = ok && nothingCreated }
                if row.action == "write /output/../config/settings.toml" { ok = ok && settingsIntact }
                if ok { matches += 1 }
                print("  " + row.action.padded(widths.0 + 1) + row.expected.padded(widths.1 + 1) + got.padded(12) + (ok ? "✓" : "✗"))
            }
            rows += judged.count
        }
        print("\n\(matches)/\(rows) rows match the expected behaviour.")
        let log = denials.withLock { $0 }
        print("\nDenials (\(log.count)), as the host logged them:")
        for denial in log {
            // What the guest was told, in its own version's words.
            print("  [\(denial.instance)] \(denial.operation) \(denial.guestPath) — \(denial.reason) → \(denial.errorCode ?? "\(denial.errno)")")
        }
        print("\nReports:")
        var reportsOK = true
        for run in reportRuns {
            switch run.outcome {
            case .success(let result) where result.exitCode == 0:
                print("  \(root)/\(run.tenant)/output/report.txt (\(String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .newlines)))")
            case .success(let result):
                reportsOK = false
                print("  \(run.tenant): exit \(result.exitCode): \(String(decoding: result.stderr, as: UTF8.self))")
            case .failure(let error):
                reportsOK = false
                print("  \(run.tenant): \(error)")
            }
        }
        print(keep ? "\nKept \(root)." : "\nThe tree has been removed; run with --keep to inspect it.")
        if matches != rows || !reportsOK { throw ExitCode(1) }
    }

    static func plugin(_ base64: String) throws -> Plugin {
        guard let data = Data(base64Encoded: base64) else { throw ValidationError("an embedded plugin is corrupt") }
        return try Plugin(bytes: [UInt8](data))
    }
}
