// `swift package audit-ambient`: runs `capsule audit` on the package the plugin is invoked in.
import Foundation
import PackagePlugin

@main
struct AuditAmbient: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let capsule = try context.tool(named: "capsule")
        let process = Process()
        process.executableURL = capsule.url
        process.arguments = ["audit", context.package.directoryURL.path] + arguments
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            Diagnostics.error("the ambient I/O audit failed (exit code \(process.terminationStatus))")
        }
    }
}
