// Locating the fixture packages and this repository from the test sources.
import CapStd
import SystemPackage
import TestSupport

enum Fixtures {
    static let testsDirectory = repositoryRoot.appending("Tests/AmbientAuditTests")
    static let packageRoot = testsDirectory.removingLastComponent().removingLastComponent()

    /// A fixture package under `Tests/AmbientAuditTests/Fixtures/`.
    static func package(_ name: String) throws -> Dir {
        try Dir.openAmbient(testsDirectory.appending("Fixtures").appending(name), ambientAuthority())
    }

    /// This repository's root.
    static func capsuleRoot() throws -> Dir {
        try Dir.openAmbient(packageRoot, ambientAuthority())
    }
}
