// The checked-in WASI 0.2 guest components, and what their tests plant in and read back from a tenant tree.
import CapStd
import CapWASI
import SystemPackage
import TestSupport

/// The checked-in component `Guests/<name>.wasm`.
func guestComponent(_ name: String) throws -> WASIComponent {
    let directory = repositoryRoot.appending("Tests/CapWASITests/Guests")
    return try WASIComponent(bytes: Dir.openAmbient(directory, ambientAuthority()).read(RawPath(name + ".wasm")))
}

extension TenantTree {
    /// Plants what a guest cannot make itself, symlinks with absolute targets:
    /// `config/abs-link` to the secret, and `output/abs-dangling` to `<tmp>/created-outside`,
    /// which does not exist (``expectOutsideUntouched(sourceLocation:)`` fails if it appears).
    func plantAbsoluteLinks() throws {
        try config.symlink(target: RawPath(path + "/secret"), at: "abs-link", allowingAbsoluteTarget: true)
        try output.symlink(target: RawPath(path + "/created-outside"), at: "abs-dangling", allowingAbsoluteTarget: true)
    }
}

/// Every entry beneath `dir`, sorted, one line each: `dir/`, `link -> target`, or
/// `file = "contents"`, each followed by its modification time when `times` is set.
func treeListing(_ dir: Dir, times: Bool = true, _ prefix: String = "") throws -> [String] {
    var lines: [String] = []
    for entry in try dir.entries(RawPath(prefix.isEmpty ? "." : prefix)).sorted(by: { $0.name.description < $1.name.description }) {
        let path = RawPath(prefix + entry.name.description)
        let metadata = try dir.symlinkMetadata(path)
        let time = times ? " @\(metadata.modified)" : ""
        switch metadata.type {
        case .directory:
            lines.append("\(path)/\(time)")
            lines += try treeListing(dir, times: times, "\(path)/")
        case .symbolicLink:
            lines.append("\(path) -> \(try dir.readLinkContents(path))\(time)")
        default:
            lines.append("\(path) = \(String(decoding: try dir.read(path), as: UTF8.self).debugDescription)\(time)")
        }
    }
    return lines
}
