// capwasi-bench: one C guest opening, reading and closing 10,000 small files, under Capsule's WASI
// and under WasmKit's own WASI on the same engine configuration, side by side in one run.
//
// Run with: swift run -c release capwasi-bench [--files N] [--rounds N]
import CapStd
import CapWASI
import Glibc
import SystemPackage
import WasmKit
import WasmKitWASI

let arguments = CommandLine.arguments
func option(_ name: String, default value: Int) -> Int {
    arguments.firstIndex(of: name).flatMap { Int(arguments[$0 + 1]) } ?? value
}
let fileCount = option("--files", default: 10_000)
let rounds = option("--rounds", default: 5)

// The data set: <tmp>/data/f0 ... f<N-1>, 32 bytes each.
var template = Array("/tmp/capwasi-bench-XXXXXX".utf8CString)
guard mkdtemp(&template) != nil else { fatalError("mkdtemp failed: errno \(errno)") }
let scratch = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
let top = try Dir.openAmbient(FilePath(scratch), ambientAuthority())
try top.createDir("data")
let payload = [UInt8](repeating: 0x61, count: 32)
for index in 0..<fileCount { try top.write(RawPath("data/f\(index)"), contents: payload) }
defer {
    try? top.removeDirAll("data")
    _ = rmdir(scratch)
}
let data = try top.openDir("data")

let sourceDirectory = FilePath(#filePath).removingLastComponent().removingLastComponent().appending("Guests")
let wasm = try Dir.openAmbient(sourceDirectory, ambientAuthority()).read("open-read-close.wasm")
let guestArguments = ["open-read-close.wasm", String(fileCount)]
let expectedOutput = "\(fileCount * 32)\n"
let fuelBudget: UInt64 = 1 << 40

func runCapsule() throws -> Duration {
    let module = try WASIModule(bytes: wasm)
    let configuration = WASIConfiguration(
        arguments: guestArguments, preopens: [try Preopen(guestPath: "/data", dir: data, access: .readOnly)],
        limits: WASILimits(maxOpenFiles: 64, fuel: fuelBudget, timeout: nil))
    let start = ContinuousClock.now
    let result = try WASIRunner.run(module, configuration: configuration)
    let elapsed = ContinuousClock.now - start
    precondition(result.exitCode == 0 && String(decoding: result.stdout, as: UTF8.self) == expectedOutput)
    return elapsed
}

/// WasmKit's own WASI; its stdout goes to a pipe so that both hosts do the same work.
func runWasmKit() throws -> Duration {
    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { fatalError("pipe failed") }
    defer {
        close(pipeEnds[0])
        close(pipeEnds[1])
    }
    let engine = Engine(configuration: EngineConfiguration(fuelMetering: true))
    let store = Store(engine: engine)
    store.fuel = Fuel(remaining: fuelBudget)
    let module = try parseWasm(bytes: wasm)
    let start = ContinuousClock.now
    let bridge = try WASIBridgeToHost(
        args: guestArguments, preopens: [.init(guestPath: "/data", hostPath: scratch + "/data")], stdout: pipeEnds[1])
    var imports = Imports()
    bridge.link(to: &imports, store: store)
    let instance = try module.instantiate(store: store, imports: imports)
    let exitCode = try bridge.start(instance)
    try bridge.close()
    let elapsed = ContinuousClock.now - start
    precondition(exitCode == 0)
    return elapsed
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

_ = try runCapsule()
_ = try runWasmKit()
var capsule: [Double] = []
var wasmKit: [Double] = []
for _ in 0..<rounds {
    capsule.append(milliseconds(try runCapsule()))
    wasmKit.append(milliseconds(try runWasmKit()))
}
let capsuleMedian = capsule.sorted()[rounds / 2]
let wasmKitMedian = wasmKit.sorted()[rounds / 2]
func format(_ value: Double) -> String { String((value * 10).rounded() / 10) }
print("capwasi-bench: \(fileCount) files opened, read and closed by one C guest; median of \(rounds) interleaved rounds")
print("Capsule WASI (CapStd):  \(format(capsuleMedian)) ms  (\(format(capsuleMedian * 1e6 / Double(fileCount))) ns/file)")
print("WasmKit WASI:           \(format(wasmKitMedian)) ms  (\(format(wasmKitMedian * 1e6 / Double(fileCount))) ns/file)")
print("ratio Capsule/WasmKit:  \(String((capsuleMedian / wasmKitMedian * 100).rounded() / 100))×")
