// `capsule audit`: the ambient-I/O audit of a Swift package.
import AmbientAudit
import ArgumentParser
import CapStd

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every ambient file system call in a Swift package and fail on unapproved ones.",
        discussion: """
            Reads the policy from capsule-audit.json at the package root. Exit codes: 0 clean, \
            1 violations or unused allowances, 2 usage errors or files that do not parse.
            """)

    @Argument(help: "The package directory.")
    var packageDirectory = "."

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Also write the report as SARIF 2.1.0 to this file, inside the package directory.", valueName: "file"))
    var sarif: String?

    func run() throws {
        let report: AuditReport
        let root: Dir
        do {
            root = try AmbientStartup.openDirectory(packageDirectory)
            report = try AmbientAuditor(configuration: AuditConfiguration.load(from: root)).audit(packageRoot: root)
        } catch {
            printError("capsule audit: \(error)")
            throw ExitCode(2)
        }
        print(json ? report.json() : report.text())
        if let sarif {
            do { try root.write(RawPath(sarif), contents: report.sarif()) } catch {
                printError("capsule audit: cannot write the SARIF report: \(error)")
                throw ExitCode(2)
            }
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
