// The design document's expected-behaviour rows that belong to a Dir: a config Dir (read-only view)
// and an output Dir of one tenant, side by side.
import CapStd
import SystemPackage
import Testing

@Suite("Seed table rows for a Dir")
struct SeedTableTests {
    static let tree = [
        "config/", "config/settings.toml=mode = \"fast\"", "config/alias.toml -> settings.toml",
        "config/leak -> ../../outside/secret", "output/",
    ]

    @Test("config read-only and output read-write behave as the table says", arguments: bothResolvers)
    func rows(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: Self.tree)
        let config = try sandbox.root.openDir("config").readOnly()
        let output = try sandbox.root.openDir("output")

        // read /config/settings.toml: success
        #expect(try config.readString("settings.toml") == "mode = \"fast\"")
        // open /config/../../etc/passwd: escape
        let traversal = capStdError { _ = try config.read("../../etc/passwd") }
        #expect(traversal?.isEscape == true)
        #expect(traversal?.description == #"read "../../etc/passwd": escapes the directory (EXDEV)"#)
        // follow a symlink in /config to a file also in /config: success
        #expect(try config.readString("alias.toml") == "mode = \"fast\"")
        // follow a symlink in /config to a file outside it: escape
        #expect(capStdError { _ = try config.read("leak") }?.isEscape == true)
        // write /config/modified.toml: EACCES, nothing created
        let readOnly = capStdError { try config.write("modified.toml", contents: "x") }
        #expect(readOnly?.errno == .permissionDenied)
        #expect(try !config.exists("modified.toml"))
        // write /output/report.txt: success
        try output.write("report.txt", contents: "report")
        #expect(try sandbox.root.readString("output/report.txt") == "report")
        // write /output/../config/settings.toml: escape, the file unchanged
        #expect(capStdError { try output.write("../config/settings.toml", contents: "pwned") }?.isEscape == true)
        #expect(try config.readString("settings.toml") == "mode = \"fast\"")
        // an absolute path: escape (a guest's /etc/passwd never reaches a Dir as such)
        #expect(capStdError { _ = try output.read("/etc/passwd") }?.isEscape == true)
        try sandbox.expectOutsideUntouched()
    }
}
