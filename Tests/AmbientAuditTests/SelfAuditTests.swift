// Capsule audits itself: clean as it stands, and failing once a violation is planted in a copy.
import AmbientAudit
import CapStd
import TestSupport
import Testing

@Suite("Self-audit")
struct SelfAuditTests {
    @Test("Capsule's own tree has no violations and no stale allowances")
    func capsuleIsClean() async throws {
        // Parsing every file takes tens of seconds in a debug build: off the cooperative pool.
        let report = try await onOwnThread {
            let root = try Fixtures.capsuleRoot()
            return try AmbientAuditor(configuration: AuditConfiguration.load(from: root)).audit(packageRoot: root)
        }
        #expect(report.violations.map(FindingTests.describe) == [])
        #expect(report.unusedAllowances.isEmpty)
        #expect(report.parseFailures.isEmpty)
        #expect(report.exitCode == 0)
        // The library code outside the system call layer holds no ambient authority.
        let approvedSources = Set(report.approved.map(\.file).filter { $0.hasPrefix("Sources/") })
        #expect(approvedSources == ["Sources/CapStd/Syscalls/Syscalls.swift", "Sources/capsule/AmbientStartup.swift"])
    }

    @Test("a violation planted in a copy of Capsule's sources fails the audit")
    func plantedViolationFails() async throws {
        let (clean, dirty) = try await onOwnThread {
            let capsule = try Fixtures.capsuleRoot()
            let copy = try TemporaryPackage()
            for directory in ["Sources", "Tests", "Benchmarks", "Examples", "Fuzz", "Plugins"] { try copy.copyTree(from: capsule, directory) }
            for file in ["Package.swift", "capsule-audit.json"] { try capsule.copy(RawPath(file), to: RawPath(file), in: copy.root) }
            let clean = try AmbientAuditor(configuration: AuditConfiguration.load(from: copy.root)).audit(packageRoot: copy.root)
            try copy.root.write(
                "Sources/PluginHost/Leak.swift",
                contents: "import Foundation\n\nfunc leak(_ tenantPath: String) -> Data? {\n    FileManager.default.contents(atPath: tenantPath)\n}\n")
            return (clean, try AmbientAuditor(configuration: AuditConfiguration.load(from: copy.root)).audit(packageRoot: copy.root))
        }
        #expect(clean.exitCode == 0)
        #expect(dirty.violations.map(FindingTests.describe) == [
            "Sources/PluginHost/Leak.swift:4:5 foundation-filemanager FileManager.default.contents(atPath:)"
        ])
        #expect(dirty.exitCode == 1)
    }
}

@Suite("Third-party sources")
struct ThirdPartyAuditTests {
    /// SwiftPM checks swift-system out beside this build; where it has, audit it as a real,
    /// unfamiliar code base: every file must parse, and its own test helpers' `chmod` calls are found.
    static let checkout = Fixtures.packageRoot.appending(".build/checkouts/swift-system")
    static var checkoutExists: Bool { (try? Dir.openAmbient(checkout, ambientAuthority())) != nil }

    @Test("swift-system's sources parse and their ambient calls are found", .enabled(if: checkoutExists))
    func swiftSystem() async throws {
        let report = try await onOwnThread {
            let root = try Dir.openAmbient(Self.checkout, ambientAuthority())
            return try AmbientAuditor(configuration: AuditConfiguration()).audit(packageRoot: root)
        }
        #expect(report.parseFailures.isEmpty)
        #expect(report.filesScanned > 40)
        #expect(report.violations.contains { $0.file.hasPrefix("Tests/") && $0.api == "chmod(_:_:)" })
    }
}
