// Vapor with DirFileMiddleware, on loopback, against the hostile table.
#if Vapor
import CapServeVapor
import CapStd
import ServeTestSupport
import SystemPackage
import Testing
import Vapor

@Suite("Vapor: DirFileMiddleware, on loopback")
struct DirFileMiddlewareTests {
    /// Ranges RFC 9110 answers and Vapor's stock middleware does too: a suffix range, and forms
    /// a server ignores (inverted, several ranges) answered with the whole file.
    static let rfcRanges: [ServeCase] = [
        ServeCase("/note.txt", headers: [("Range", "bytes=-2")], .partial(Array("lo".utf8), contentRange: "bytes 3-4/5")),
        ServeCase("/note.txt", headers: [("Range", "bytes=-100")], .partial(Array("hello".utf8), contentRange: "bytes 0-4/5")),
        ServeCase("/note.txt", headers: [("Range", "bytes=3-1")], .file(Array("hello".utf8))),
        ServeCase("/note.txt", headers: [("Range", "bytes=0-1,3-4")], .file(Array("hello".utf8))),
        ServeCase("/note.txt", headers: [("Range", "bytes=-0")], .empty(status: 416)),
        ServeCase("/note.txt", headers: [("Range", "items=1-2")], .file(Array("hello".utf8))),
        ServeCase("/note.txt", headers: [("If-None-Match", "*")], .empty(status: 304)),
    ]

    @Test("serves what is inside and refuses every way out", arguments: [Resolver.kernel, .userspace])
    func hostileTable(resolver: Resolver) async throws {
        let site = try HostileSite()
        let log = LogRecord()
        try await Self.withServer(DirFileMiddleware(try Self.open(site, resolver)), logger: log.logger()) { client in
            let rows = ServeCase.servable + ServeCase.escapes + ServeCase.ranges + Self.rfcRanges
            let problems = await failures(of: rows, on: client)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            let first = try await client.send("/note.txt")
            let conditionals = ServeCase.conditionals(entityTag: first.header("etag") ?? "", lastModified: first.header("last-modified") ?? "")
            let conditionalProblems = await failures(of: conditionals, on: client)
            #expect(conditionalProblems.isEmpty, "\(conditionalProblems.joined(separator: "\n"))")
        }
        #expect(try site.outsideFilesRead() == [])
        let denied = log.warnings
        for path in ["/out-rel.txt", "/out_dir/secret.txt", "/fifo", "/loop-a", "/%2e%2e/secret.txt", "/note.txt%00.html"] {
            #expect(denied.contains { $0.hasPrefix("denied: \(path):") }, "no denial logged for \(path)")
        }
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
            let rows = (ServeCase.escapes + ServeCase.ranges + Self.rfcRanges).filter { !$0.path.hasPrefix("/fifo") }
            for line in await record(of: rows, on: client, label: "vapor stock") { print(line) }
        }
        let read = try site.outsideFilesRead()
        print("[vapor stock] outside files read: \(read)")
        // The danger the confined tests control for: unconfined, the same requests read the
        // secret and the pages outside the folder (through the symlinks out). Without it, a
        // site that had lost its links out would let every confined test pass for nothing.
        #expect(Set(read).isSuperset(of: ["secret.txt", "outside/page.html"]), "the stock server read \(read)")
    }

    static func open(_ site: HostileSite, _ resolver: Resolver) throws -> Dir {
        try Dir.openAmbient(FilePath(site.publicPath), ambientAuthority(), resolver: resolver).readOnly()
    }

    /// Runs `body` against a Vapor server on an ephemeral loopback port with `middleware` before
    /// its one route, `GET /api/ping`.
    static func withServer(
        _ middleware: some AsyncMiddleware, logger: Logger = Logger(label: "vapor-test"), _ body: @Sendable (LoopbackClient) async throws -> Void
    ) async throws {
        let app = try await Application.make(.testing)
        app.logger = logger
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
