// The audit's findings on fixture sources, exactly: every positive, alias, context and marker case.
import AmbientAudit
import CapStd
import TestSupport
import Testing

@Suite("Ambient findings")
struct FindingTests {
    /// `file:line:column rule api` for every finding of the Sample fixture, approved or not.
    static let expectedViolations = [
        "Aliased.swift:8:19 foundation-filemanager Files.default",
        "Aliased.swift:11:14 foundation-filemanager FM.default",
        "Aliased.swift:12:5 foundation-filemanager fm.createFile(atPath:contents:)",
        "Aliased.swift:13:5 foundation-filemanager sharedFiles.fileExists(atPath:)",
        "Aliased.swift:14:9 foundation-filehandle FH(forWritingAtPath:)",
        "Aliased.swift:15:18 libc-path fopen",
        "Aliased.swift:20:9 foundation-filemanager manager.contents(atPath:)",
        "Contexts.swift:9:13 foundation-filemanager FileManager.default.contents(atPath:)",
        "Contexts.swift:14:18 foundation-contents Data(contentsOf:)",
        "Contexts.swift:21:22 foundation-contents String(contentsOfFile:encoding:)",
        "Contexts.swift:23:22 foundation-contents String(contentsOfFile:encoding:)",
        "Marked.swift:13:5 foundation-filemanager FileManager.default.contents(atPath:)",
        "NIOUse.swift:6:26 nio-filesystem fileIO.openFile(path:mode:)",
        "NIOUse.swift:8:14 nio-filesystem FileSystem.shared",
        "NIOUse.swift:9:19 nio-filesystem fs.info(forFileAt:)",
        "Positive.swift:6:9 foundation-filemanager FileManager.default.removeItem(atPath:)",
        "Positive.swift:7:9 foundation-filehandle FileHandle(forReadingAtPath:)",
        "Positive.swift:8:13 foundation-contents Data(contentsOf:)",
        "Positive.swift:9:13 foundation-contents String(contentsOfFile:encoding:)",
        "Positive.swift:10:14 foundation-write data.write(to:)",
        "Positive.swift:11:16 foundation-write \"text\".write(toFile:atomically:encoding:)",
        "Positive.swift:12:9 foundation-stream InputStream(fileAtPath:)",
        "Positive.swift:13:9 foundation-stream OutputStream(toFileAtPath:append:)",
        "Positive.swift:14:14 libc-path open(_:_:)",
        "Positive.swift:15:9 libc-path Glibc.unlink(_:)",
        "Positive.swift:16:9 libc-path fopen(_:_:)",
        "Positive.swift:17:9 libc-path mkdir(_:_:)",
        "Positive.swift:18:9 libc-at openat(_:_:_:)",
        "Positive.swift:19:13 system-filedescriptor-open FileDescriptor.open(_:_:)",
        "Positive.swift:20:9 configured-function legacyOpen(_:)",
        "Positive.swift:21:9 at-fdcwd AT_FDCWD",
    ]

    static func describe(_ finding: AuditFinding) -> String {
        "\(finding.file):\(finding.line):\(finding.column) \(finding.rule) \(finding.api)"
    }

    static func sampleReport() throws -> AuditReport {
        let root = try Fixtures.package("Sample")
        return try AmbientAuditor(configuration: AuditConfiguration.load(from: root)).audit(packageRoot: root)
    }

    @Test("every ambient call in the fixtures is found, at its exact place")
    func violations() throws {
        let report = try Self.sampleReport()
        #expect(report.violations.map(Self.describe) == Self.expectedViolations)
        #expect(report.filesScanned == 7)
        #expect(report.parseFailures.isEmpty)
        #expect(report.exitCode == 1)
    }

    @Test("nothing in the negative fixture is reported")
    func negatives() throws {
        let report = try Self.sampleReport()
        #expect(report.findings.filter { $0.file == "Negative.swift" }.isEmpty)
    }

    @Test("allowances from the config and from markers approve exactly their sites")
    func approvals() throws {
        let report = try Self.sampleReport()
        #expect(report.approved.map(Self.describe) == [
            "Approved/Startup.swift:5:9 foundation-filemanager FileManager.default.currentDirectoryPath",
            "Marked.swift:5:5 foundation-filemanager FileManager.default.contents(atPath:)",
        ])
        #expect(report.approved.map { $0.approval! } == [
            Allowance(kind: "config", source: "Approved/", reason: "fixture start-up code"),
            Allowance(kind: "marker", source: "Marked.swift:4", reason: "reads the deployment manifest once at start-up"),
        ])
    }

    @Test("allowances that approve nothing are reported and fail the audit")
    func unusedAllowances() throws {
        let report = try Self.sampleReport()
        #expect(report.unusedAllowances == [
            Allowance(kind: "config", source: "Gone.swift", reason: "approves a file that no longer exists"),
            Allowance(kind: "marker", source: "Marked.swift:9", reason: "nothing ambient here any more"),
        ])
    }

    @Test("a file that does not parse is reported with its place, and the exit code is 2")
    func parseFailure() throws {
        let root = try Fixtures.package("Broken")
        let report = try AmbientAuditor(configuration: AuditConfiguration()).audit(packageRoot: root)
        #expect(report.parseFailures == [ParseFailure(file: "Broken.swift", line: 3, column: 14, message: "does not parse: expected ')'")])
        #expect(report.violations.count == 1)
        #expect(report.exitCode == 2)
        #expect(report.text().hasPrefix("Broken.swift:3:14: error: does not parse: expected ')'"))
    }

    @Test("file names and marker reasons with control bytes or invalid UTF-8 are audited and escaped in the report")
    func hostileNames() throws {
        let sandbox = try TemporaryPackage()
        let call = "import Foundation\n\nfunc leak(_ path: String) -> Data? {\n    FileManager.default.contents(atPath: path)\n}\n"
        try sandbox.root.write(RawPath(bytes: Array("evil\n\u{1B}[31m.swift".utf8)), contents: call)
        try sandbox.root.write(RawPath(bytes: [0x6C, 0xFF, 0x2E] + Array("swift".utf8)), contents: call)
        try sandbox.root.write(
            "Marked.swift", contents: "import Foundation\n\n// capsule-audit: allow ambient — start-up\u{1B}[2J\nlet manifest = FileManager.default.contents(atPath: \"m\")\n")
        let report = try AmbientAuditor(configuration: AuditConfiguration()).audit(packageRoot: sandbox.root)
        #expect(report.filesScanned == 3)
        #expect(Set(report.violations.map(\.file)) == [#"evil\n\x1B[31m.swift"#, #"l\xFF.swift"#])
        let text = report.text()
        #expect(text.split(separator: "\n").allSatisfy { isPrintable($0) }, "\(text)")
        #expect(text.contains(#"start-up\x1B[2J"#))
    }

    @Test("a malformed policy file is a clear error")
    func malformedConfiguration() throws {
        let sandbox = try TemporaryPackage()
        try sandbox.root.write("capsule-audit.json", contents: #"{"allow": [{"path": 3}]}"#)
        #expect(throws: AuditError.self) { _ = try AuditConfiguration.load(from: sandbox.root) }
        do {
            _ = try AuditConfiguration.load(from: sandbox.root)
        } catch {
            #expect("\(error)".hasPrefix("audit configuration: capsule-audit.json is not a valid audit policy"))
        }
    }
}
