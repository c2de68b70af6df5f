// Suite 4: how fast the ambient-I/O audit reads a large Swift tree.
import AmbientAudit
import CapStd
import SystemPackage

struct AuditSuite {
    let rounds: Int
    /// The tree to audit; by default swift-syntax's checkout, which every build of Capsule
    /// fetches, or Capsule's own tree where the checkout is elsewhere.
    let tree: FilePath?

    func run(into report: inout BenchReport) throws {
        let defaultTree = packageRoot.appending(".build/checkouts/swift-syntax")
        var tree = self.tree ?? defaultTree
        if self.tree == nil, (try? Dir.openAmbient(defaultTree, ambientAuthority())) == nil {
            report.skipped.append("audit: no swift-syntax checkout at \(defaultTree); audited Capsule's own tree instead")
            tree = packageRoot
        }
        let root = try Dir.openAmbient(tree, ambientAuthority())
        defer { root.close() }
        let auditor = AmbientAuditor(configuration: AuditConfiguration())
        var files = 0
        var findings = 0
        let samples = try interleave(rounds: rounds, [{
            var result: AuditReport?
            let time = try timed { result = try auditor.audit(packageRoot: root) }
            files = result?.filesScanned ?? 0
            findings = result?.findings.count ?? 0
            return time
        }])[0]
        let seconds = median(samples) / 1e9
        report.add([
            BenchRow(
                suite: "audit", name: "files per second", value: Double(files) / seconds, unit: "files/s",
                note: "\(files) files of \(tree.lastComponent?.string ?? tree.string), \(format(seconds, decimals: 2)) s, \(findings) findings"),
        ])
    }
}
