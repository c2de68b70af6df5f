// `capsule run` with commands, reactors and --invoke, against what `wasmtime run` (49.0.3) printed for the same.
import Foundation
import Testing
import TestSupport

/// Reactor modules: `_initialize` writes "init", the default export "main" (only once
/// initialized), and plain exports to invoke.
private enum Reactors {
    static let say = """
        (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (data (i32.const 100) "init\\n")
        (data (i32.const 200) "main\\n")
        (global $initialized (mut i32) (i32.const 0))
        (func $say (param i32) (i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (i32.const 5))
          (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
        (func (export "_initialize") (global.set $initialized (i32.const 1)) (call $say (i32.const 100)))
        """
    /// `_initialize` and `""`, the shape of C++ pipeline toolchains' WASI builds.
    static let withDefault = """
        (module \(say)
          (func (export "") (if (global.get $initialized) (then (call $say (i32.const 200)))))
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func (export "mix") (param i64 f32 f64) (result i64 f32 f64) (local.get 0) (local.get 1) (local.get 2))
          (func (export "initialized") (result i32) (global.get $initialized)))
        """
    /// `_initialize` alone, the shape of a Go `-buildmode=c-shared` module.
    static let initializeOnly = "(module \(say))"
    /// Neither a command nor a reactor.
    static let neither = "(module (memory (export \"memory\") 1) (func (export \"f\")))"
}

/// The checked-in component with plain exports (`Components/invoke.wat`).
private let invokeWasm = repositoryRoot.appending("Tests/CapsuleCLITests/Components/invoke.wasm").string

@Suite("capsule run: reactors and --invoke")
struct InvokeCommandTests {
    @Test("a reactor runs _initialize, then its default export if it has one; a module with neither entry is refused")
    func reactors() async throws {
        let workspace = try Workspace()
        let withDefault = try await CapsuleProcess.run(["run", try workspace.module("reactor.wasm", Reactors.withDefault)])
        #expect(withDefault.status == 0 && withDefault.output == "init\nmain\n", "\(withDefault.stderr)")
        let initializeOnly = try await CapsuleProcess.run(["run", try workspace.module("go.wasm", Reactors.initializeOnly)])
        #expect(initializeOnly.status == 0 && initializeOnly.output == "init\n", "\(initializeOnly.stderr)")
        // Wasmtime runs nothing and exits 0 here; capsule says there is nothing to run.
        let neither = try await CapsuleProcess.run(["run", try workspace.module("neither.wasm", Reactors.neither)])
        #expect(neither.status == 121 && neither.stderr.contains("exports no _start"), "\(neither.stderr)")
    }

    @Test(
        "--invoke NAME for a module: after _initialize, arguments read by the parameters' types, results one per line",
        arguments: [
            (["add", "1", "2"], 0, "init\n3\n"),
            (["add", "0x10", "-3"], 0, "init\n13\n"),
            (["mix", "-5", "1e-7", "1e300"], 0, "init\n-5\n0.0000001\n1" + String(repeating: "0", count: 300) + "\n"),
            (["mix", "0x7fffffffffffffff", "nan", "-inf"], 0, "init\n9223372036854775807\nNaN\n-inf\n"),
            (["mix", "1", "inf", "0.1"], 0, "init\n1\ninf\n0.1\n"),
            (["initialized"], 0, "init\n1\n"),
            (["add", "1"], 64, "init\n"),
            (["add", "1", "x"], 64, "init\n"),
            (["add", "0xffffffff", "1"], 64, "init\n"),
            // Wasmtime runs _initialize before it finds there is no such export; capsule does not.
            (["nope"], 121, ""),
        ] as [([String], Int32, String)])
    func invokeModule(call: [String], status: Int32, output: String) async throws {
        let workspace = try Workspace()
        let module = try workspace.module("reactor.wasm", Reactors.withDefault)
        let run = try await CapsuleProcess.run(["run", "--invoke", call[0], module] + call.dropFirst())
        #expect(run.status == status, "\(run.stderr)")
        #expect(run.output == output)
        #expect(status == 0 ? run.stderr.isEmpty : run.errorLines.count == 1, "\(run.stderr)")
    }

    @Test(
        "--invoke 'NAME(ARGS)' for a component: WAVE in, WAVE out",
        arguments: [
            ("add(1, 2)", 0, "3"),
            ("add(1,2,)", 0, "3"),
            ("nothing()", 0, "()"),
            (#"echo("hé\n\u{1b}\u{301}x\u{202e}")"#, 0, #""hé\n\u{1b}\u{301}x\u{202e}""#),
            ("flip(red)", 0, "blue"),
            ("flip(%green)", 0, "green"),
            ("neg(1e-7)", 0, "-0.0000001"),
            ("neg(nan)", 0, "nan"),
            ("neg(0)", 0, "-0"),
            ("check(some(5))", 0, "ok(5)"),
            ("check(5)", 0, "ok(5)"),
            ("check(none)", 0, #"err("none")"#),
            ("add", 64, ""),
            ("add(1)", 64, ""),
            ("add(-1, 2)", 64, ""),
            ("add(1, 2, 3)", 64, ""),
            ("check()", 64, ""),
            ("check(some(none))", 64, ""),
            ("missing()", 121, ""),
        ] as [(String, Int32, String)])
    func invokeComponent(call: String, status: Int32, output: String) async throws {
        let run = try await CapsuleProcess.run(["run", "--invoke", call, invokeWasm])
        #expect(run.status == status, "\(run.stderr)")
        #expect(run.output == (output.isEmpty ? "" : output + "\n"))
        #expect(status == 0 ? run.stderr.isEmpty : run.errorLines.count == 1, "\(run.stderr)")
    }

    @Test("capsule tenants --invoke calls a reactor module's export for every tenant, after _initialize")
    func tenantsReactor() async throws {
        let workspace = try Workspace()
        let module = try workspace.module("reactor.wasm", Reactors.withDefault)
        let manifest = try TenantsAndAuditTests.tenants(in: workspace)
        let byDefault = try await CapsuleProcess.run(["tenants", "--config", manifest, "--json", module])
        #expect(byDefault.status == 0, "\(byDefault.stderr)")
        #expect(try Self.outputs(byDefault) == ["init\nmain\n", "init\nmain\n"], "\(byDefault.output)")
        let invoked = try await CapsuleProcess.run(["tenants", "--config", manifest, "--json", "--invoke", "initialized", module])
        #expect(invoked.status == 0, "\(invoked.stderr)")
        #expect(try Self.outputs(invoked) == ["init\n", "init\n"], "\(invoked.output)")
    }

    /// Each tenant's standard output in `capsule tenants --json`'s report.
    static func outputs(_ run: CapsuleProcess) throws -> [String] {
        let rows = try JSONSerialization.jsonObject(with: Data(run.stdout)) as? [[String: Any]]
        return rows?.compactMap { $0["stdout"] as? String } ?? []
    }
}
