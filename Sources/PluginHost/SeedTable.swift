// The design document's expected-behaviour table, and the judgement of a probe plugin's output.

/// One row of the expected-behaviour table for a plugin with `/config` read-only and `/output`
/// read-write.
public struct SeedTableRow: Sendable, Hashable {
    /// What the guest does, as the probe plugin labels it.
    public let action: String
    /// The results that count as correct (a guest sees escapes as `ENOTCAPABLE` or `EPERM`).
    public let accepted: [String]
    /// The result as the table states it.
    public var expected: String { accepted.joined(separator: " or ") }
}

public enum SeedTable {
    public static let rows: [SeedTableRow] = [
        SeedTableRow(action: "read /config/settings.toml", accepted: ["ok"]),
        SeedTableRow(action: "open /config/../../etc/passwd", accepted: ["ENOTCAPABLE", "EPERM"]),
        SeedTableRow(action: "open /etc/passwd", accepted: ["ENOENT"]),
        SeedTableRow(action: "follow /config/alias.toml (inside)", accepted: ["ok"]),
        SeedTableRow(action: "follow /config/other-tenant (outside)", accepted: ["ENOTCAPABLE", "EPERM"]),
        SeedTableRow(action: "write /config/modified.toml", accepted: ["EACCES"]),
        SeedTableRow(action: "write /output/report.txt", accepted: ["ok"]),
        SeedTableRow(action: "write /output/../config/settings.toml", accepted: ["ENOTCAPABLE", "EPERM"]),
        SeedTableRow(action: "open /var/lib/other", accepted: ["ENOENT"]),
    ]

    /// Each row with the result the probe printed for it (`action|result` lines), or
    /// "missing" where it printed none.
    public static func judge(probeOutput: String) -> [(row: SeedTableRow, got: String, matches: Bool)] {
        var results: [String: String] = [:]
        for line in probeOutput.split(separator: "\n") {
            let parts = line.split(separator: "|", maxSplits: 1)
            if parts.count == 2 { results[String(parts[0])] = String(parts[1]) }
        }
        return rows.map { row in
            let got = results[row.action] ?? "missing"
            return (row, got, row.accepted.contains(got))
        }
    }
}
