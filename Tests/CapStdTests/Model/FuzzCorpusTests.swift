// The fuzzer's kept corpus (Fuzz/corpus), replayed in every test run: each input once found new
// coverage or a disagreement, so each stays a regression check.
import CapStd
import SystemPackage
import Testing
import TestSupport

@Suite("Fuzz corpus")
struct FuzzCorpusTests {
    static let corpus = repositoryRoot.appending("Fuzz/corpus")

    static var inputs: [String] {
        ((try? Dir.openAmbient(corpus, ambientAuthority()).entries()) ?? []).map(\.name.description).sorted()
    }

    @Test("every kept input: both resolvers agree with the model and nothing outside changes")
    func replay() throws {
        let directory = try Dir.openAmbient(Self.corpus, ambientAuthority())
        let inputs = Self.inputs
        #expect(inputs.count >= 5, "the kept corpus is missing")
        var comparisons = 0
        for name in inputs {
            let testCase = GeneratedResolutionCase(fuzzInput: try directory.read(RawPath(name)))
            let report = try checkResolution(testCase)
            #expect(report.problems.isEmpty, "\(name): \(testCase): \(report.problems)")
            comparisons += report.comparisons
        }
        print("fuzz corpus: \(inputs.count) inputs, \(comparisons) paths compared three ways")
    }
}
