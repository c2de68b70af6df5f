// `capsule tenants`: one plugin, every tenant of a tenants file, a summary per tenant.
import ArgumentParser
import CapStd
import CapWASI
import Foundation
import PluginHost
import SystemPackage

struct Tenants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a plugin for every tenant described in a TOML file and summarise the runs.",
        discussion: """
            Exit 0 when every tenant's run exited 0, 1 when one did not, 2 when the tenants file is not \
            valid, 120 when a file or directory cannot be read. Tenants are untrusted, so each run is \
            bounded unless the file says otherwise (the defaults below).
            \n
            """ + TenantManifest.format)

    @Option(help: ArgumentHelp("The tenants file.", valueName: "tenants.toml"))
    var config: String

    @Option(help: "How many tenants run at once.")
    var jobs = 4

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: ArgumentHelp(
        "Let a tenant's run take a warm instance another tenant's run used, which its guest cannot tell from a new one: memory, tables, globals, handles and descriptors are put back, every function is translated up front, and every instance, new or reused, has 16 MiB of memory grown past the size its guest sees (reading there gives zeros; a run that grows further gives its instance up). Off, each run gets a new instance: a tenants file runs each tenant once, so an instance kept for its tenant would never run again."))
    var shareInstances = false

    @Option(help: ArgumentHelp(
        "The export to call, a function without parameters: for a module instead of _start (or a reactor's default export), after _initialize; for a component instead of run, else wasi:cli/run.",
        valueName: "NAME"))
    var invoke: String?

    @Argument(help: "The plugin: a preview 1 module (a command, or a reactor), or a component exporting run (or wasi:cli/run).")
    var module: String

    func run() async throws {
        let manifest: TenantManifest
        let plugin: Plugin
        var capabilities: [PluginCapabilities] = []
        do {
            let text = String(decoding: try AmbientStartup.readFile(config), as: UTF8.self)
            do { manifest = try TenantManifest(toml: text) } catch {
                // A tenants file that does not say exactly what it means is a usage error.
                printError("capsule tenants: \(config): \(error)")
                throw ExitCode(2)
            }
            plugin = try Self.plugin(AmbientStartup.readFile(module), invoke: invoke)
            let base = FilePath(config).removingLastComponent()
            func resolve(_ path: String) -> String {
                FilePath(path).isAbsolute || base.isEmpty ? path : base.appending(path).string
            }
            for tenant in manifest.tenants {
                capabilities.append(
                    PluginCapabilities(
                        tenant: tenant.name, config: try AmbientStartup.openDirectory(resolve(tenant.config)),
                        output: try AmbientStartup.openDirectory(resolve(tenant.output)), arguments: tenant.arguments,
                        environment: tenant.environment.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                        limits: tenant.limits, writeQuota: tenant.writeQuota))
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("capsule tenants: \(error)")
            throw ExitCode(120)
        }
        // Each tenant runs once: an instance kept for its own tenant would never run again.
        let reuse = shareInstances ? InstanceReuse.indistinguishable(idleInstances: jobs) : nil
        let host = PluginHost(
            plugin: plugin, programName: FilePath(module).lastComponent?.string ?? module, maxConcurrentRuns: jobs, reuse: reuse)
        let runs = await host.run(tenants: capabilities, denialSink: { _ in })
        let rows = runs.map(Row.init)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            let header = ["tenant".padded(16), "outcome".padded(13), "exit".padded(6), "denials".padded(9), "fuel used".padded(14),
                          "peak KiB".padded(10), "fds".padded(5), "ms".padded(9), "error"]
            print(header.joined())
            for row in rows {
                let columns: [String] = [
                    row.tenant.padded(16), row.outcome.padded(13), (row.exitCode.map(String.init) ?? "-").padded(6),
                    String(row.denials.count).padded(9), (row.fuelUsed.map(String.init) ?? "-").padded(14),
                    String(row.peakMemoryBytes / 1024).padded(10), String(row.peakDescriptors).padded(5), String(row.milliseconds).padded(9),
                    // The first line: a trap's frames are in --json.
                    String(row.error?.prefix(while: { $0 != "\n" }) ?? ""),
                ]
                print(columns.joined())
            }
            for row in rows {
                for denial in row.denials { print("  [\(row.tenant)] \(denial)") }
            }
        }
        if rows.contains(where: { $0.exitCode != 0 }) { throw ExitCode(1) }
    }

    /// The plugin in `bytes`. A module runs `invoke` if given (after `_initialize`), else as
    /// `capsule run` runs it; a component is called through `invoke`, its `run` export, or
    /// `wasi:cli/run`, the first it has.
    static func plugin(_ bytes: [UInt8], invoke: String?) throws -> Plugin {
        guard WASIComponent.isComponent(bytes) else { return try Plugin(bytes: bytes, moduleEntry: invoke.map { .function($0) } ?? .command) }
        let component = try WASIComponent(bytes: bytes)
        if let invoke { return .component(component, entry: .function(invoke)) }
        return .component(component, entry: component.exportsFunction("run") ? .function("run") : .command)
    }

    struct Row: Encodable {
        let tenant: String
        /// ``RunReport/Outcome``'s word, or `not-started` when the tenant's directories could not be handed over.
        let outcome: String
        let exitCode: UInt32?
        let error: String?
        let denials: [String]
        let fuelUsed: UInt64?
        let peakMemoryBytes: Int
        let peakDescriptors: Int
        let milliseconds: Int64
        let stdout: String

        init(_ run: PluginRun) {
            tenant = run.tenant
            outcome = (run.report?.outcome ?? .notStarted).rawValue
            let duration = run.report?.duration ?? .zero
            milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
            fuelUsed = run.report?.fuelUsed
            peakMemoryBytes = run.report?.peakMemoryBytes ?? 0
            peakDescriptors = run.report?.peakOpenDescriptors ?? 0
            // A run stopped by a limit or a trap keeps its denials too.
            denials = run.denials.map { "\($0.operation) \($0.guestPath): \($0.reason) (\($0.errorCode ?? "\($0.errno)"))" }
            switch run.outcome {
            case .success(let result):
                exitCode = result.exitCode
                error = nil
                stdout = String(decoding: result.stdout, as: UTF8.self)
            case .failure(let failure):
                exitCode = nil
                error = "\(failure)"
                stdout = ""
            }
        }
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
