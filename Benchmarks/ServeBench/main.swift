// Stock file serving against Capsule's, per framework, under the same wrk load, side by side.
//
//     swift run -c release --traits Hummingbird,Vapor capsule-serve-bench [--duration 5] [--connections 16] [--rounds 3]
//
// Four servers run in this process on loopback ports (Hummingbird's LocalFileSystem and
// DirFileProvider, Vapor's FileMiddleware and DirFileMiddleware), each serving the same scratch
// folder; wrk (Debian's package) loads one at a time, the four taking turns in every round so
// that drift on a shared machine falls on all of them alike. A row is the median round.
#if Hummingbird && Vapor
import CapServeHummingbird
import CapServeVapor
import CapStd
import Foundation
import Hummingbird
import SystemPackage
import TestSupport
import Vapor

struct Options {
    var duration = 5
    var connections = 16
    var rounds = 3

    init(_ arguments: [String]) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            let value = rest.popFirst().flatMap(Int.init)
            switch (flag, value) {
            case ("--duration", let value?): duration = value
            case ("--connections", let value?): connections = value
            case ("--rounds", let value?): rounds = value
            default:
                print("usage: capsule-serve-bench [--duration seconds] [--connections n] [--rounds n]")
                exit(2)
            }
        }
    }
}

/// One wrk run's figures.
struct Load {
    let requestsPerSecond: Double
    let p50: String
    let p99: String
    let errors: String
}

/// Runs wrk against `url` and reads its summary.
func wrk(_ url: String, _ options: Options) throws -> Load {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
    process.arguments = ["-t1", "-c\(options.connections)", "-d\(options.duration)s", "--latency", url]
    let output = Pipe()
    process.standardOutput = output
    do { try process.run() } catch { throw BenchError("cannot run /usr/bin/wrk (\(error)); install it with apt-get install -y wrk") }
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    func field(_ prefix: String) -> String? { lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) } }
    guard let rate = field("Requests/sec:").flatMap(Double.init) else { throw BenchError("wrk printed no rate for \(url):\n\(text)") }
    let errors = [field("Non-2xx or 3xx responses:").map { "\($0) non-2xx" }, field("Socket errors:")].compactMap { $0 }
    return Load(requestsPerSecond: rate, p50: field("50%") ?? "?", p99: field("99%") ?? "?", errors: errors.joined(separator: ", "))
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The scratch folder: a small HTML page and a 1 MiB file.
func makeSite() throws -> String {
    let path = try makeTemporaryDirectory(prefix: "capsule-serve-bench")
    let dir = try Dir.openAmbient(FilePath(path), ambientAuthority())
    defer { dir.close() }
    try dir.write("small.html", contents: "<!doctype html><title>bench</title>" + String(repeating: "<p>confined</p>", count: 64))
    try dir.write("large.bin", contents: (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
    return path
}

func startHummingbird<Provider: FileProvider>(_ provider: Provider) async throws -> Int where Provider.FileAttributes: FileMiddlewareFileAttributes {
    let router = Router()
    router.add(middleware: FileMiddleware(fileProvider: provider))
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Hummingbird.Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
    Task { try await app.runService(gracefulShutdownSignals: []) }
    var iterator = ports.makeAsyncIterator()
    return await iterator.next() ?? 0
}

func startVapor(_ middleware: some AsyncMiddleware) async throws -> (Vapor.Application, Int) {
    let app = try await Vapor.Application.make(Environment(name: "production", arguments: ["capsule-serve-bench"]))
    app.logger.logLevel = .error
    app.middleware.use(middleware)
    try await app.server.start(address: .hostname("127.0.0.1", port: 0))
    return (app, app.http.server.shared.localAddress?.port ?? 0)
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let sitePath = try makeSite()
let site = try Dir.openAmbient(FilePath(sitePath), ambientAuthority()).readOnly()
let servers: [(framework: String, provider: String, port: Int)] = [
    ("Hummingbird", "stock LocalFileSystem", try await startHummingbird(LocalFileSystem(rootFolder: sitePath, threadPool: .singleton, logger: .init(label: "bench")))),
    ("Hummingbird", "Capsule DirFileProvider", try await startHummingbird(DirFileProvider(site))),
    ("Vapor", "stock FileMiddleware", try await startVapor(FileMiddleware(publicDirectory: sitePath)).1),
    ("Vapor", "Capsule DirFileMiddleware", try await startVapor(DirFileMiddleware(site)).1),
]
print("wrk -t1 -c\(options.connections) -d\(options.duration)s, \(options.rounds) rounds, median round; \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("file            framework    provider                     requests/s    p50        p99        vs stock")
for file in ["small.html", "large.bin"] {
    var rounds: [[Load]] = Array(repeating: [], count: servers.count)
    for _ in 0..<options.rounds {
        for (index, server) in servers.enumerated() {
            rounds[index].append(try wrk("http://127.0.0.1:\(server.port)/\(file)", options))
        }
    }
    let medians = rounds.map { $0.sorted { $0.requestsPerSecond < $1.requestsPerSecond }[$0.count / 2] }
    let label = file == "small.html" ? "small (1 KiB)" : "1 MiB"
    for (index, server) in servers.enumerated() {
        let median = medians[index]
        let stock = medians[index - index % 2].requestsPerSecond
        let ratio = index % 2 == 1 ? String(format: "%.2f×", median.requestsPerSecond / stock) : ""
        let cells = [
            label.padding(toLength: 15, withPad: " ", startingAt: 0), server.framework.padding(toLength: 12, withPad: " ", startingAt: 0),
            server.provider.padding(toLength: 28, withPad: " ", startingAt: 0),
            String(format: "%10.0f", median.requestsPerSecond).padding(toLength: 13, withPad: " ", startingAt: 0),
            median.p50.padding(toLength: 10, withPad: " ", startingAt: 0), median.p99.padding(toLength: 10, withPad: " ", startingAt: 0), ratio,
        ]
        print(cells.joined(separator: " ") + (median.errors.isEmpty ? "" : "  (\(median.errors))"))
    }
}
if let top = try? Dir.openAmbient(FilePath("/tmp"), ambientAuthority()) {
    try? top.removeDirAll(RawPath(String(sitePath.dropFirst("/tmp/".count))))
}
exit(0)
#else
print("Build with both framework traits: swift run -c release --traits Hummingbird,Vapor capsule-serve-bench")
#endif
