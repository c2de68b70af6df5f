// JSON and SARIF output: well-formed, and SARIF with every field SARIF 2.1.0 requires.
import AmbientAudit
import Foundation
import Testing

@Suite("Report formats")
struct ReportFormatTests {
    @Test("SARIF output has the fields the SARIF 2.1.0 schema requires, and every finding")
    func sarifRequiredFields() throws {
        let report = try FindingTests.sampleReport()
        let log = try #require(JSONSerialization.jsonObject(with: Data(report.sarif().utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        #expect(log["$schema"] as? String == "https://json.schemastore.org/sarif-2.1.0.json")
        let runs = try #require(log["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let driver = try #require((runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "capsule-audit")
        let ruleIDs = Set(try #require(driver["rules"] as? [[String: Any]]).compactMap { $0["id"] as? String })
        let results = try #require(runs[0]["results"] as? [[String: Any]])
        #expect(results.count == report.findings.count)
        for result in results {
            let message = try #require(result["message"] as? [String: Any])
            #expect((message["text"] as? String)?.isEmpty == false)
            #expect(ruleIDs.contains(result["ruleId"] as? String ?? ""))
            #expect(["error", "note"].contains(result["level"] as? String))
            let location = try #require((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
            #expect(((location["artifactLocation"] as? [String: Any])?["uri"] as? String)?.hasSuffix(".swift") == true)
            let region = try #require(location["region"] as? [String: Any])
            #expect((region["startLine"] as? Int ?? 0) >= 1)
            #expect((region["startColumn"] as? Int ?? 0) >= 1)
        }
        let suppressed = results.filter { $0["suppressions"] != nil }
        #expect(suppressed.count == report.approved.count)
    }

    @Test("JSON output lists violations, approvals and the exit code")
    func json() throws {
        let report = try FindingTests.sampleReport()
        let document = try #require(JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect((document["violations"] as? [Any])?.count == report.violations.count)
        #expect((document["approved"] as? [Any])?.count == 2)
        #expect((document["unusedAllowances"] as? [Any])?.count == 2)
        #expect(document["exitCode"] as? Int == 1)
        #expect(document["filesScanned"] as? Int == 7)
    }
}
