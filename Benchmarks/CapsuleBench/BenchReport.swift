// The rows every suite produces, and the table and JSON they are printed as.
import Foundation

/// One measured figure. `ratio` compares it with `baseline`, a row of the same suite measured in
/// the same run (for times, below 1 is faster than the baseline).
struct BenchRow: Codable {
    let suite: String
    let name: String
    let value: Double
    let unit: String
    var baseline: String? = nil
    var ratio: Double? = nil
    var note: String? = nil
}

/// A target from the issue, judged against the measured rows.
struct BenchTarget: Codable {
    let suite: String
    let target: String
    let measured: String
    let met: Bool
}

/// Everything one run measured.
struct BenchReport: Codable {
    var machine: [String: String] = [:]
    var rows: [BenchRow] = []
    var targets: [BenchTarget] = []
    var skipped: [String] = []

    /// Adds `rows`, filling each one's ratio to the row named `baseline` in the same suite.
    mutating func add(_ rows: [BenchRow], baseline: String? = nil) {
        for var row in rows {
            if let baseline, row.name != baseline,
                let reference = rows.first(where: { $0.suite == row.suite && $0.name == baseline }), reference.value > 0
            {
                row.baseline = baseline
                row.ratio = row.value / reference.value
            }
            self.rows.append(row)
        }
    }

    func row(_ suite: String, _ name: String) -> BenchRow? {
        rows.first { $0.suite == suite && $0.name == name }
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    func table() -> String {
        var lines = ["capsule-bench — " + machine.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")]
        let suiteWidth = max(5, rows.map(\.suite.count).max() ?? 0) + 2
        let nameWidth = max(9, rows.map(\.name.count).max() ?? 0) + 2
        lines.append("suite".padded(suiteWidth) + "operation".padded(nameWidth) + "value".leftPadded(14) + "  ratio")
        var previousSuite = ""
        for row in rows {
            if row.suite != previousSuite, previousSuite != "" { lines.append("") }
            previousSuite = row.suite
            let ratio = row.ratio.map { format($0, decimals: 2) + "× " + (row.baseline ?? "") } ?? ""
            lines.append(
                row.suite.padded(suiteWidth) + row.name.padded(nameWidth)
                    + (format(row.value, decimals: row.value < 100 && row.value != row.value.rounded() ? 2 : 0) + " " + row.unit)
                    .leftPadded(14) + "  " + ratio
                    + (row.note.map { "  (\($0))" } ?? ""))
        }
        if !targets.isEmpty {
            lines.append("")
            lines.append("targets:")
            for target in targets {
                lines.append("  [\(target.met ? "met" : "MISSED")] \(target.suite): \(target.target) — measured \(target.measured)")
            }
        }
        for reason in skipped { lines.append("skipped: " + reason) }
        return lines.joined(separator: "\n")
    }
}

func format(_ value: Double, decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }

    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
