// Hummingbird's stock FileMiddleware with DirFileProvider, on loopback, against the hostile table.
#if Hummingbird
import CapServeHummingbird
import CapStd
import Foundation
import Hummingbird
import Logging
import ServeTestSupport
import ServiceLifecycle
import SystemPackage
import TestSupport
import Testing

@Suite("Hummingbird: FileMiddleware over DirFileProvider, on loopback")
struct DirFileProviderTests {
    /// Hummingbird's own answers where they differ from RFC 9110; the provider keeps headers and
    /// body in agreement: the middleware reads `bytes=-2` as `0-2` and answers an inverted range 416.
    static let middlewareRanges: [ServeCase] = [
        ServeCase("/note.txt", headers: [("Range", "bytes=-2")], .partial(Array("hel".utf8), contentRange: "bytes 0-2/5")),
        ServeCase("/note.txt", headers: [("Range", "bytes=3-1")], .status(416)),
    ]

    /// The stock middleware answers 400 to any path holding `..` once decoded, before a provider
    /// sees it; every other refusal is the provider's 404.
    static func refusalStatus(_ row: ServeCase) -> Int {
        row.path.removingPercentEncoding?.contains("..") == true ? 400 : 404
    }

    @Test("serves what is inside and refuses every way out", arguments: [Resolver.kernel, .userspace])
    func hostileTable(resolver: Resolver) async throws {
        let site = try HostileSite()
        let log = LogRecord()
        let provider = DirFileProvider(try Self.open(site, resolver), logger: log.logger())
        try await Self.withServer(FileMiddleware(fileProvider: provider, searchForIndexHtml: true)) { client in
            let rows = ServeCase.servable + ServeCase.escapes + ServeCase.ranges + Self.middlewareRanges
            let problems = try await tableFailures(of: rows, on: client, refusalStatus: Self.refusalStatus)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
        #expect(try site.outsideFilesRead() == [])
        let denied = log.warnings
        let undenied = undeniedPaths(["/out-rel.txt", "/out_dir/secret.txt", "/fifo", "/loop-a", #"/note.txt\0.html"#], in: denied)
        #expect(undenied.isEmpty, "no denial logged for \(undenied)")
        #expect(!denied.contains { $0.contains("/missing.txt") }, "a missing file is not a denial")
    }

    @Test("a client's CR, LF, NUL, ESC and bidirectional overrides are escaped in the denials logged")
    func forgedLogLines() async throws {
        let site = try HostileSite()
        let log = LogRecord()
        let provider = DirFileProvider(try Self.open(site, .automatic), logger: log.logger())
        try await Self.withServer(FileMiddleware(fileProvider: provider, searchForIndexHtml: true)) { client in
            for path in ["/%0D%0AFORGED%20warning%1B%5B31m%00.txt", "/a%0Ab%00", "/%E2%80%AEtxt.exe%00"] {
                _ = try await client.sendRaw(path)
            }
        }
        let messages = log.messages
        #expect(messages.allSatisfy { isPrintable($0) }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix(#"denied: /\r\nFORGED warning\x1B[31m\0.txt:"#) }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix(#"denied: /\u{202E}txt.exe\0:"#) }, "\(messages)")
    }

    @Test("a file replaced by a symlink out between two requests is refused", arguments: [Resolver.kernel, .userspace])
    func swappedFile(resolver: Resolver) async throws {
        let site = try HostileSite()
        let provider = DirFileProvider(try Self.open(site, resolver))
        try await Self.withServer(FileMiddleware(fileProvider: provider)) { client in
            let problems = try await swapFailures(site, on: client)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
        #expect(try site.outsideFilesRead() == [])
    }

    /// Hummingbird decodes the path before the provider sees it and turns bytes that are not UTF-8
    /// into U+FFFD, so such a name cannot be asked for: the request misses, it never reaches
    /// another file.
    @Test("a name that is not UTF-8 answers 404: Hummingbird's decoding has already replaced it")
    func nonUTF8Name() async throws {
        let site = try HostileSite()
        try site.addFile(HostileSite.latin1Name, contents: "latin-1 name")
        let provider = DirFileProvider(try Self.open(site, .automatic))
        try await Self.withServer(FileMiddleware(fileProvider: provider)) { client in
            #expect(try await client.sendRaw("/latin-%E9.txt").status == 404)
            try site.addFile(RawPath("latin-\u{FFFD}.txt"), contents: "replacement name")
            let replaced = try await client.sendRaw("/latin-%E9.txt")
            #expect(replaced.status == 200 && replaced.body == Array("replacement name".utf8))
        }
    }

    /// The same table against Hummingbird's stock `LocalFileSystem`, printed, and asserted to
    /// read outside the folder: the control that shows what the provider prevents. The FIFO rows
    /// are left out: the stock provider's open would block a thread-pool thread until a writer came.
    @Test("control: the stock LocalFileSystem on the same table reads outside the folder")
    func stockControl() async throws {
        let site = try HostileSite()
        try await Self.withServer(FileMiddleware(site.publicPath, searchForIndexHtml: true)) { client in
            let rows = (ServeCase.escapes + ServeCase.ranges).filter { !$0.path.hasPrefix("/fifo") }
            for line in await record(of: rows, on: client, label: "hummingbird stock") { print(line) }
        }
        let read = try site.outsideFilesRead()
        print("[hummingbird stock] outside files read: \(read)")
        // The danger the confined tests control for: unconfined, the same requests read the
        // secret and the pages outside the folder (through the symlinks out). Without it, a
        // site that had lost its links out would let every confined test pass for nothing.
        #expect(Set(read).isSuperset(of: ["secret.txt", "outside/page.html"]), "the stock server read \(read)")
    }

    static func open(_ site: HostileSite, _ resolver: Resolver) throws -> Dir {
        try Dir.openAmbient(FilePath(site.publicPath), ambientAuthority(), resolver: resolver).readOnly()
    }

    /// Runs `body` against a Hummingbird server on an ephemeral loopback port serving through `middleware`.
    static func withServer<M: RouterMiddleware>(
        _ middleware: M, _ body: @Sendable (LoopbackClient) async throws -> Void
    ) async throws where M.Context == BasicRequestContext {
        let router = Router()
        router.add(middleware: middleware)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "hummingbird-test"))
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: app.logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            try await running({ try await LoopbackClient.with(port: port, body) }, finally: { await services.triggerGracefulShutdown() })
        }
    }
}
#endif
