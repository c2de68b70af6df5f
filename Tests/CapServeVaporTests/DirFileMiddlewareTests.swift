// Vapor with DirFileMiddleware, on loopback, against the hostile table.
#if Vapor
import CapServeVapor
import CapStd
import ServeTestSupport
import SystemPackage
import TestSupport
import Testing
import Vapor

@Suite("Vapor: DirFileMiddleware, on loopback")
struct DirFileMiddlewareTests {
    @Test("serves what is inside and refuses every way out", arguments: [Resolver.kernel, .userspace])
    func hostileTable(resolver: Resolver) async throws {
        let site = try HostileSite()
        let log = LogRecord()
        try await Self.withServer(DirFileMiddleware(try Self.open(site, resolver)), logger: log.logger()) { client in
            let rows = ServeCase.servable + ServeCase.escapes + ServeCase.ranges + ServeCase.rfcRanges + ServeCase.capsuleAnswers
            let problems = try await tableFailures(of: rows, on: client)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
        #expect(try site.outsideFilesRead() == [])
        let denied = log.warnings
        let undenied = undeniedPaths(["/out-rel.txt", "/out_dir/secret.txt", "/fifo", "/loop-a", "/%2e%2e/secret.txt", "/note.txt%00.html"], in: denied)
        #expect(undenied.isEmpty, "no denial logged for \(undenied)")
        #expect(!denied.contains { $0.contains("/missing.txt") }, "a missing file is not a denial")
    }

    @Test("a file replaced by a symlink out between two requests is refused", arguments: [Resolver.kernel, .userspace])
    func swappedFile(resolver: Resolver) async throws {
        let site = try HostileSite()
        try await Self.withServer(DirFileMiddleware(try Self.open(site, resolver))) { client in
            let problems = try await swapFailures(site, on: client)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
        #expect(try site.outsideFilesRead() == [])
    }

    @Test("a name that is not UTF-8 is asked for with escapes and served")
    func nonUTF8Name() async throws {
        let site = try HostileSite()
        try site.addFile(HostileSite.latin1Name, contents: "latin-1 name")
        try await Self.withServer(DirFileMiddleware(try Self.open(site, .automatic))) { client in
            let response = try await client.sendRaw("/latin-%E9.txt")
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "latin-1 name")
        }
    }

    @Test("routes still answer what no file matches")
    func fallsThroughToRoutes() async throws {
        let site = try HostileSite()
        try await Self.withServer(DirFileMiddleware(try Self.open(site, .automatic))) { client in
            let ping = try await client.send("/api/ping")
            let escape = try await client.send("/out-rel.txt")
            let post = try await client.send("/note.txt", method: "POST")
            #expect(ping.body == Array("pong".utf8))
            #expect(escape.status == 404)
            #expect(post.status == 404)
        }
    }

    /// The same table against Vapor's stock `FileMiddleware`, printed, and asserted to read
    /// outside the folder: the control that shows what the middleware prevents. The FIFO rows are
    /// left out: the stock open would block until a writer came.
    @Test("control: Vapor's stock FileMiddleware on the same table reads outside the folder")
    func stockControl() async throws {
        let site = try HostileSite()
        let stock = FileMiddleware(publicDirectory: site.publicPath, defaultFile: "index.html", directoryAction: .redirect)
        try await Self.withServer(stock) { client in
            let rows = (ServeCase.escapes + ServeCase.ranges + ServeCase.rfcRanges).filter { !$0.path.hasPrefix("/fifo") }
            for line in await record(of: rows, on: client, label: "vapor stock") { print(line) }
        }
        let read = try site.outsideFilesRead()
        print("[vapor stock] outside files read: \(read)")
        // The danger the confined tests control for: unconfined, the same requests read the
        // secret and the pages outside the folder (through the symlinks out). Without it, a
        // site that had lost its links out would let every confined test pass for nothing.
        #expect(Set(read).isSuperset(of: ["secret.txt", "outside/page.html"]), "the stock server read \(read)")
    }

    /// Requests whose paths hold CR, LF, NUL, ESC and bytes that are not UTF-8.
    static let forgingPaths = ["/%0D%0AFORGED%20warning%1B%5B31m%00.txt", "/a%0Ab/%2e%2e/%FF%0D", "/%E2%80%AEtxt.exe"]

    @Test("a client's CR, LF, NUL, ESC and invalid UTF-8 are escaped in every log line: denials and the request log")
    func forgedLogLines() async throws {
        let site = try HostileSite()
        let log = LogRecord()
        let middleware = DirFileMiddleware(try Self.open(site, .automatic))
        try await Self.withServer(middleware, logger: log.logger(), requestLog: RequestLogMiddleware()) { client in
            for path in Self.forgingPaths {
                let status = try await client.sendRaw(path).status
                #expect(status == 404, "\(path)")
            }
        }
        let messages = log.messages
        #expect(messages.allSatisfy { isPrintable($0) }, "\(messages)")
        // The Vapor adapter's denials show the path as it came, percent-encoded.
        #expect(messages.contains { $0.hasPrefix("denied: /%0D%0AFORGED%20warning%1B%5B31m%00.txt:") }, "\(messages)")
        #expect(messages.contains(#"GET /\r\nFORGED warning\x1B[31m\0.txt"#), "\(messages)")

        // The control: Vapor's own request logger, installed by default, writes the line break.
        let stockLog = LogRecord()
        try await Self.withServer(middleware, logger: stockLog.logger()) { client in
            _ = try await client.sendRaw(Self.forgingPaths[0])
        }
        #expect(stockLog.messages.contains { $0.contains("\r\nFORGED warning\u{1B}") }, "\(stockLog.messages)")
    }

    static func open(_ site: HostileSite, _ resolver: Resolver) throws -> Dir {
        try Dir.openAmbient(FilePath(site.publicPath), ambientAuthority(), resolver: resolver).readOnly()
    }

    /// Runs `body` against a Vapor server on an ephemeral loopback port with `middleware` before
    /// its one route, `GET /api/ping`.
    /// With `requestLog`, it replaces Vapor's default middleware (its request logger and error
    /// middleware).
    static func withServer(
        _ middleware: some AsyncMiddleware, logger: Logger = Logger(label: "vapor-test"), requestLog: RequestLogMiddleware? = nil,
        _ body: @Sendable (LoopbackClient) async throws -> Void
    ) async throws {
        let app = try await Application.make(.testing)
        app.logger = logger
        if let requestLog {
            app.middleware = Middlewares()
            app.middleware.use(requestLog)
            app.middleware.use(ErrorMiddleware.default(environment: app.environment))
        }
        app.middleware.use(middleware)
        app.get("api", "ping") { _ in "pong" }
        try await running({
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            try await LoopbackClient.with(port: app.http.server.shared.localAddress?.port ?? 0, body)
        }, finally: {
            await app.server.shutdown()
            try await app.asyncShutdown()
        })
    }
}
#endif
