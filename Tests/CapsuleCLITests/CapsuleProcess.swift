// Runs the `capsule` executable built beside the test bundle and keeps what it printed and how it exited.
import Foundation
import Glibc
import TestSupport
import WAT

/// One run of `capsule` with `arguments`: its exit status, standard output and standard error,
/// and how long it took.
struct CapsuleProcess {
    let status: Int32
    let stdout: [UInt8]
    let stderr: String
    let elapsed: Duration

    var output: String { String(decoding: stdout, as: UTF8.self) }
    /// The lines of standard error.
    var errorLines: [Substring] { stderr.split(separator: "\n") }

    /// Runs `capsule` on a thread of its own: waiting for a child blocks, and tests run on
    /// Swift's cooperative pool, which the other tests (servers, awaited runs) need meanwhile.
    static func run(_ arguments: [String], in directory: String? = nil, output: Output = .pipe) async throws -> CapsuleProcess {
        try await onOwnThread { try CapsuleProcess(arguments, in: directory, output: output) }
    }

    /// Where the child's standard output goes: a pipe read into ``stdout``, a file, or the
    /// secondary side of a new pseudo-terminal.
    enum Output: Sendable {
        case pipe
        case file(String)
        case terminal
    }

    private init(_ arguments: [String], in directory: String?, output: Output) throws {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let process = Process()
        process.executableURL = bundle.appendingPathComponent("capsule")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let (out, err) = (Pipe(), Pipe())
        var terminal: (primary: Int32, secondary: Int32)?
        defer { if let terminal { _ = (close(terminal.primary), close(terminal.secondary)) } }
        switch output {
        case .pipe:
            process.standardOutput = out
        case .file(let path):
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw CocoaError(.fileWriteUnknown)
            }
            process.standardOutput = handle
        case .terminal:
            let primary = PseudoTerminal.openPrimary(O_RDWR | O_NOCTTY)
            guard primary >= 0, PseudoTerminal.grant(primary) == 0, PseudoTerminal.unlock(primary) == 0,
                let name = PseudoTerminal.secondaryName(primary)
            else { throw POSIXError(.ENOTTY) }
            let secondary = open(name, O_RDWR | O_NOCTTY)
            guard secondary >= 0 else { throw POSIXError(.ENOTTY) }
            terminal = (primary, secondary)
            process.standardOutput = FileHandle(fileDescriptor: secondary, closeOnDealloc: false)
        }
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let clock = ContinuousClock()
        let start = clock.now
        try process.run()
        // Standard error is drained on another thread, so a child filling it cannot block.
        let errors = ErrorBuffer()
        let drained = DispatchGroup()
        DispatchQueue.global().async(group: drained) { errors.data = err.fileHandleForReading.readDataToEndOfFile() }
        if case .pipe = output {
            stdout = Array(out.fileHandleForReading.readDataToEndOfFile())
        } else {
            stdout = []
        }
        process.waitUntilExit()
        drained.wait()
        elapsed = clock.now - start
        status = process.terminationStatus
        stderr = String(decoding: errors.data, as: UTF8.self)
    }
}

/// Standard error's bytes, written by the draining thread before `DispatchGroup.wait` returns.
private final class ErrorBuffer: @unchecked Sendable {
    var data = Data()
}

/// A fresh directory for one test, with `write` for the files a run needs.
final class Workspace {
    let tree: TemporaryTree
    var path: String { tree.path }

    init() throws {
        tree = try TemporaryTree(prefix: "capsule-cli")
    }

    /// Writes `bytes` to `name` and returns its absolute path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        try tree.dir.write(.init(name), contents: bytes)
        return path + "/" + name
    }

    /// Assembles `wat` and writes it to `name`.
    @discardableResult
    func module(_ name: String, _ wat: String) throws -> String {
        try write(name, try wat2wasm(wat))
    }
}

/// glibc's pseudo-terminal calls, which the Glibc module does not export to Swift (they need
/// `_XOPEN_SOURCE`), looked up by name.
private enum PseudoTerminal {
    typealias OpenPrimary = @convention(c) (Int32) -> Int32
    typealias Name = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    static func function<T>(_ name: String, as type: T.Type) -> T {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { fatalError("glibc has no \(name)") }
        return unsafeBitCast(symbol, to: type)
    }

    static let openPrimary = function("posix_openpt", as: OpenPrimary.self)
    static let grant = function("grantpt", as: OpenPrimary.self)
    static let unlock = function("unlockpt", as: OpenPrimary.self)
    static let secondaryName = function("ptsname", as: Name.self)
}
