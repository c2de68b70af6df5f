// Property-based differential test: generated trees and hostile paths, resolved by the kernel
// resolver, the userspace resolver and the reference model; all three must agree.
import PropertyBased
import Synchronization
import Testing
import TestSupport

@Suite("Resolution model")
struct ModelPropertyTests {
    static let treeChoices = Gen.int(in: 0...100_000).array(of: 3...14)
    static let pathChoices = Gen.int(in: 0...100_000).array(of: 1...7).array(of: 48)
    static let cases = 120

    @Test("kernel resolver, userspace resolver and the model agree on generated trees and paths")
    func resolversMatchModel() async throws {
        let total = Mutex(ResolutionReport())
        await propertyCheck(count: Self.cases, input: Self.treeChoices, Self.pathChoices) { treeChoices, pathChoices in
            let testCase = GeneratedResolutionCase(treeChoices: treeChoices, pathChoices: pathChoices)
            let report = try checkResolution(testCase)
            #expect(report.problems.isEmpty, "\(testCase): \(report.problems)")
            total.withLock { total in
                total.comparisons += report.comparisons
                total.outcomes.merge(report.outcomes, uniquingKeysWith: +)
            }
        }
        let report = total.withLock { $0 }
        print("resolution model: \(report.comparisons) paths compared three ways over \(Self.cases) generated trees: \(report.outcomes.sorted { $0.key < $1.key })")
        #expect(report.comparisons == Self.cases * 48 * 2)
        // The generators must reach every rule, or agreement means little.
        for kind in ["success", "EXDEV", "ENOENT", "ENOTDIR", "ENAMETOOLONG", "ELOOP"] {
            #expect(report.outcomes[kind, default: 0] > 50, "too few \(kind) outcomes: \(report.outcomes)")
        }
    }
}
