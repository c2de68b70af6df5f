// capsule-bench: Capsule measured beside the raw system call, WasmKit's own WASI and Wasmtime,
// in one process run, printed as a table or JSON.
import ArgumentParser
import Foundation
import Glibc
import SystemPackage

@main
struct CapsuleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capsule-bench",
        abstract: "Measure Capsule against the raw system call, WasmKit's WASI and Wasmtime.",
        discussion: "Build in release mode: swift run -c release capsule-bench")

    enum Suite: String, CaseIterable, ExpressibleByArgument {
        case resolution, guestIO = "guest-io", wasiCalls = "wasi-calls", tenants, audit, fuel, components, deadline
    }

    @Option(name: .customLong("suite"), help: "Run only these suites (\(Suite.allCases.map(\.rawValue).joined(separator: ", "))).")
    var suites: [Suite] = Suite.allCases

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(help: "Smaller data sets and fewer rounds, for a quick look (figures are noisier).")
    var quick = false

    @Option(help: "Interleaved rounds per suite; the median round is reported.")
    var rounds: Int?

    @Option(help: "Small files the guest creates, reads, stats and deletes.")
    var files = 10_000

    @Option(help: "MiB the guest streams to one file and back.")
    var streamMiB = 64

    @Option(help: "Calls per trivial WASI function in the tight loop.")
    var calls = 1_000_000

    @Option(help: "Tenants held resident for the memory and descriptor figures.")
    var residentTenants = 1_000

    @Flag(help: "Leave out the Wasmtime reference (for profiling under valgrind, which cannot follow its subprocess).")
    var noWasmtime = false

    @Option(help: "Swift tree for the audit suite (default: swift-syntax's checkout in .build).")
    var auditTree: String?

    mutating func run() async throws {
        let rounds = max(1, self.rounds ?? (quick ? 3 : 5))
        var report = BenchReport()
        report.machine = Self.machine()
        report.machine["rounds"] = String(rounds)
        #if DEBUG
        report.skipped.append("warning: a debug build; run with -c release for real figures")
        #endif

        if suites.contains(.resolution) {
            try ResolutionSuite(rounds: rounds, iterations: quick ? 2_000 : 20_000).run(into: &report)
        }
        if suites.contains(.guestIO) || suites.contains(.wasiCalls) || suites.contains(.tenants) || suites.contains(.fuel) {
            let hosts = try GuestHosts(report: &report, wasmtime: !noWasmtime)
            defer { hosts.scratch.remove() }
            if suites.contains(.guestIO) {
                try GuestFileIOSuite(rounds: rounds, files: quick ? 1_000 : files, streamMiB: quick ? 8 : streamMiB)
                    .run(hosts: hosts, into: &report)
            }
            if suites.contains(.wasiCalls) {
                try WASICallSuite(rounds: rounds, calls: quick ? 100_000 : calls).run(hosts: hosts, into: &report)
            }
            if suites.contains(.tenants) {
                try await TenantSuite(
                    rounds: rounds, startRuns: quick ? 10 : 50, throughputRuns: quick ? 32 : 200,
                    residentTenants: quick ? 100 : residentTenants
                ).run(hosts: hosts, into: &report)
            }
            if suites.contains(.fuel) {
                try FuelSuite(rounds: rounds, quick: quick, wasmtime: hosts.wasmtime).run(into: &report)
            }
        }
        if suites.contains(.components) {
            try ComponentSuite(rounds: rounds, calls: quick ? 20_000 : 200_000, instantiations: quick ? 50 : 500)
                .run(into: &report)
        }
        if suites.contains(.deadline) {
            try await DeadlineSuite(rounds: rounds, quick: quick).run(into: &report)
        }
        if suites.contains(.audit) {
            try AuditSuite(rounds: rounds, tree: auditTree.map { FilePath($0) }).run(into: &report)
        }
        print(json ? report.json() : report.table())
    }

    /// Where the figures came from.
    static func machine() -> [String: String] {
        var names = utsname()
        uname(&names)
        func string<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return [
            "kernel": string(names.release), "arch": string(names.machine),
            "cores": String(ProcessInfo.processInfo.activeProcessorCount),
            "date": ISO8601DateFormatter().string(from: Date()),
        ]
    }
}
