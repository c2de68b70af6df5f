// The result of an audit, and the exit code it means.

/// Everything one audit found.
public struct AuditReport: Sendable {
    /// How many `.swift` files were read.
    public let filesScanned: Int
    /// Every ambient access, approved or not, in file order.
    public let findings: [AuditFinding]
    /// Allowances that approved nothing.
    public let unusedAllowances: [Allowance]
    /// Files that could not be analysed.
    public let parseFailures: [ParseFailure]
    /// How long the audit took.
    public let duration: Duration

    public var violations: [AuditFinding] { findings.filter(\.isViolation) }
    public var approved: [AuditFinding] { findings.filter { !$0.isViolation } }

    /// 0: clean; 1: violations or unused allowances; 2: a file could not be analysed.
    public var exitCode: Int32 {
        if !parseFailures.isEmpty { return 2 }
        if !violations.isEmpty || !unusedAllowances.isEmpty { return 1 }
        return 0
    }
}
