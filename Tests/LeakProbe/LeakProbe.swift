// Runs a plugin many times in a process of its own and reports the process's descriptors and
// resident memory before and after, for LeakTests: a child process, so that no other test's
// allocations move the figures.
//
//   leak-probe sequential N [component]   N runs one after another for one tenant
//   leak-probe concurrent N [component]   N tenants run at once (one PluginHost, N runs in flight)
//
// A module's runs reuse instances (the plugin host's default); the idle ones are dropped before
// each measurement, so the figures show what runs leak, not what the pool keeps by design.
//
// With `component`, the plugin is Examples/Plugins/report-component.wasm (a WASI 0.2 component
// through the preview 1 adapter) instead of the module below.
//
// Prints one line: runs= failures= descriptors_before= descriptors_after= resident_before_kib=
// resident_after_kib= descriptors_inside= (descriptors still pointing into the tenants' tree).
import CapStd
import CapWASI
import Glibc
import PluginHost
import SystemPackage
import TestSupport
import WAT

@main
enum LeakProbe {
    /// Opens /config/settings.toml, reads it, creates /output/copy.txt, writes what it read there
    /// and leaves both descriptors open for the host to close.
    static let plugin = """
        (module
          (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 1024) "settings.toml")
          (data (i32.const 1040) "copy.txt")
          (func (export "_start")
            (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 13) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0))
              (then (call $exit (i32.const 100))))
            (if (call $path_open (i32.const 4) (i32.const 0) (i32.const 1040) (i32.const 8) (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 4))
              (then (call $exit (i32.const 101))))
            (i32.store (i32.const 64) (i32.const 4096))
            (i32.store (i32.const 68) (i32.const 256))
            (if (call $fd_read (i32.load (i32.const 0)) (i32.const 64) (i32.const 1) (i32.const 72)) (then (call $exit (i32.const 102))))
            (i32.store (i32.const 68) (i32.load (i32.const 72)))
            (call $exit (call $fd_write (i32.load (i32.const 4)) (i32.const 64) (i32.const 1) (i32.const 72)))))
        """

    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3 || (arguments.count == 4 && arguments[3] == "component"), let count = Int(arguments[2]),
            ["sequential", "concurrent"].contains(arguments[1])
        else {
            print("usage: leak-probe sequential|concurrent N [component]")
            exit(2)
        }
        let component = arguments.count == 4
        let tree = try TemporaryTree(prefix: "capsule-leak")
        let (top, path) = (tree.dir, tree.path)
        let tenantCount = arguments[1] == "sequential" ? 1 : count
        for index in 0..<tenantCount {
            try top.createDirAll(RawPath("t\(index)/config"))
            try top.createDir(RawPath("t\(index)/output"))
            try top.write(RawPath("t\(index)/config/settings.toml"), contents: "secret = \"only-t\(index)\"\n")
        }
        // The tree is removed when `tree` goes, after the runs.
        defer { withExtendedLifetime(tree) {} }
        func capabilities(_ indices: Range<Int>) throws -> [PluginCapabilities] {
            try indices.map { index in
                PluginCapabilities(
                    tenant: "t\(index)", config: try top.openDir(RawPath("t\(index)/config")),
                    output: try top.openDir(RawPath("t\(index)/output")))
            }
        }
        func release(_ tenants: [PluginCapabilities]) {
            for tenant in tenants {
                tenant.config.close()
                tenant.output.close()
            }
        }

        let repository = repositoryRoot
        let plugin: Plugin =
            component
            ? try Plugin(bytes: try Dir.openAmbient(repository.appending("Examples/Plugins"), ambientAuthority()).read("report-component.wasm"))
            : .module(try WASIModule(bytes: wat2wasm(Self.plugin)))
        var failures = 0
        let before: Usage
        let after: Usage
        if arguments[1] == "sequential" {
            let host = PluginHost(plugin: plugin, maxConcurrentRuns: 1)
            // A tenth of the runs first, so the allocator and the runtime reach a steady state.
            let warmUp = try capabilities(0..<1)[0]
            for _ in 0..<(count / 10) where (try? host.run(warmUp, denialSink: nil, interrupter: nil).outcome.get().exitCode) != 0 { failures += 1 }
            release([warmUp])
            host.instancePool?.removeIdle()
            host.componentPool?.removeIdle()
            before = Usage.now(excluding: path)
            let tenant = try capabilities(0..<1)[0]
            for _ in 0..<count where (try? host.run(tenant, denialSink: nil, interrupter: nil).outcome.get().exitCode) != 0 { failures += 1 }
            release([tenant])
            host.instancePool?.removeIdle()
            host.componentPool?.removeIdle()
            after = Usage.now(excluding: path)
        } else {
            let host = PluginHost(plugin: plugin, maxConcurrentRuns: count)
            // A warm-up as large as the measured batch: N instances at once is the allocator's
            // high-water mark, which a smaller warm-up would count as growth (50 runs first left
            // 9–10 MiB more resident after 1,000 concurrent runs; 1,000 first, none).
            let warmUp = try capabilities(0..<count)
            _ = await host.run(tenants: warmUp, denialSink: nil)
            release(warmUp)
            host.instancePool?.removeIdle()
            host.componentPool?.removeIdle()
            before = Usage.now(excluding: path)
            let tenants = try capabilities(0..<count)
            let runs = await host.run(tenants: tenants, denialSink: nil)
            failures = runs.filter { (try? $0.outcome.get().exitCode) != 0 }.count
            release(tenants)
            host.instancePool?.removeIdle()
            host.componentPool?.removeIdle()
            after = Usage.now(excluding: path)
        }
        let secret = "secret = \"only-t\(tenantCount - 1)\"\n"
        let written = try top.readString(RawPath("t\(tenantCount - 1)/output/" + (component ? "report.txt" : "copy.txt")))
        if component ? !written.hasSuffix(secret) : written != secret { failures += 1 }
        print(
            "runs=\(count) failures=\(failures) descriptors_before=\(before.descriptors) descriptors_after=\(after.descriptors)"
                + " resident_before_kib=\(before.residentKiB) resident_after_kib=\(after.residentKiB) descriptors_inside=\(after.inside)")
    }
}

/// This process's descriptors (those into the tenants' tree counted apart) and resident memory.
struct Usage {
    let descriptors: Int
    let inside: Int
    let residentKiB: Int

    static func now(excluding tree: String) -> Usage {
        guard let procSelf = try? Dir.openAmbient("/proc/self", ambientAuthority()) else { return Usage(descriptors: -1, inside: -1, residentKiB: -1) }
        defer { procSelf.close() }
        let targets = ((try? procSelf.entries("fd")) ?? []).map { entry in
            (try? procSelf.readLinkContents(RawPath("fd/\(entry.name)")))?.description ?? ""
        }
        let status = (try? procSelf.readString("status")) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Usage(
            descriptors: targets.count, inside: targets.filter { $0.hasPrefix(tree + "/") }.count,
            residentKiB: Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1)
    }
}
