// Suite 6: what the component model adds on top of WasmKit. A host call lowered with
// `canon lower` (a string and a list<u32> lifted into [ComponentValue] for a Swift closure, or
// read by the closure itself as a String and a [UInt32]) beside a plain core host call with the same core arguments; and instantiating a 4-module
// component (main + preview 1 adapter + shim + fixup) beside instantiating its main module alone.
import CapComponent
import WasmKit

struct ComponentSuite {
    let rounds: Int
    /// Guest → host calls per round, in one guest loop.
    let calls: Int
    /// Instantiations per round.
    let instantiations: Int

    func run(into report: inout BenchReport) throws {
        try measureCalls(into: &report)
        try measureInstantiation(into: &report)
    }

    /// Counts the calls a host function received, so that every round can be checked.
    private final class Counter {
        var calls = 0
    }

    /// ns per call of `loop n` in Benchmarks/Guests/component-calls.wasm (the lowered import) and
    /// core-calls.wasm (the same loop calling a core import), both host functions doing nothing
    /// with their arguments.
    private func measureCalls(into report: inout BenchReport) throws {
        let engine = Engine()
        let component = try Component(bytes: try checkoutFile("Benchmarks/Guests/component-calls.wasm"))

        // Once, outside the timing: the lowered import receives what the guest passed.
        let check = ComponentLinker(engine: engine)
        var received: [ComponentValue] = []
        check.define(nil, "sink") { arguments in
            received = arguments
            return nil
        }
        try check.instantiate(component).call("loop", [.u32(1)])
        let expected: [ComponentValue] = [.string("0123456789abcdef"), .list((0..<16).map { .u32(UInt32($0)) })]
        guard received == expected else { throw BenchError("components: the lowered import received \(received)") }

        let lowered = Counter()
        let linker = ComponentLinker(engine: engine)
        linker.define(nil, "sink") { _ in
            lowered.calls += 1
            return nil
        }
        let componentInstance = try linker.instantiate(component)
        guard let componentLoop = componentInstance.function("loop") else { throw BenchError("components: no loop export") }

        // The same import reading its arguments itself: a String and a [UInt32] made, no
        // ComponentValue; checked once, outside the timing, like the lifted one.
        let reading = Counter()
        var read: (String, [UInt32]) = ("", [])
        let readingLinker = ComponentLinker(engine: engine)
        readingLinker.defineReading(nil, "sink") { arguments in
            read = (try arguments.string(), try arguments.u32List())
            reading.calls += 1
            return nil
        }
        let readingInstance = try readingLinker.instantiate(component)
        guard let readingLoop = readingInstance.function("loop") else { throw BenchError("components: no loop export") }
        try readingLoop.call([.u32(1)])
        guard read.0 == "0123456789abcdef", read.1 == Array(0..<16) else {
            throw BenchError("components: the reading import read \(read)")
        }

        // And reading them where they lie (`withUTF8`, `withU32List`): the string checked to be
        // UTF-8 and every byte and element read, nothing allocated.
        let inPlace = Counter()
        var digest: (bytes: Int, sum: UInt32) = (0, 0)
        let inPlaceLinker = ComponentLinker(engine: engine)
        inPlaceLinker.defineReading(nil, "sink") { arguments in
            let bytes = try arguments.withUTF8 { text in text.reduce(0) { $0 &+ Int($1) } }
            digest = (bytes, try arguments.withU32List { numbers in numbers.reduce(0, &+) })
            inPlace.calls += 1
            return nil
        }
        let inPlaceInstance = try inPlaceLinker.instantiate(component)
        guard let inPlaceLoop = inPlaceInstance.function("loop") else { throw BenchError("components: no loop export") }
        try inPlaceLoop.call([.u32(1)])
        guard digest.bytes == "0123456789abcdef".utf8.reduce(0, { $0 + Int($1) }), digest.sum == (0..<16).reduce(0, +) else {
            throw BenchError("components: the in-place import read \(digest)")
        }

        let core = try parseWasm(bytes: try checkoutFile("Benchmarks/Guests/core-calls.wasm"))
        func coreLoop(raw: Bool, _ counter: Counter) throws -> Function {
            let store = Store(engine: engine)
            let parameters: [WasmKit.ValueType] = [.i32, .i32, .i32, .i32]
            let sink =
                raw
                ? Function(store: store, parameters: parameters, results: [], raw: { _, _, _ in counter.calls += 1 })
                : Function(store: store, parameters: parameters, results: []) { _, _ in
                    counter.calls += 1
                    return []
                }
            var imports = Imports()
            imports.define(module: "host", name: "sink", sink)
            guard let loop = try core.instantiate(store: store, imports: imports).exports[function: "loop"] else {
                throw BenchError("components: core-calls.wasm exports no loop")
            }
            return loop
        }
        let plain = Counter()
        let raw = Counter()
        let plainLoop = try coreLoop(raw: false, plain)
        let rawLoop = try coreLoop(raw: true, raw)

        let n = calls
        func perCall(_ counter: Counter, _ body: () throws -> Void) throws -> Double {
            counter.calls = 0
            let time = try timed(body)
            guard counter.calls == n else { throw BenchError("components: \(counter.calls) host calls, not \(n)") }
            return time / Double(n)
        }
        let contenders: [() throws -> Double] = [
            { try perCall(plain) { try plainLoop.invoke([.i32(UInt32(n))]) } },
            { try perCall(raw) { try rawLoop.invoke([.i32(UInt32(n))]) } },
            { try perCall(lowered) { try componentLoop.call([.u32(UInt32(n))]) } },
            { try perCall(reading) { try readingLoop.call([.u32(UInt32(n))]) } },
            { try perCall(inPlace) { try inPlaceLoop.call([.u32(UInt32(n))]) } },
        ]
        for contender in contenders { _ = try contender() }
        let samples = try interleave(rounds: rounds, contenders)

        let suite = "host call: string + list<u32>"
        let note = "\(n) calls per round from one guest loop"
        report.add([
            BenchRow(suite: suite, name: "core host call (4 × i32)", value: median(samples[0]), unit: "ns/call", note: note),
            BenchRow(
                suite: suite, name: "core host call, raw buffers (4 × i32)", value: median(samples[1]), unit: "ns/call",
                note: "WasmKit's buffer-based host function, as canon lower uses"),
            BenchRow(
                suite: suite, name: "lowered host call (canon lower)", value: median(samples[2]), unit: "ns/call",
                note: "16-byte string + 16 × u32 lifted to [ComponentValue]"),
            BenchRow(
                suite: suite, name: "lowered host call, reading its arguments", value: median(samples[3]), unit: "ns/call",
                note: "the same, read as a String and a [UInt32] (ComponentLinker.defineReading)"),
            BenchRow(
                suite: suite, name: "lowered host call, reading its arguments in place", value: median(samples[4]), unit: "ns/call",
                note: "the same, read where they lie (withUTF8, withU32List): every byte and element, nothing allocated"),
        ], baseline: "core host call (4 × i32)")
        let ratio = median(samples[3]) / median(samples[0])
        let inPlaceRatio = median(samples[4]) / median(samples[0])
        report.targets.append(BenchTarget(
            suite: suite, target: "a lowered string + list<u32> call ≤ 2× a core host call (issue 26)",
            measured: "\(format(inPlaceRatio, decimals: 2))× read in place, \(format(ratio, decimals: 2))× into a String and a [UInt32]",
            met: inPlaceRatio <= 2))
    }

    /// µs per instantiation of Tests/CapComponentTests/Components/hello-p2.wasm with every import
    /// stubbed, and of its main core module (Benchmarks/Guests/hello-p2-main.wasm, copied out of
    /// it) in a new WasmKit store with a stub `fd_write`. Both parsed and validated once.
    private func measureInstantiation(into report: inout BenchReport) throws {
        let engine = Engine()
        let component = try Component(bytes: try checkoutFile("Tests/CapComponentTests/Components/hello-p2.wasm"))
        guard component.coreModuleCount == 4 else { throw BenchError("components: hello-p2.wasm has \(component.coreModuleCount) core modules") }
        struct Stub: Error {}
        let linker = ComponentLinker(engine: engine)
        var output: [UInt8] = []
        for requirement in component.requirements {
            if requirement.isResource {
                linker.defineResource(requirement.interface, requirement.name)
            } else {
                linker.define(requirement.interface, requirement.name) { _ in throw Stub() }
            }
        }
        guard let input = linker.resourceType("wasi:io/streams@0.2.0", "input-stream"),
            let stream = linker.resourceType("wasi:io/streams@0.2.0", "output-stream")
        else { throw BenchError("components: hello-p2.wasm imports no streams") }
        // What the adapter calls to write "hi\n", so that one run checks the instance works.
        linker.define("wasi:cli/stdin@0.2.0", "get-stdin") { _ in .own(ResourceHandle(type: input, representation: 0)) }
        linker.define("wasi:cli/stdout@0.2.0", "get-stdout") { _ in .own(ResourceHandle(type: stream, representation: 1)) }
        linker.define("wasi:cli/stderr@0.2.0", "get-stderr") { _ in .own(ResourceHandle(type: stream, representation: 2)) }
        linker.define("wasi:filesystem/preopens@0.2.0", "get-directories") { _ in .list([]) }
        linker.define("wasi:io/streams@0.2.0", "[method]output-stream.check-write") { _ in .result(.success(.u64(4096))) }
        let write: ComponentLinker.HostFunction = { arguments in
            if arguments.count == 2, case .bytes(let bytes) = arguments[1] {
                output.append(contentsOf: bytes)
            }
            return .result(.success(nil))
        }
        linker.define("wasi:io/streams@0.2.0", "[method]output-stream.write", write)
        linker.define("wasi:io/streams@0.2.0", "[method]output-stream.blocking-write-and-flush", write)
        linker.define("wasi:io/streams@0.2.0", "[method]output-stream.blocking-flush") { _ in .result(.success(nil)) }
        let result = try linker.instantiate(component).call("wasi:cli/run@0.2.0", "run", [])
        guard result == .result(.success(nil)), output == Array("hi\n".utf8) else {
            throw BenchError("components: hello-p2.wasm ran to \(String(describing: result)), printing \(output)")
        }

        let main = try parseWasm(bytes: try checkoutFile("Benchmarks/Guests/hello-p2-main.wasm"))
        func instantiateMain() throws -> Instance {
            let store = Store(engine: engine)
            var imports = Imports()
            imports.define(
                module: "wasi_snapshot_preview1", name: "fd_write",
                Function(store: store, parameters: [.i32, .i32, .i32, .i32], results: [.i32]) { _, _ in [.i32(0)] })
            return try main.instantiate(store: store, imports: imports)
        }
        guard let run = try instantiateMain().exports[function: "wasi:cli/run@0.2.0#run"],
            try run.invoke() == [.i32(0)]
        else { throw BenchError("components: hello-p2-main.wasm did not run") }

        let n = instantiations
        let contenders: [() throws -> Double] = [
            { try timed { for _ in 0..<n { _ = try instantiateMain() } } / Double(n) / 1000 },
            { try timed { for _ in 0..<n { _ = try linker.instantiate(component) } } / Double(n) / 1000 },
        ]
        for contender in contenders { _ = try contender() }
        let samples = try interleave(rounds: rounds, contenders)

        let suite = "instantiation: hello-p2"
        report.add([
            BenchRow(
                suite: suite, name: "main core module alone (WasmKit)", value: median(samples[0]), unit: "µs",
                note: "new store, stub fd_write; \(n) per round"),
            BenchRow(
                suite: suite, name: "4-module component (CapComponent)", value: median(samples[1]), unit: "µs",
                note: "main + adapter + shim + fixup, every import stubbed; \(n) per round"),
        ], baseline: "main core module alone (WasmKit)")
    }
}
