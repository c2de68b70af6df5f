// Keeps the README's CapStd example honest: the same code compiles here, runs, and matches the text.
import CapStd
import SystemPackage
import TestSupport
import Testing

// BEGIN README EXAMPLE
/// Reads a file a tenant asked for, from that tenant's config directory and nowhere else.
func readTenantFile(configPath: FilePath, requested: String) throws -> String {
    // The one ambient step, done once at start-up: open the directory, as a read-only view.
    let config = try Dir.openAmbient(configPath, ambientAuthority()).readOnly()
    do {
        return try config.readString(RawPath(requested))
    } catch {
        guard error.isEscape else { throw error }
        return "refused: \(error)"
    }
}
// END README EXAMPLE

@Suite("README")
struct ReadmeExampleTests {
    @Test("the example reads inside and refuses the traversal with the message the README shows")
    func exampleBehaves() throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: ["config/", "config/settings.toml=mode = 1"])
        let configPath = FilePath(sandbox.path + "/root/config")
        #expect(try readTenantFile(configPath: configPath, requested: "settings.toml") == "mode = 1")
        #expect(try readTenantFile(configPath: configPath, requested: "../../etc/passwd")
            == #"refused: readString "../../etc/passwd": escapes the directory (EXDEV)"#)
        try sandbox.expectOutsideUntouched()
    }

    @Test("the README shows exactly the code this file compiles")
    func exampleMatchesReadme() throws {
        let packageRoot = repositoryRoot
        let testsDir = repositoryRoot.appending("Tests/CapStdTests")
        let readme = try Dir.openAmbient(packageRoot, ambientAuthority()).readString("README.md")
        let source = try Dir.openAmbient(testsDir, ambientAuthority()).readString("ReadmeExampleTests.swift")
        let begin = "// BEGIN README EXAMPLE\n"
        let end = "// END README EXAMPLE"
        let example = source.split(separator: begin)[1].split(separator: end)[0]
        #expect(readme.contains("```swift\nimport CapStd\nimport SystemPackage\n\n" + example + "```"))
        #expect(readme.contains(#"`refused: readString "../../etc/passwd": escapes the directory (EXDEV)`"#))
    }
}
