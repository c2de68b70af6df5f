// `capsule run` as a user runs it: exit codes 120–125, HOST::GUEST preopens, read-only ones, --env.
import Foundation
import Testing
import TestSupport

/// Guests in WAT, each a preview 1 program.
enum Guests {
    static let imports = """
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
        """
    /// A module whose `_start` runs `body`; `extra` holds more imports and data (imports first).
    static func program(_ body: String, _ extra: String = "") -> String {
        "(module \(imports) \(extra) (memory (export \"memory\") 1) (func (export \"_start\") \(body)))"
    }

    static let exit7 = program("(call $exit (i32.const 7))")
    static let trap = program("unreachable")
    static let spin = program("(loop $forever (br $forever))")
    static let grow = program("(drop (memory.grow (i32.const 100)))")
    static let missingImport = "(module (import \"env\" \"nowhere\" (func)) (memory (export \"memory\") 1) (func (export \"_start\")))"

    /// Writes the name of preopen fd 3 to standard output.
    static let preopenName = program(
        """
        (drop (call $prestat_get (i32.const 3) (i32.const 0)))
        (drop (call $dir_name (i32.const 3) (i32.const 100) (i32.load (i32.const 4))))
        (i32.store (i32.const 16) (i32.const 100))
        (i32.store (i32.const 20) (i32.load (i32.const 4)))
        (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
        """,
        """
        (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat_get (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $dir_name (param i32 i32 i32) (result i32)))
        """)

    /// Creates `new.txt` beneath preopen fd 3 for writing and exits with the errno.
    static let create = program(
        """
        (call $exit (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 7)
          (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 300)))
        """,
        """
        (import "wasi_snapshot_preview1" "path_open"
          (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (data (i32.const 200) "new.txt")
        """)

    /// Writes its environment (`KEY=VALUE\\0` each) to standard output.
    static let environment = program(
        """
        (drop (call $sizes (i32.const 0) (i32.const 4)))
        (drop (call $get (i32.const 64) (i32.const 1024)))
        (i32.store (i32.const 16) (i32.const 1024))
        (i32.store (i32.const 20) (i32.load (i32.const 4)))
        (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
        """,
        """
        (import "wasi_snapshot_preview1" "environ_sizes_get" (func $sizes (param i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "environ_get" (func $get (param i32 i32) (result i32)))
        """)
}

@Suite("capsule run")
struct RunCommandTests {
    @Test(
        "a guest's exit code is capsule's; each way a run fails has its own code and one line on standard error",
        arguments: [
            ("exit7", [], 7), ("trap", [], 122), ("spin", ["--fuel", "100000"], 123), ("grow", ["--max-memory", "131072"], 124),
            ("missingImport", [], 121),
        ] as [(String, [String], Int32)])
    func exitCodes(guest: String, options: [String], status: Int32) async throws {
        let workspace = try Workspace()
        let wat = ["exit7": Guests.exit7, "trap": Guests.trap, "spin": Guests.spin, "grow": Guests.grow, "missingImport": Guests.missingImport][guest]!
        let module = try workspace.module("\(guest).wasm", wat)
        let run = try await CapsuleProcess.run(["run"] + options + [module])
        #expect(run.status == status, "\(run.stderr)")
        if status >= 120 {
            // One line, and for a trap the guest's first frames under it, indented.
            #expect(run.stderr.hasPrefix("capsule run: ") && run.errorLines.dropFirst().allSatisfy { $0.hasPrefix("  ") }, "\(run.stderr)")
            #expect(run.errorLines.count == 1 || status == 122, "\(run.stderr)")
        } else {
            #expect(run.stderr.isEmpty)
        }
    }

    @Test("a file that cannot be read is 120, bytes that are not wasm 121")
    func unreadableAndInvalid() async throws {
        let workspace = try Workspace()
        let missing = try await CapsuleProcess.run(["run", workspace.path + "/absent.wasm"])
        #expect(missing.status == 120 && missing.errorLines.count == 1, "\(missing.stderr)")
        let garbage = try workspace.write("garbage.wasm", Array("not a module\n\u{1B}[31m".utf8))
        let invalid = try await CapsuleProcess.run(["run", garbage])
        #expect(invalid.status == 121 && invalid.errorLines.count == 1, "\(invalid.stderr)")
    }

    @Test("--timeout 1 stops a spinning module with 125")
    func timeout() async throws {
        let workspace = try Workspace()
        let run = try await CapsuleProcess.run(["run", "--timeout", "1", try workspace.module("spin.wasm", Guests.spin)])
        #expect(run.status == 125, "\(run.stderr)")
        // From the process's start: its launch and the module's loading count too, which a
        // loaded CI machine can stretch; the stop latency itself is capsule-bench's.
        #expect(run.elapsed >= .seconds(1) && run.elapsed < .seconds(5), "\(run.elapsed)")
        #expect(run.stderr.contains("time limit"))
    }

    @Test(
        "HOST::GUEST names the preopen GUEST; HOST alone names it HOST",
        arguments: [("--dir", "::/data", "/data"), ("--ro-dir", "::/config", "/config"), ("--dir", "", nil)] as [(String, String, String?)])
    func preopenNames(option: String, suffix: String, guest: String?) async throws {
        let workspace = try Workspace()
        try workspace.tree.dir.createDir("host")
        let host = workspace.path + "/host"
        let run = try await CapsuleProcess.run(["run", option, host + suffix, try workspace.module("name.wasm", Guests.preopenName)])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.output == (guest ?? host))
    }

    @Test("--dir lets the guest create a file; --ro-dir refuses it, logs the denial and leaves the host directory as it was")
    func readOnly() async throws {
        let workspace = try Workspace()
        try workspace.tree.dir.createDir("rw")
        try workspace.tree.dir.createDir("ro")
        let module = try workspace.module("create.wasm", Guests.create)
        let writable = try await CapsuleProcess.run(["run", "--dir", workspace.path + "/rw::/w", module])
        #expect(writable.status == 0, "\(writable.stderr)")
        #expect(try workspace.tree.dir.entries("rw").map(\.name.description) == ["new.txt"])

        let readOnly = try await CapsuleProcess.run(["run", "--ro-dir", workspace.path + "/ro::/r", module])
        #expect(readOnly.status != 0)
        #expect(readOnly.stderr.contains("path_open") && readOnly.stderr.contains("new.txt"), "\(readOnly.stderr)")
        #expect(try workspace.tree.dir.entries("ro").isEmpty)
    }

    @Test(
        "--log-denials: one summary line at exit by default, each denial on stderr, none, or each appended to a file",
        arguments: ["summary", "stderr", "off", "file"])
    func logDenials(mode: String) async throws {
        let workspace = try Workspace()
        try workspace.tree.dir.createDir("ro")
        let module = try workspace.module("create.wasm", Guests.create)
        let log = workspace.path + "/denials.log"
        let options = mode == "summary" ? [] : ["--log-denials", mode == "file" ? log : mode]
        let run = try await CapsuleProcess.run(["run"] + options + ["--ro-dir", workspace.path + "/ro::/r", module])
        #expect(run.status != 0)
        switch mode {
        case "summary":
            #expect(run.errorLines.count == 1, "\(run.stderr)")
            #expect(run.stderr.hasPrefix("capsule run: refused ") && run.stderr.contains("path_open \"/r/new.txt\""), "\(run.stderr)")
        case "stderr":
            #expect(run.errorLines.count == 1 && run.stderr.contains("denied path_open"), "\(run.stderr)")
        case "off":
            #expect(run.stderr.isEmpty, "\(run.stderr)")
        default:
            #expect(run.stderr.isEmpty, "\(run.stderr)")
            let lines = try workspace.tree.dir.readString("denials.log").split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("path_open \"/r/new.txt\" refused"), "\(lines)")
        }
    }

    @Test(
        "fd_fdstat_get on standard output says character device for a terminal only, as Wasmtime does",
        arguments: ["pipe", "file", "terminal"])
    func standardOutputType(kind: String) async throws {
        let workspace = try Workspace()
        // Exits with the file type fd_fdstat_get gives descriptor 1 (0 unknown, 2 character device).
        let module = try workspace.module(
            "type.wasm",
            Guests.program(
                "(drop (call $fdstat (i32.const 1) (i32.const 0))) (call $exit (i32.load8_u (i32.const 0)))",
                #"(import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))"#))
        let output: CapsuleProcess.Output = kind == "pipe" ? .pipe : kind == "file" ? .file(workspace.path + "/out.txt") : .terminal
        let run = try await CapsuleProcess.run(["run", module], output: output)
        #expect(run.status == (kind == "terminal" ? 2 : 0), "\(kind): \(run.stderr)")
    }

    @Test(
        "wasi:cli/terminal-stdout gives a component a terminal for a terminal only, as Wasmtime does",
        arguments: ["pipe", "file", "terminal"])
    func componentTerminal(kind: String) async throws {
        let workspace = try Workspace()
        // limits.wasm's exit-err-on-terminal exits with err (1) when it gets a terminal-output.
        let component = repositoryRoot.appending("Tests/CapWASITests/Components/limits.wasm").string
        let output: CapsuleProcess.Output = kind == "pipe" ? .pipe : kind == "file" ? .file(workspace.path + "/out.txt") : .terminal
        let run = try await CapsuleProcess.run(["run", "--invoke", "exit-err-on-terminal()", component], output: output)
        #expect(run.status == (kind == "terminal" ? 1 : 0), "\(kind): \(run.stderr)")
    }

    @Test("--env KEY=VALUE reaches the guest as it is, '=' in the value included; --env without '=' is a usage error")
    func environment() async throws {
        let workspace = try Workspace()
        let module = try workspace.module("env.wasm", Guests.environment)
        let run = try await CapsuleProcess.run(["run", "--env", "A=1", "--env", "B=x=y", "--env", "C=", module])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.output == "A=1\0B=x=y\0C=\0")

        for bad in ["NOVALUE", "=value"] {
            let refused = try await CapsuleProcess.run(["run", "--env", bad, module])
            #expect(refused.status == 64, "\(bad): \(refused.status) \(refused.stderr)")
            #expect(refused.stderr.contains("--env"), "\(refused.stderr)")
        }
    }
}
