// The `capsule` command: entry point and subcommands.
import ArgumentParser
import Logging

@main
struct Capsule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capsule",
        abstract: "Run untrusted code with file access confined to the directories you give it.",
        subcommands: [Run.self, Tenants.self, Demo.self, Audit.self]
    )

    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .notice
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
