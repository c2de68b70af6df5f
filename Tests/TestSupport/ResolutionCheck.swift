// Runs a generated case on disk through both resolvers and the model, and reports where they
// differ and whether anything outside the tree was touched.
import CapStd
import Glibc
import SystemPackage

/// What one case showed.
public struct ResolutionReport: Sendable {
    /// Paths resolved (each with stat and lstat semantics, by each resolver and the model).
    public var comparisons = 0
    /// The model's outcome kinds ("success", "EXDEV", "ENOENT"...), counted.
    public var outcomes: [String: Int] = [:]
    /// Every disagreement and every change outside the tree, as a sentence.
    public var problems: [String] = []

    public init() {}
}

/// Builds `testCase.tree` in a fresh temporary directory, beside a canary
/// (`<tmp>/outside/secret`) that symlinks may point at, and compares the kernel resolver, the
/// userspace resolver and the model on every path: same file (device and inode) or same errno.
public func checkResolution(_ testCase: GeneratedResolutionCase) throws -> ResolutionReport {
    let path = try makeTemporaryDirectory(prefix: "capsule-model")
    let top = try Dir.openAmbient(FilePath(path), ambientAuthority())
    defer {
        try? top.removeDirAll("root")
        try? top.removeDirAll("outside")
        top.close()
        _ = rmdir(path)
    }
    try top.createDir("root")
    try top.createDir("outside")
    try top.write("outside/secret", contents: "SECRET")
    let canaryTime = FileTimestamp(seconds: 1_000)
    try top.setTimes("outside/secret", accessed: .at(canaryTime), modified: .at(canaryTime))
    let kernel = try Dir.openAmbient(FilePath(path + "/root"), ambientAuthority(), resolver: .kernel)
    let userspace = try Dir.openAmbient(FilePath(path + "/root"), ambientAuthority(), resolver: .userspace)
    defer {
        kernel.close()
        userspace.close()
    }
    for (index, entry) in testCase.tree.nodes.enumerated().dropFirst() {
        let entryPath = RawPath(testCase.tree.paths[index])
        switch entry {
        case .directory: try kernel.createDir(entryPath)
        case .file: try kernel.write(entryPath, contents: testCase.tree.paths[index])
        case .symlink(let target, _): try kernel.symlink(target: RawPath(target), at: entryPath, allowingAbsoluteTarget: true)
        }
    }

    var report = ResolutionReport()
    for candidate in testCase.paths {
        for follow in [true, false] {
            let expected: ResolutionOutcome
            switch testCase.tree.resolve(candidate, followFinal: follow) {
            case .success(let node):
                let nodePath = testCase.tree.paths[node]
                expected = ResolutionOutcome(node == 0 ? try kernel.metadata() : try kernel.symlinkMetadata(RawPath(nodePath)))
            case .failure(let errno):
                expected = .failure(errno)
            }
            report.outcomes[expected.kind, default: 0] += 1
            report.comparisons += 1
            for (name, dir) in [("kernel", kernel), ("userspace", userspace)] {
                let actual = askingAgainWhileRenamesRace({ $0 == .failure(.resourceTemporarilyUnavailable) }) {
                    ResolutionOutcome(follow, candidate, in: dir)
                }
                if actual != expected {
                    report.problems.append("\(name) \(follow ? "stat" : "lstat") \"\(candidate)\": \(actual), model \(expected)")
                }
            }
        }
    }
    let canary = try top.metadata("outside/secret")
    let canaryText = try top.readString("outside/secret")
    if canary.accessed != canaryTime || canary.modified != canaryTime || canaryText != "SECRET" {
        report.problems.append("the canary outside the tree was read or changed")
    }
    if try top.entries("outside").count != 1 { report.problems.append("something was created outside the tree") }
    return report
}

/// A resolution's result: a file's identity or an errno.
public enum ResolutionOutcome: Equatable, Sendable, CustomStringConvertible {
    case file(device: UInt64, inode: UInt64)
    case failure(Errno)

    init(_ metadata: Metadata) {
        self = .file(device: metadata.device, inode: metadata.inode)
    }

    init(_ follow: Bool, _ path: String, in dir: Dir) {
        do {
            self.init(follow ? try dir.metadata(RawPath(path)) : try dir.symlinkMetadata(RawPath(path)))
        } catch {
            self = .failure(error.errno)
        }
    }

    public var kind: String {
        switch self {
        case .file: "success"
        case .failure(.improperLink): "EXDEV"
        case .failure(.noSuchFileOrDirectory): "ENOENT"
        case .failure(.notDirectory): "ENOTDIR"
        case .failure(.fileNameTooLong): "ENAMETOOLONG"
        case .failure(.tooManySymbolicLinkLevels): "ELOOP"
        case .failure(let errno): "errno \(errno.rawValue)"
        }
    }

    public var description: String {
        switch self {
        case .file(let device, let inode): "file \(device):\(inode)"
        case .failure(let errno): "error \(errno.rawValue) (\(errno))"
        }
    }
}
