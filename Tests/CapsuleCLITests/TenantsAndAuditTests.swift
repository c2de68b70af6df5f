// `capsule tenants` (the table, --json, exit codes, a tenants file that fails closed) and `capsule audit`'s exit codes.
import CapWASI
import Foundation
import TestSupport
import Testing

@Suite("capsule tenants and capsule audit")
struct TenantsAndAuditTests {
    /// Two tenants, `a` and `b`, with their directories beside the file; `b` gets `extra` in its
    /// table.
    static func tenants(in workspace: Workspace, extra: String = "") throws -> String {
        for name in ["a", "b"] {
            try workspace.tree.dir.createDirAll(.init("\(name)/config"))
            try workspace.tree.dir.createDirAll(.init("\(name)/output"))
        }
        let toml = """
            [[tenant]]
            name = "a"
            config = "a/config"
            output = "a/output"

            [[tenant]]
            name = "b"
            config = "b/config"
            output = "b/output"
            \(extra)
            """
        return try workspace.write("tenants.toml", Array(toml.utf8))
    }

    @Test("a table with a row per tenant; exit 0 when every run exited 0, 1 when one did not")
    func table() async throws {
        let workspace = try Workspace()
        let plugin = try workspace.module("plugin.wasm", Guests.program("(call $exit (i32.const 0))"))
        let clean = try await CapsuleProcess.run(["tenants", "--config", try Self.tenants(in: workspace), plugin])
        #expect(clean.status == 0, "\(clean.stderr)")
        let lines = clean.output.split(separator: "\n")
        #expect(lines.count == 3, "\(clean.output)")
        #expect(lines.first?.hasPrefix("tenant") == true && lines.first?.contains("outcome") == true)
        #expect(lines.dropFirst().map { $0.split(separator: " ").prefix(3).joined(separator: " ") } == ["a exited 0", "b exited 0"])

        let starved = try await CapsuleProcess.run(["tenants", "--config", try Self.tenants(in: workspace, extra: "fuel = 1"), plugin])
        #expect(starved.status == 1, "\(starved.stderr)")
        #expect(starved.output.split(separator: "\n").contains { $0.hasPrefix("b ") && $0.contains("out-of-fuel") }, "\(starved.output)")
    }

    @Test("--share-instances lets the second tenant take the first one's instance: memory.size is its own, the pages past it do not trap")
    func sharedInstances() async throws {
        let workspace = try Workspace()
        // With an argument (tenant a): grows memory by a page and exits with its size in pages.
        // Without (tenant b): exits with memory.size plus the first byte of page 1, which traps
        // unless the real memory is larger than the guest's own size.
        let plugin = try workspace.module(
            "plugin.wasm",
            Guests.program(
                """
                (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
                (if (i32.eq (i32.load (i32.const 0)) (i32.const 2))
                  (then (drop (memory.grow (i32.const 1))) (call $exit (memory.size))))
                (call $exit (i32.add (memory.size) (i32.load8_u (i32.const 65536))))
                """,
                "(import \"wasi_snapshot_preview1\" \"args_sizes_get\" (func $args_sizes_get (param i32 i32) (result i32)))"))
        _ = try Self.tenants(in: workspace)
        let config = try workspace.write(
            "tenants.toml",
            Array(#"""
                [[tenant]]
                name = "a"
                config = "a/config"
                output = "a/output"
                args = ["grow"]

                [[tenant]]
                name = "b"
                config = "b/config"
                output = "b/output"
                """#.utf8))
        func exitCodes(_ options: [String]) async throws -> [Int?] {
            let run = try await CapsuleProcess.run(["tenants", "--config", config, "--jobs", "1", "--json"] + options + [plugin])
            let rows = try #require(JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [[String: Any]], "\(run.stderr)")
            return rows.map { $0["exitCode"] as? Int }
        }
        // Each tenant's own instance: b's read traps.
        #expect(try await exitCodes([]) == [2, nil])
        // b runs in the instance a used: memory.size is 1 as in a fresh instance, but the page a
        // grew is still there (zeroed) and the read does not trap.
        #expect(try await exitCodes(["--share-instances"]) == [2, 1])
    }

    @Test("a plugin's path with CR, LF, ESC and invalid UTF-8 shows escaped in the table and in capsule run's log")
    func forgedPath() async throws {
        let workspace = try Workspace()
        // path_open of "../\r\nFORGED\x1b[31m\xff" (17 bytes) beneath fd 3 (/config), then exit 0.
        let plugin = try workspace.module(
            "plugin.wasm",
            Guests.program(
                """
                (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 17)
                  (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 300)))
                (call $exit (i32.const 0))
                """,
                """
                (import "wasi_snapshot_preview1" "path_open"
                  (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
                (data (i32.const 200) "../\\0d\\0aFORGED\\1b[31m\\ff")
                """))
        let table = try await CapsuleProcess.run(["tenants", "--config", try Self.tenants(in: workspace), plugin])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.output.split(separator: "\n").allSatisfy { isPrintable($0) }, "\(table.output)")
        #expect(table.output.contains(#"/config/../\r\nFORGED\x1B[31m\xFF"#), "\(table.output)")

        try workspace.tree.dir.createDirAll("c")
        let run = try await CapsuleProcess.run(["run", "--ro-dir", workspace.path + "/c::/config", plugin])
        #expect(run.status == 0 && run.errorLines.count == 1, "\(run.stderr)")
        #expect(run.errorLines.allSatisfy { isPrintable($0) } && run.stderr.contains(#"\r\nFORGED"#), "\(run.stderr)")
    }

    @Test("--json gives each tenant's report")
    func json() async throws {
        let workspace = try Workspace()
        let plugin = try workspace.module("plugin.wasm", Guests.program("(call $exit (i32.const 3))"))
        let run = try await CapsuleProcess.run(["tenants", "--json", "--config", try Self.tenants(in: workspace, extra: "timeout = 30"), plugin])
        #expect(run.status == 1)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout)) as? [[String: Any]])
        #expect(rows.map { $0["tenant"] as? String } == ["a", "b"])
        #expect(rows.allSatisfy { $0["outcome"] as? String == "exited" && $0["exitCode"] as? Int == 3 })
        #expect(rows.allSatisfy { ($0["peakMemoryBytes"] as? Int) == 65536 && $0["denials"] as? [String] == [] })
    }

    @Test(
        "a tenants file that does not say exactly what it means is exit 2, naming the key and where it is",
        arguments: [
            ("quota_bytez = 5", #"unknown key in tenant "b": quota_bytez"#), ("max_descriptors = 0", "max_descriptors in tenant \"b\""),
            ("timeout = \"10\"", "timeout"),
        ])
    func failsClosed(extra: String, message: String) async throws {
        let workspace = try Workspace()
        let plugin = try workspace.module("plugin.wasm", Guests.program("(call $exit (i32.const 0))"))
        let run = try await CapsuleProcess.run(["tenants", "--config", try Self.tenants(in: workspace, extra: extra), plugin])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("capsule tenants: ") && run.stderr.contains(message), "\(run.stderr)")
        #expect(run.output.isEmpty)
    }

    @Test("--help gives the tenants file's every key with its default, the defaults taken from WASILimits()")
    func help() async throws {
        let help = try await CapsuleProcess.run(["tenants", "--help"])
        #expect(help.status == 0)
        let defaults = WASILimits()
        for key in ["fuel", "max_memory", "max_descriptors", "timeout", "quota_bytes", "quota_entries", "name", "config", "output", "args", "env"] {
            #expect(help.output.contains("\n  \(key) = "), "\(key)")
        }
        for value in ["\(defaults.fuel ?? 0)", "\(defaults.maxMemoryBytes)", "\(defaults.maxDescriptors)", "\(defaults.timeout?.components.seconds ?? 0)"] {
            #expect(help.output.contains("(default \(value))"), "\(value)")
        }
        #expect(!help.output.contains("TenantManifest"))
    }

    @Test(
        "capsule audit exits 0 on a clean package, 1 on a violation, 2 on a file that does not parse",
        arguments: [
            ("let x = 1\n", 0), ("import Foundation\nlet d = FileManager.default.contents(atPath: \"/etc/shadow\")\n", 1),
            ("func broken( {\n", 2),
        ] as [(String, Int32)])
    func audit(source: String, status: Int32) async throws {
        let workspace = try Workspace()
        try workspace.tree.dir.createDirAll("Sources/App")
        try workspace.write("Sources/App/main.swift", Array(source.utf8))
        let run = try await CapsuleProcess.run(["audit", workspace.path])
        #expect(run.status == status, "\(run.output) \(run.stderr)")
        #expect(run.output.contains("1 files"), "\(run.output)")
    }
}
