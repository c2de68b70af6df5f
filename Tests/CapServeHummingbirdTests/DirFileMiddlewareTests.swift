// Capsule's own Hummingbird middleware, on loopback: the hostile table, RFC ranges and the answers the stock middleware gets wrong.
#if Hummingbird
import CapServeHummingbird
import CapStd
import Hummingbird
import ServeTestSupport
import TestSupport
import Testing

@Suite("Hummingbird: DirFileMiddleware, on loopback")
struct HummingbirdDirFileMiddlewareTests {
    typealias Middleware = CapServeHummingbird.DirFileMiddleware<BasicRequestContext>

    @Test("serves what is inside, refuses every way out, and answers ranges and redirects as RFC 9110 and Vapor's adapter do", arguments: [Resolver.kernel, .userspace])
    func hostileTable(resolver: Resolver) async throws {
        let site = try HostileSite()
        let log = LogRecord()
        try await DirFileProviderTests.withServer(Middleware(try DirFileProviderTests.open(site, resolver), logger: log.logger())) { client in
            let rows = ServeCase.servable + ServeCase.escapes + ServeCase.ranges + ServeCase.rfcRanges + ServeCase.capsuleAnswers
            let problems = try await tableFailures(of: rows, on: client)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
        #expect(try site.outsideFilesRead() == [])
        let denied = log.warnings
        let undenied = undeniedPaths(["/out-rel.txt", "/out_dir/secret.txt", "/fifo", "/loop-a", "/%2e%2e/secret.txt", "/note.txt%00.html", "/docs%2fguide.txt"], in: denied)
        #expect(undenied.isEmpty, "no denial logged for \(undenied)")
        #expect(!denied.contains { $0.contains("/missing.txt") }, "a missing file is not a denial")
    }

    @Test("a file replaced by a symlink out between two requests is refused", arguments: [Resolver.kernel, .userspace])
    func swappedFile(resolver: Resolver) async throws {
        let site = try HostileSite()
        try await DirFileProviderTests.withServer(Middleware(try DirFileProviderTests.open(site, resolver))) { client in
            let problems = try await swapFailures(site, on: client)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
        #expect(try site.outsideFilesRead() == [])
    }

    @Test("a name that is not UTF-8 is asked for with escapes and served, as with Vapor's adapter")
    func nonUTF8Name() async throws {
        let site = try HostileSite()
        try site.addFile(HostileSite.latin1Name, contents: "latin-1 name")
        try await DirFileProviderTests.withServer(Middleware(try DirFileProviderTests.open(site, .automatic))) { client in
            let response = try await client.sendRaw("/latin-%E9.txt")
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self) == "latin-1 name")
        }
    }

    @Test("a client's CR, LF, NUL, ESC and invalid UTF-8 are escaped in the denials logged")
    func forgedLogLines() async throws {
        let site = try HostileSite()
        let log = LogRecord()
        try await DirFileProviderTests.withServer(Middleware(try DirFileProviderTests.open(site, .automatic), logger: log.logger())) { client in
            for path in ["/%0D%0AFORGED%20warning%1B%5B31m%00.txt", "/a%0Ab/%2e%2e/%FF%0D"] { _ = try await client.sendRaw(path) }
        }
        #expect(log.lines.count == 2 && log.lines.allSatisfy { isPrintable($0) }, "\(log.lines)")
    }

    /// The control: the stock `FileMiddleware`, even over ``DirFileProvider``, answers each of
    /// these rows otherwise (the suffix range as `bytes 0-3`, the huge range 416, `//docs` to
    /// `//docs/`, `%2f` served as a separator). Without it, the rows above would test nothing.
    @Test("control: Hummingbird's stock FileMiddleware gives other answers to the same rows")
    func stockControl() async throws {
        let site = try HostileSite()
        let provider = DirFileProvider(try DirFileProviderTests.open(site, .automatic))
        try await DirFileProviderTests.withServer(FileMiddleware(fileProvider: provider, searchForIndexHtml: true)) { client in
            let rows = ServeCase.capsuleAnswers.filter { !$0.path.contains("?") }
            for row in rows {
                let problems = await failures(of: [row], on: client)
                print("[hummingbird stock] \(row): \(problems.first ?? "same answer")")
                #expect(problems.count == 1, "the stock middleware answers \(row) as Capsule's does")
            }
        }
    }
}
#endif
