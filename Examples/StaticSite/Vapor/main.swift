// A static site on loopback: Vapor serving a folder through DirFileMiddleware.
//
//     swift run --traits Vapor static-site-vapor [folder] [port]
#if Vapor
import CapServeVapor
import CapStd
import SystemPackage
import Vapor

let arguments = CommandLine.arguments.dropFirst()
let folder = arguments.first ?? "Examples/StaticSite/public"
let port = arguments.dropFirst().first.flatMap(Int.init) ?? 8080

// The one ambient step: the folder named on the command line, opened once, as a read-only view.
let site = try Dir.openAmbient(FilePath(folder), ambientAuthority()).readOnly()

/// Serves `site` until the process is stopped.
func serve(_ site: Dir) async throws {
    let app = try await Application.make(Environment(name: "production", arguments: ["static-site-vapor"]))
    // Vapor's default request logger writes the decoded path as it is: a client could put lines
    // and terminal escapes of its own into the log. This one escapes it.
    app.middleware = Middlewares()
    app.middleware.use(RequestLogMiddleware())
    app.middleware.use(ErrorMiddleware.default(environment: app.environment))
    app.middleware.use(DirFileMiddleware(site))
    try await app.server.start(address: .hostname("127.0.0.1", port: port))
    print("serving \(folder) on http://127.0.0.1:\(port)/ (Vapor, confined to the folder)")
    try await app.server.onShutdown.get()
    try await app.asyncShutdown()
}

try await serve(site)
#else
print("Build with the Vapor trait: swift run --traits Vapor static-site-vapor [folder] [port]")
#endif
