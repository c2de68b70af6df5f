// capstd-bench: the cost of confined opens, against the raw openat2 system call, in one run.
//
// Run with: swift run -c release capstd-bench [--rounds N] [--json]
import CapStd
import CBenchFloor
import CCapStdShims
import Glibc
import SystemPackage

/// One measured operation: a name and a closure that performs it `iterations` times.
struct Measurement {
    let suite: String
    let name: String
    let depth: Int
    let body: (Int) throws -> Void
}

let arguments = CommandLine.arguments
let emitJSON = arguments.contains("--json")
let rounds = arguments.firstIndex(of: "--rounds").flatMap { Int(arguments[$0 + 1]) } ?? 7
let iterations = 20_000

// A scratch tree: d1/d2/.../d7/f (depth 8), f (depth 1), and s -> d1 for the symlink variant.
var template = Array("/tmp/capstd-bench-XXXXXX".utf8CString)
guard mkdtemp(&template) != nil else { fatalError("mkdtemp failed: errno \(errno)") }
let scratch = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
let top = try Dir.openAmbient(FilePath(scratch), ambientAuthority())
let deep = (1...7).map { "d\($0)" }.joined(separator: "/")
try top.createDirAll(RawPath(deep))
try top.write(RawPath(deep + "/f"), contents: "x")
try top.write("f", contents: "x")
try top.write("d1/d2/d3/f", contents: "x")
try top.symlink(target: "d1", at: "s")
defer { try? top.removeDirAll("d1"); try? top.removeFile("f"); try? top.removeFile("s"); _ = rmdir(scratch) }

let kernelDir = try Dir.openAmbient(FilePath(scratch), ambientAuthority(), resolver: .kernel)
let userspaceDir = try Dir.openAmbient(FilePath(scratch), ambientAuthority(), resolver: .userspace)
let rawBase = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
let resolveFlags = CAPSULE_RESOLVE_BENEATH | CAPSULE_RESOLVE_NO_MAGICLINKS

let paths: [(label: String, depth: Int, path: String)] = [
    ("depth 1", 1, "f"),
    ("depth 4", 4, "d1/d2/d3/f"),
    ("depth 8", 8, deep + "/f"),
    ("depth 8 via symlink", 8, "s/" + deep.split(separator: "/").dropFirst().joined(separator: "/") + "/f"),
]

var measurements: [Measurement] = []
for (label, depth, path) in paths {
    let raw = RawPath(path)
    measurements.append(Measurement(suite: "open " + label, name: "raw openat2+close", depth: depth) { count in
        for _ in 0..<count {
            let fd = capsule_openat2(rawBase, path, UInt64(O_RDONLY | O_CLOEXEC), 0, resolveFlags)
            precondition(fd >= 0, "openat2 failed: \(-fd)")
            _ = capsule_close(fd)
        }
    })
    measurements.append(Measurement(suite: "open " + label, name: "Dir.open kernel", depth: depth) { count in
        for _ in 0..<count { _ = try kernelDir.open(raw) }
    })
    measurements.append(Measurement(suite: "open " + label, name: "Dir.open userspace", depth: depth) { count in
        for _ in 0..<count { _ = try userspaceDir.open(raw) }
    })
    if !path.hasPrefix("s/") {
        measurements.append(Measurement(suite: "open " + label, name: "C floor: openat per level", depth: depth) { count in
            for _ in 0..<count { precondition(bench_floor_component_walk(rawBase, path) == 0) }
        })
    }
    measurements.append(Measurement(suite: "metadata " + label, name: "raw openat2+fstat+close", depth: depth) { count in
        var info = stat()
        for _ in 0..<count {
            let fd = capsule_openat2(rawBase, path, UInt64(CAPSULE_O_PATH | O_CLOEXEC), 0, resolveFlags)
            precondition(fd >= 0, "openat2 failed: \(-fd)")
            _ = capsule_fstat(fd, &info)
            _ = capsule_close(fd)
        }
    })
    measurements.append(Measurement(suite: "metadata " + label, name: "Dir.metadata kernel", depth: depth) { count in
        for _ in 0..<count { _ = try kernelDir.metadata(raw) }
    })
    measurements.append(Measurement(suite: "metadata " + label, name: "Dir.metadata userspace", depth: depth) { count in
        for _ in 0..<count { _ = try userspaceDir.metadata(raw) }
    })
}

/// Nanoseconds per operation: rounds interleave all measurements so machine noise hits each
/// alike, and the median round is reported.
var samples = Array(repeating: [Double](), count: measurements.count)
for measurement in measurements { try measurement.body(iterations / 10) }  // warm-up
for _ in 0..<rounds {
    for (index, measurement) in measurements.enumerated() {
        let clock = ContinuousClock()
        let elapsed = try clock.measure { try measurement.body(iterations) }
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        samples[index].append(nanoseconds / Double(iterations))
    }
}
let medians = samples.map { $0.sorted()[$0.count / 2] }

func formatted(_ value: Double, decimals: Int) -> String {
    var scaled = (value * Double(Int(pow(10.0, Double(decimals))))).rounded()
    scaled /= pow(10.0, Double(decimals))
    return String(scaled)
}

var baseline: [String: Double] = [:]
for (index, measurement) in measurements.enumerated() where measurement.name.hasPrefix("raw") {
    baseline[measurement.suite] = medians[index]
}

if emitJSON {
    let rows = measurements.enumerated().map { index, measurement in
        let ratio = medians[index] / baseline[measurement.suite]!
        return "{\"suite\":\"\(measurement.suite)\",\"name\":\"\(measurement.name)\",\"ns_per_op\":\(formatted(medians[index], decimals: 1)),\"ratio_to_raw\":\(formatted(ratio, decimals: 3))}"
    }
    print("[" + rows.joined(separator: ",\n ") + "]")
} else {
    print("capstd-bench: \(rounds) rounds × \(iterations) operations, median round; ratio is to the raw system call")
    print("suite".padding(30) + "operation".padding(27) + "ns/op".padding(10) + "ratio")
    for (index, measurement) in measurements.enumerated() {
        let ratio = medians[index] / baseline[measurement.suite]!
        print(measurement.suite.padding(30) + measurement.name.padding(27)
            + formatted(medians[index], decimals: 0).padding(10) + formatted(ratio, decimals: 2) + "×")
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
