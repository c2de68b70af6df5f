// The human-readable report.
import CapStd

extension AuditReport {
    /// Violations first (as `file:line:column: error: ...`, which editors and CI logs link),
    /// then approved sites, unused allowances and a summary line.
    public func text() -> String {
        var lines: [String] = []
        for failure in parseFailures {
            lines.append("\(failure.file):\(failure.line):\(failure.column): error: \(Untrusted.printable(failure.message))")
        }
        for finding in violations {
            lines.append("\(finding.file):\(finding.line):\(finding.column): error: \(Untrusted.printable(finding.api)) — \(finding.reason)")
        }
        if !approved.isEmpty {
            lines.append("approved ambient sites (\(approved.count)):")
            var order: [Allowance] = []
            var sites: [Allowance: [AuditFinding]] = [:]
            for finding in approved {
                let approval = finding.approval!
                if sites[approval] == nil { order.append(approval) }
                sites[approval, default: []].append(finding)
            }
            for approval in order {
                lines.append("  \(approval.kind) \(Untrusted.printable(approval.source)) — \(Untrusted.printable(approval.reason))")
                for finding in sites[approval]! {
                    lines.append("    \(finding.file):\(finding.line):\(finding.column) \(Untrusted.printable(finding.api))")
                }
            }
        }
        for allowance in unusedAllowances {
            lines.append(
                "unused allowance: \(allowance.kind) \(Untrusted.printable(allowance.source)) (\(Untrusted.printable(allowance.reason))) approves nothing")
        }
        let milliseconds = Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        lines.append(
            "\(filesScanned) files, \(violations.count) violations, \(approved.count) approved, "
                + "\(unusedAllowances.count) unused allowances, \(parseFailures.count) unparsable, \(milliseconds) ms")
        return lines.joined(separator: "\n")
    }
}
