// Many runs in a row and many at once leave the process's descriptors and memory where they
// started. Measured in a child process (Tests/LeakProbe), where no other test allocates.
import Foundation
import Testing

@Suite("Leaks")
struct LeakTests {
    /// Descriptors: exact, except the one the probe's own /proc listing may hold.
    static let descriptorTolerance = 1
    /// Resident memory: 8 MiB over the measured runs — under 1 KiB per run for 10,000 sequential
    /// runs. A leaked linear memory (64 KiB) per run would be 640 MiB; a leaked 1 KiB buffer, 10 MiB.
    static let memoryToleranceKiB = 8 * 1024

    @Test("10,000 sequential runs leave descriptors and memory where they started")
    func sequentialRuns() throws {
        let figures = try Self.probe("sequential", 10_000)
        Self.check(figures, runs: 10_000)
    }

    @Test("1,000 concurrent runs leave descriptors and memory where they started")
    func concurrentRuns() throws {
        let figures = try Self.probe("concurrent", 1_000)
        Self.check(figures, runs: 1_000)
    }

    @Test("200 sequential and 60 concurrent component runs leave descriptors and memory where they started")
    func componentRuns() throws {
        Self.check(try Self.probe("sequential", 200, component: true), runs: 200)
        Self.check(try Self.probe("concurrent", 60, component: true), runs: 60)
    }

    static func check(_ figures: [String: Int], runs: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(figures["runs"] == runs, sourceLocation: sourceLocation)
        #expect(figures["failures"] == 0, sourceLocation: sourceLocation)
        #expect(figures["descriptors_inside"] == 0, "descriptors into a tenant tree were left open", sourceLocation: sourceLocation)
        let descriptors = (figures["descriptors_before"] ?? -1, figures["descriptors_after"] ?? -1)
        #expect(descriptors.0 > 0 && abs(descriptors.1 - descriptors.0) <= descriptorTolerance, sourceLocation: sourceLocation)
        let resident = (figures["resident_before_kib"] ?? -1, figures["resident_after_kib"] ?? -1)
        #expect(resident.0 > 0 && resident.1 - resident.0 <= memoryToleranceKiB, sourceLocation: sourceLocation)
    }

    /// Runs the leak probe (built beside this test bundle) and reads its `key=value` line.
    static func probe(_ mode: String, _ count: Int, component: Bool = false) throws -> [String: Int] {
        let probe = try ChildProbe("leak-probe", [mode, String(count)] + (component ? ["component"] : []))
        print("leak probe, \(mode) \(count)\(component ? " component" : ""): \(probe.text.trimmingCharacters(in: .whitespacesAndNewlines))")
        return probe.figures
    }
}
