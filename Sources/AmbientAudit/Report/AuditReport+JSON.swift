// The machine-readable report.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AuditReport {
    private struct Document: Encodable {
        let filesScanned: Int
        let violations: [AuditFinding]
        let approved: [AuditFinding]
        let unusedAllowances: [Allowance]
        let parseFailures: [ParseFailure]
        let exitCode: Int32
        let milliseconds: Int64
    }

    /// The report as one JSON object.
    public func json() -> String {
        let document = Document(
            filesScanned: filesScanned, violations: violations, approved: approved, unusedAllowances: unusedAllowances,
            parseFailures: parseFailures, exitCode: exitCode,
            milliseconds: duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        return Self.encode(document)
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and integers cannot fail.
        let data = try! encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }
}
