// The resolution table: every path case, against both resolvers, with an unconfined control run.
import CapStd
import Glibc
import SystemPackage
import Testing

/// The tree every table case runs in (see `Sandbox` for the DSL; `$OUT` is `<tmp>/outside`).
let standardTree = [
    "f=hello", "d/", "d/g=inner", "d/sub/", "d/sub/h",
    "link-f -> f", "link-d -> d", "link-d-slash -> d/", "chain1 -> chain2", "chain2 -> link-f",
    "d/up -> ../f", "d/up-out -> ../../outside/secret",
    "esc-rel -> ../outside/secret", "esc-abs -> $OUT/secret", "esc-dir -> ../outside/dir",
    "abs-inside -> $OUT/../root/f",
    "to-root -> /", "to-dotdot -> ..", "self-dot -> .", "d/to-parent -> ..",
    "loop1 -> loop2", "loop2 -> loop1", "self-loop -> self-loop",
    "dangling -> nowhere", "dangling-out -> ../outside/new-file", "dangling-abs -> $OUT/new-file",
]

enum TableOperation: String, Sendable {
    case read, readNoFollow, metadata, symlinkMetadata, openDir, create, createNew
}

enum Expectation: Sendable, Equatable {
    case success
    case contents(String)
    case failure(Errno)
}

struct ResolutionCase: Sendable, CustomTestStringConvertible {
    let path: String
    let operation: TableOperation
    let expected: Expectation

    init(_ path: String, _ expected: Expectation) {
        self.init(path, .read, expected)
    }

    init(_ path: String, _ operation: TableOperation, _ expected: Expectation) {
        self.path = path
        self.operation = operation
        self.expected = expected
    }

    var testDescription: String { "\(operation.rawValue) \"\(path)\"" }
    var isEscape: Bool { expected == .failure(.improperLink) }
}

let insideCases: [ResolutionCase] = [
    // Inside the tree.
    .init("f", .contents("hello")), .init("./f", .contents("hello")), .init("d/../f", .contents("hello")),
    .init("d/sub/../../f", .contents("hello")), .init("d//g", .contents("inner")), .init("d/./g", .contents("inner")),
    .init(".", .success), .init("d", .openDir, .success), .init(".", .openDir, .success), .init("d/", .success),
    // Empty path and the directory itself.
    .init("", .failure(.noSuchFileOrDirectory)), .init(".", .create, .failure(.isDirectory)),
    .init("d/..", .create, .failure(.isDirectory)),
]

let escapeCases: [ResolutionCase] = [
    // Absolute paths are escapes, however spelled.
    .init("/etc/passwd", .failure(.improperLink)), .init("//etc/passwd", .failure(.improperLink)),
    .init("/./etc/passwd", .failure(.improperLink)), .init("/", .failure(.improperLink)),
    .init("/etc/passwd", .metadata, .failure(.improperLink)),
    // `..` above the base, at any depth.
    .init("..", .failure(.improperLink)), .init("../outside/secret", .failure(.improperLink)),
    .init("d/../../outside/secret", .failure(.improperLink)), .init("d/sub/../../..", .failure(.improperLink)),
    .init("..", .openDir, .failure(.improperLink)), .init("../root/f", .failure(.improperLink)),
    .init("d/sub/../../link-d/../esc-rel", .failure(.improperLink)),
    // Errors in walk order: a missing or non-directory component before the escape.
    .init("nope/../..", .failure(.noSuchFileOrDirectory)), .init("f/../f", .failure(.notDirectory)),
]

let trailingSlashCases: [ResolutionCase] = [
    // Trailing slashes: the name must be a directory, and a symlink is followed to find out.
    .init("f/", .failure(.notDirectory)), .init("f/.", .failure(.notDirectory)), .init("nope/", .failure(.noSuchFileOrDirectory)),
    .init("d/", .create, .failure(.isDirectory)), .init("new-file/", .create, .failure(.isDirectory)),
    .init("link-f/", .failure(.notDirectory)), .init("link-d/", .readNoFollow, .success),
    .init("link-f/", .symlinkMetadata, .failure(.notDirectory)), .init("link-d/", .symlinkMetadata, .success),
    .init("esc-dir/", .symlinkMetadata, .failure(.improperLink)), .init("dangling/", .failure(.noSuchFileOrDirectory)),
]

let symlinkCases: [ResolutionCase] = [
    // Symlinks that stay inside.
    .init("link-f", .contents("hello")), .init("link-d/g", .contents("inner")), .init("link-d-slash/g", .contents("inner")),
    .init("chain1", .contents("hello")), .init("d/up", .contents("hello")), .init("self-dot/f", .contents("hello")),
    .init("self-dot/self-dot/d/g", .contents("inner")), .init("d/to-parent/f", .contents("hello")),
    .init("link-d", .openDir, .success), .init("link-f", .symlinkMetadata, .success),
    .init("link-f", .readNoFollow, .failure(.tooManySymbolicLinkLevels)),
    // Symlinks that leave: relative, absolute, to `/`, to `..`, and absolute back inside.
    .init("esc-rel", .failure(.improperLink)), .init("esc-abs", .failure(.improperLink)),
    .init("esc-dir/../secret", .failure(.improperLink)), .init("esc-dir", .openDir, .failure(.improperLink)),
    .init("d/up-out", .failure(.improperLink)), .init("abs-inside", .failure(.improperLink)),
    .init("to-root", .failure(.improperLink)), .init("to-root/etc/passwd", .failure(.improperLink)),
    .init("to-dotdot", .failure(.improperLink)), .init("to-dotdot/outside/secret", .failure(.improperLink)),
    .init("esc-rel", .metadata, .failure(.improperLink)), .init("esc-rel", .symlinkMetadata, .success),
    .init("esc-rel", .readNoFollow, .failure(.tooManySymbolicLinkLevels)), .init("d/up-out", .symlinkMetadata, .success),
    // Loops.
    .init("loop1", .failure(.tooManySymbolicLinkLevels)), .init("self-loop", .failure(.tooManySymbolicLinkLevels)),
    .init("loop1/x", .failure(.tooManySymbolicLinkLevels)), .init("self-loop", .symlinkMetadata, .success),
]

let danglingCases: [ResolutionCase] = [
    // Dangling symlinks: creating through one creates its target if that is inside, never outside.
    .init("dangling", .failure(.noSuchFileOrDirectory)), .init("dangling", .create, .success),
    .init("dangling", .createNew, .failure(.fileExists)), .init("dangling-out", .create, .failure(.improperLink)),
    .init("dangling-out", .createNew, .failure(.fileExists)), .init("dangling-abs", .create, .failure(.improperLink)),
    .init("d/new", .create, .success), .init("f", .createNew, .failure(.fileExists)),
    .init("nope/new", .create, .failure(.noSuchFileOrDirectory)),
]

let resolutionCases = insideCases + escapeCases + trailingSlashCases + symlinkCases + danglingCases

@Suite("Resolution table")
struct ResolutionTableTests {
    @Test("each case gives the expected result and touches nothing outside", arguments: resolutionCases, bothResolvers)
    func tableCase(_ testCase: ResolutionCase, resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: standardTree)
        #expect(sandbox.root.resolver == resolver)
        let outcome = Self.run(testCase, in: sandbox.root)
        switch (testCase.expected, outcome) {
        case (.success, .success), (.success, .contents): break
        case (.contents(let expected), .contents(let got)): #expect(got == expected)
        case (.failure(let expected), .failure(let error)):
            #expect(error.errno == expected, "\(error)")
            #expect(error.isEscape == (expected == .improperLink))
        default:
            Issue.record("expected \(testCase.expected), got \(outcome)")
        }
        try sandbox.expectOutsideUntouched()
    }

    /// The control: each escape case, run through a plain unconfined `open` from the same
    /// directory, does reach something — so the table's escape cases really would escape. The
    /// create cases are left out: unconfined, they would create files outside the sandbox.
    @Test(
        "without confinement every escape case reaches outside",
        arguments: resolutionCases.filter { $0.isEscape && $0.operation != .create })
    func unconfinedControl(_ testCase: ResolutionCase) throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: standardTree)
        let ambient = testCase.path.hasPrefix("/") ? testCase.path : sandbox.path + "/root/" + testCase.path
        let openPath: Int32 = 0o10000000  // O_PATH, which Glibc does not export to Swift
        let flags: Int32 = testCase.operation == .openDir ? openPath | O_DIRECTORY : openPath
        let fd = open(ambient, flags)
        #expect(fd >= 0, "unconfined open of \(ambient) failed: errno \(errno)")
        if fd >= 0 { close(fd) }
    }

    enum Outcome: Equatable {
        case success
        case contents(String)
        case failure(CapStdError)
    }

    static func run(_ testCase: ResolutionCase, in root: Dir) -> Outcome {
        let path = RawPath(testCase.path)
        do {
            switch testCase.operation {
            case .read:
                let file = try root.open(path)
                let metadata = try file.metadata()
                return metadata.isFile ? .contents(String(decoding: try file.readToEnd(), as: UTF8.self)) : .success
            case .readNoFollow:
                _ = try root.open(path, options: OpenOptions(read: true, followSymlinks: false))
            case .metadata:
                _ = try root.metadata(path)
            case .symlinkMetadata:
                _ = try root.symlinkMetadata(path)
            case .openDir:
                _ = try root.openDir(path)
            case .create:
                try root.open(path, options: OpenOptions(write: true, create: true)).writeAll(Array("new".utf8))
            case .createNew:
                _ = try root.open(path, options: OpenOptions(write: true, createNew: true))
            }
            return .success
        } catch {
            return .failure(error)
        }
    }
}
