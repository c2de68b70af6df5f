// libFuzzer target: bytes become a tree and hostile paths; the kernel resolver, the userspace
// resolver and the reference model must agree, and nothing outside the tree may change.
// Build and run with Fuzz/fuzz.sh; without the fuzzer it replays the files it is given.
import TestSupport

/// One input: any disagreement or touch outside the tree is a crash libFuzzer keeps.
@_cdecl("LLVMFuzzerTestOneInput")
public func resolverFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let testCase = GeneratedResolutionCase(fuzzInput: Array(UnsafeBufferPointer(start: data, count: size)))
    do {
        let report = try checkResolution(testCase)
        if !report.problems.isEmpty { fatalError("\(testCase): \(report.problems)") }
    } catch {
        fatalError("\(testCase): the check itself failed: \(error)")
    }
    return 0
}

#if CAPSULE_FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to this symbol; libFuzzer's driver takes over from here.
@_cdecl("resolver_fuzz_main")
func resolverFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in resolverFuzzOne(data, size) }
}
#else
import CapStd
import SystemPackage

/// Without the fuzzer: replays each file named on the command line, as a regression check.
@main
enum ResolverFuzzReplay {
    static func main() throws {
        var failures = 0
        for argument in CommandLine.arguments.dropFirst() {
            let path = FilePath(argument)
            let directory = try Dir.openAmbient(path.removingLastComponent(), ambientAuthority())
            let bytes = try directory.read(RawPath(path.lastComponent?.string ?? ""))
            let testCase = GeneratedResolutionCase(fuzzInput: bytes)
            let report = try checkResolution(testCase)
            print("\(argument): \(report.comparisons) comparisons, \(report.problems.count) problems")
            for problem in report.problems { print("  \(problem)") }
            if !report.problems.isEmpty { failures += 1 }
        }
        if failures > 0 { throw ReplayFailure(count: failures) }
    }
}

struct ReplayFailure: Error, CustomStringConvertible {
    let count: Int
    var description: String { "\(count) input(s) showed a disagreement" }
}
#endif
