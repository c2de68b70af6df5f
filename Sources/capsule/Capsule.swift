// The `capsule` command: entry point and subcommands.
import ArgumentParser
import PluginHost

@main
struct Capsule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capsule",
        abstract: "Run untrusted code with file access confined to the directories you give it.",
        subcommands: [Demo.self, Audit.self]
    )
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the confinement table on a built-in two-tenant example.")

    func run() async throws {
        guard PluginHostInfo.isAvailable else {
            print("capsule demo: not yet — the plugin host lands with issue #5. CapStd is ready: run `swift test`.")
            return
        }
    }
}
