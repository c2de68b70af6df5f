// A static site on loopback: Hummingbird serving a folder through Capsule's DirFileMiddleware.
//
//     swift run --traits Hummingbird static-site-hummingbird [folder] [port]
#if Hummingbird
import CapServeHummingbird
import CapStd
import Hummingbird
import SystemPackage

let arguments = CommandLine.arguments.dropFirst()
let folder = arguments.first ?? "Examples/StaticSite/public"
let port = arguments.dropFirst().first.flatMap(Int.init) ?? 8080

// The one ambient step: the folder named on the command line, opened once, as a read-only view.
let site = try Dir.openAmbient(FilePath(folder), ambientAuthority()).readOnly()

let router = Router()
router.add(middleware: DirFileMiddleware<BasicRequestContext>(site))
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
print("serving \(folder) on http://127.0.0.1:\(port)/ (Hummingbird, confined to the folder)")
try await app.runService()
#else
print("Build with the Hummingbird trait: swift run --traits Hummingbird static-site-hummingbird [folder] [port]")
#endif
