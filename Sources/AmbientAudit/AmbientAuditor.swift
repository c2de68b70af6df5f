// Running the audit over a package: parse, find, apply the policy.
import CapStd
import SwiftParser
import SwiftSyntax

/// Finds every ambient file system access in a package's Swift sources and judges each against
/// the package's policy (``AuditConfiguration``).
///
/// The auditor reads the package only through the `Dir` it is given: it holds no ambient
/// authority of its own.
///
/// What it sees: calls and references, by name, after following type aliases and variables
/// bound to ambient instances anywhere in the package. What it cannot see: calls through
/// protocols or generics that erase the type, C or Objective-C code, or `dlsym`. It reads every
/// `#if` branch, active or not.
public struct AmbientAuditor: Sendable {
    public let configuration: AuditConfiguration

    public init(configuration: AuditConfiguration) {
        self.configuration = configuration
    }

    /// Audits every `.swift` file beneath `packageRoot`.
    public func audit(packageRoot: Dir) throws(AuditError) -> AuditReport {
        let clock = ContinuousClock()
        let start = clock.now
        let files = try SourceTree.swiftFiles(in: packageRoot, configuration: configuration)

        var trees: [(file: String, tree: SourceFileSyntax)] = []
        var parseFailures: [ParseFailure] = []
        for (path, file) in files {
            let bytes: [UInt8]
            do { bytes = try packageRoot.read(path) } catch {
                parseFailures.append(ParseFailure(file: file, line: 1, column: 1, message: "cannot be read: \(error)"))
                continue
            }
            guard let source = String(validating: bytes, as: UTF8.self) else {
                parseFailures.append(ParseFailure(file: file, line: 1, column: 1, message: "is not valid UTF-8"))
                continue
            }
            let tree = Parser.parse(source: source)
            if tree.hasError {
                let finder = ParseFailureFinder()
                finder.walk(tree)
                let converter = SourceLocationConverter(fileName: file, tree: tree)
                let location = finder.first.map { converter.location(for: $0.position) }
                parseFailures.append(
                    ParseFailure(
                        file: file, line: location?.line ?? 1, column: location?.column ?? 1,
                        message: "does not parse: " + (finder.first?.message ?? "syntax error")))
            }
            trees.append((file, tree))
        }

        let facts = SourceFacts.collect(from: trees.map(\.tree))
        var findings: [AuditFinding] = []
        var markers: [SourceMarker: Bool] = [:]
        for (file, tree) in trees {
            let finder = AmbientCallFinder(
                file: file, tree: tree, facts: facts, extraFunctions: Set(configuration.ambientFunctions))
            finder.walk(tree)
            findings += finder.findings
            markers.merge(finder.markers) { $0 || $1 }
        }

        var usedAllowances: Set<String> = []
        for index in findings.indices where findings[index].approval == nil {
            if let allowance = configuration.allow.first(where: { $0.covers(findings[index].file) }) {
                findings[index].approval = Allowance(kind: "config", source: allowance.path, reason: allowance.reason)
                usedAllowances.insert(allowance.path)
            }
        }
        let unused =
            configuration.allow.filter { !usedAllowances.contains($0.path) }
            .map { Allowance(kind: "config", source: $0.path, reason: $0.reason) }
            + markers.filter { !$0.value }.keys.sorted { ($0.file, $0.line) < ($1.file, $1.line) }
            .map { Allowance(kind: "marker", source: $0.source, reason: $0.reason) }

        return AuditReport(
            filesScanned: files.count, findings: findings, unusedAllowances: unused, parseFailures: parseFailures,
            duration: start.duration(to: clock.now))
    }
}
