// Loads the checked-in component binaries beside the tests.

import Foundation
import TestSupport

/// The component binaries in `Components/`, read relative to this file.
enum ComponentFixtures {
    static let directory = URL(fileURLWithPath: repositoryRoot.appending("Tests/CapComponentTests/Components").string)

    /// A large component built only locally (such as an 18 MB componentize-py app), named by
    /// the `CAPCOMPONENT_LARGE_COMPONENT` environment variable; tests using it are skipped without it.
    static let largeComponentPath = ProcessInfo.processInfo.environment["CAPCOMPONENT_LARGE_COMPONENT"]

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func bytes(atPath path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
