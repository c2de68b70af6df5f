// The report as SARIF 2.1.0, which code hosts show inline on pull requests.

extension AuditReport {
    private struct Log: Encodable {
        let version = "2.1.0"
        let schema = "https://json.schemastore.org/sarif-2.1.0.json"
        let runs: [Run]

        enum CodingKeys: String, CodingKey {
            case version
            case schema = "$schema"
            case runs
        }
    }

    private struct Run: Encodable {
        let tool: Tool
        let results: [Result]
    }

    private struct Tool: Encodable {
        let driver: Driver
    }

    private struct Driver: Encodable {
        let name = "capsule-audit"
        let rules: [Rule]
    }

    private struct Rule: Encodable {
        let id: String
        let shortDescription: Message
    }

    private struct Message: Encodable {
        let text: String
    }

    private struct Result: Encodable {
        let ruleId: String
        let level: String
        let message: Message
        let locations: [Location]
        let suppressions: [Suppression]?
    }

    private struct Location: Encodable {
        let physicalLocation: PhysicalLocation
    }

    private struct PhysicalLocation: Encodable {
        let artifactLocation: ArtifactLocation
        let region: Region
    }

    private struct ArtifactLocation: Encodable {
        let uri: String
    }

    private struct Region: Encodable {
        let startLine: Int
        let startColumn: Int
    }

    private struct Suppression: Encodable {
        let kind: String
        let justification: String
    }

    /// The report as a SARIF 2.1.0 log: violations are errors; approved sites are results with a
    /// suppression carrying the allowance's reason; unparsable files use the rule `parse-failure`.
    public func sarif() -> String {
        let rules =
            AuditRule.all.map { Rule(id: $0.id, shortDescription: Message(text: $0.summary)) }
            + [Rule(id: "parse-failure", shortDescription: Message(text: "a source file the audit could not analyse"))]
        var results = findings.map { finding in
            Result(
                ruleId: finding.rule, level: finding.isViolation ? "error" : "note",
                message: Message(text: "\(finding.api): \(finding.reason)"),
                locations: [location(finding.file, finding.line, finding.column)],
                suppressions: finding.approval.map {
                    [Suppression(kind: $0.kind == "marker" ? "inSource" : "external", justification: $0.reason)]
                })
        }
        results += parseFailures.map { failure in
            Result(
                ruleId: "parse-failure", level: "error", message: Message(text: "\(failure.file) \(failure.message)"),
                locations: [location(failure.file, failure.line, failure.column)], suppressions: nil)
        }
        return Self.encode(Log(runs: [Run(tool: Tool(driver: Driver(rules: rules)), results: results)]))
    }

    private func location(_ file: String, _ line: Int, _ column: Int) -> Location {
        Location(
            physicalLocation: PhysicalLocation(
                artifactLocation: ArtifactLocation(uri: file), region: Region(startLine: line, startColumn: column)))
    }
}
