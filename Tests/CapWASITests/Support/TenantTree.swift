// A temporary tenant tree with /config (read-only) and /output (read-write), and canaries outside.
import CapStd
import CapWASI
import Synchronization
import SystemPackage
import TestSupport
import Testing

/// `<tmp>/secret` (outside everything), `<tmp>/tenant/config/settings.toml`, a symlink inside
/// config to it, one to the secret, and an empty `<tmp>/tenant/output/`.
final class TenantTree {
    private let tree: TemporaryTree
    var path: String { tree.path }
    var top: Dir { tree.dir }
    let config: Dir
    let output: Dir

    init() throws {
        tree = try TemporaryTree(prefix: "capwasi-test")
        let top = tree.dir
        try top.write("secret", contents: "SECRET")
        try top.createDirAll("tenant/config/sub")
        try top.createDir("tenant/output")
        try top.write("tenant/config/settings.toml", contents: "mode = \"fast\"\n")
        try top.symlink(target: "settings.toml", at: "tenant/config/alias.toml")
        try top.symlink(target: "../../secret", at: "tenant/config/leak")
        config = try top.openDir("tenant/config")
        output = try top.openDir("tenant/output")
    }

    /// fd 3 = /config read-only, fd 4 = /output read-write.
    func configuration(limits: WASILimits = WASILimits()) throws -> WASIConfiguration {
        WASIConfiguration(
            preopens: [
                try Preopen(guestPath: "/config", dir: config, access: .readOnly),
                try Preopen(guestPath: "/output", dir: output, access: .readWrite),
            ],
            limits: limits, instanceName: "tenant-a")
    }

    /// The secret is unread, unchanged, and nothing else appeared beside the tenant.
    func expectOutsideUntouched(sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try top.readString("secret") == "SECRET", sourceLocation: sourceLocation)
        #expect(Set(try top.entries().map(\.name.description)) == ["secret", "tenant"], sourceLocation: sourceLocation)
        #expect(try config.readString("settings.toml") == "mode = \"fast\"\n", sourceLocation: sourceLocation)
    }

    /// Runs `guest` and checks that the denial sink saw exactly the denials the result lists.
    func run(_ guest: Guest, limits: WASILimits = WASILimits()) throws -> WASIRunResult {
        let seen = DenialCollector()
        let result = try WASIRunner.run(guest.module(), configuration: configuration(limits: limits)) { seen.add($0) }
        #expect(seen.denials == result.denials)
        return result
    }
}

final class DenialCollector: Sendable {
    private let storage = Mutex<[Denial]>([])
    var denials: [Denial] { storage.withLock { $0 } }
    func add(_ denial: Denial) { storage.withLock { $0.append(denial) } }
}
