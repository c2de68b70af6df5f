// Suite 3: instance start, multi-tenant throughput, and the cost of many resident tenants.
import CBenchFloor
import CapStd
import CapWASI
import Glibc
import PluginHost

struct TenantSuite {
    let rounds: Int
    let startRuns: Int
    let throughputRuns: Int
    let residentTenants: Int

    func run(hosts: GuestHosts, into report: inout BenchReport) async throws {
        try measureInstanceStart(hosts: hosts, into: &report)
        let scratch = try ScratchDirectory("tenants")
        defer { scratch.remove() }
        let module = try WASIModule(bytes: try checkoutFile("Examples/Plugins/report.wasm"))
        try await measureThroughput(module: module, scratch: scratch, into: &report)
        try await measureComponentThroughput(scratch: scratch, into: &report)
        try measureOneTenant(module: module, scratch: scratch, into: &report)
        try await measureResident(module: module, scratch: scratch, into: &report)
        try await measurePooled(module: module, scratch: scratch, into: &report)
    }

    /// Instantiate-and-run of a guest that does almost nothing (`file-io calls 0`), module (and
    /// component) compiled once; and the same run in an instance reused from the run before.
    private func measureInstanceStart(hosts: GuestHosts, into report: inout BenchReport) throws {
        let pool = WASIInstancePool(module: hosts.capsule.module)
        if let reason = pool.notReusableReason { throw BenchError(reason) }
        let componentPool = WASIComponentPool(component: hosts.capsuleComponent.component)
        if let reason = componentPool.notReusableReason { throw BenchError(reason) }
        let perHost = try hosts.interleaved(rounds: startRuns, ["calls", "0"], reused: pool, reusedComponent: componentPool)
        let medians = Dictionary(uniqueKeysWithValues: perHost.map { ($0.host, median($0.runs.map(\.wallNanoseconds)) / 1000) })
        let statistics = pool.statistics
        let reuseNote =
            "\(statistics.reuses) reuses, \(statistics.instantiations) instances"
            + (medians["Wasmtime (reference)"].flatMap { wasmtime in
                medians[GuestHosts.reusedHost].map { ", \(format($0 / wasmtime, decimals: 2))× Wasmtime's fresh instance" }
            } ?? "")
        let rows = perHost.map { host, _ in
            BenchRow(
                suite: "instance start + trivial run", name: host, value: medians[host] ?? .nan, unit: "µs/run",
                note: host == GuestHosts.reusedHost
                    ? reuseNote
                    : GuestHosts.componentNote(host, medians, unit: "µs").map {
                        host == GuestHosts.reusedComponentHost
                            ? $0 + "; \(componentPool.statistics.reuses) reuses, \(componentPool.statistics.instantiations) instances" : $0
                    })
        }
        report.add(rows, baseline: "WasmKit WASI")
        let suite = "instance start + trivial run"
        func target(_ what: String, _ component: String, _ module: String, _ bound: Double) {
            guard let component = medians[component], let module = medians[module] else { return }
            report.targets.append(BenchTarget(
                suite: suite, target: "\(what) ≤ \(format(bound, decimals: 1))× the module's under Capsule (issue 26)",
                measured: "\(format(component / module, decimals: 2))×", met: component / module <= bound))
        }
        target("fresh component start + trivial run", "Capsule WASI 0.2 (component)", "Capsule WASI", 1.2)
        target("warm component run", GuestHosts.reusedComponentHost, GuestHosts.reusedHost, 1.5)
        try measureFirstPooledRun(hosts: hosts, into: &report)
    }

    /// The first run of a new pool: instantiation, the snapshot of the new instance and the run,
    /// with lazy translation and with eager (every function translated when the instance is made).
    private func measureFirstPooledRun(hosts: GuestHosts, into report: inout BenchReport) throws {
        var samples: [Bool: [Double]] = [false: [], true: []]
        for _ in 0..<max(3, startRuns / 5) {
            for eager in [false, true] {
                let pool = WASIInstancePool(module: hosts.capsule.module, reuse: InstanceReuse(eagerTranslation: eager))
                let host = CapsuleGuestHost(module: hosts.capsule.module, pool: pool)
                samples[eager]!.append(try host.run(["calls", "0"], work: hosts.scratch.dir).wallNanoseconds / 1000)
            }
        }
        let suite = "first run in a new pool (instantiation + snapshot + trivial run)"
        report.add(
            [
                BenchRow(suite: suite, name: "lazy translation", value: median(samples[false]!), unit: "µs/run"),
                BenchRow(
                    suite: suite, name: "eager translation", value: median(samples[true]!), unit: "µs/run",
                    note: "every function translated up front; later runs translate nothing"),
            ], baseline: "lazy translation")
    }

    /// One tenant's tree: config/settings.toml and an empty output directory.
    private func makeTenant(_ name: String, in scratch: ScratchDirectory) throws -> PluginCapabilities {
        try scratch.dir.createDirAll(RawPath("\(name)/config"))
        try scratch.dir.createDirAll(RawPath("\(name)/output"))
        try scratch.dir.write(RawPath("\(name)/config/settings.toml"), contents: "tenant = \"\(name)\"\n")
        return PluginCapabilities(
            tenant: name, config: try scratch.dir.openDir(RawPath("\(name)/config")),
            output: try scratch.dir.openDir(RawPath("\(name)/output")), arguments: [name])
    }

    /// Runs per second of the report plugin (reads its config, writes a report) over distinct
    /// tenants, with 1, 2 and 8 runs in flight: each run in a fresh instance, and each in an
    /// instance the same tenant's previous run used (one untimed round fills the pools).
    private func measureThroughput(module: WASIModule, scratch: ScratchDirectory, into report: inout BenchReport) async throws {
        let tenants = try (0..<throughputRuns).map { try makeTenant("throughput-\($0)", in: scratch) }
        defer { tenants.forEach { $0.config.close(); $0.output.close() } }
        var rows: [BenchRow] = []
        for concurrency in [1, 2, 8] {
            var freshRunsPerSecond = Double.nan
            for reused in [false, true] {
                let host = PluginHost(
                    module: module, programName: "report.wasm", maxConcurrentRuns: concurrency,
                    reuse: reused ? InstanceReuse(owners: tenants.count) : nil)
                if reused { _ = await host.run(tenants: tenants, denialSink: nil) }
                var samples: [Double] = []
                for _ in 0..<rounds { samples.append(try await Self.runsPerSecond(host, tenants)) }
                let runsPerSecond = median(samples)
                if !reused { freshRunsPerSecond = runsPerSecond }
                let statistics = host.instancePool?.statistics
                rows.append(BenchRow(
                    suite: "tenant throughput (report plugin)", name: "\(concurrency) concurrent" + (reused ? ", reused instances" : ""),
                    value: runsPerSecond, unit: "runs/s",
                    note: "\(tenants.count) tenants per round"
                        + (statistics.map {
                            "; \(format(runsPerSecond / freshRunsPerSecond, decimals: 2))× fresh instances at \(concurrency) in flight"
                                + " (\($0.reuses) reuses, \($0.instantiations) instances)"
                        } ?? "")))
            }
        }
        report.add(rows, baseline: "1 concurrent")
    }

    /// One round: every tenant's run through `host`, in runs per second; every run must exit 0.
    private static func runsPerSecond(_ host: PluginHost, _ tenants: [PluginCapabilities]) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        let runs = await host.run(tenants: tenants, denialSink: nil)
        let elapsed = nanoseconds(clock.now - start)
        guard runs.allSatisfy({ (try? $0.outcome.get().exitCode) == 0 }) else { throw BenchError("a report run failed") }
        return Double(tenants.count) / (elapsed / 1e9)
    }

    /// Runs per second of the report plugin as a module and as a component, 1 run in flight,
    /// over tenants that each run exactly once per pool (so only reuse across tenants can help):
    /// fresh instances, and instances reused across tenants (`acrossOwners`).
    private func measureComponentThroughput(scratch: ScratchDirectory, into report: inout BenchReport) async throws {
        let tenants = try (0..<throughputRuns).map { try makeTenant("once-\($0)", in: scratch) }
        defer { tenants.forEach { $0.config.close(); $0.output.close() } }
        let module = Plugin.module(try WASIModule(bytes: try checkoutFile("Examples/Plugins/report.wasm")))
        let component = try Plugin(bytes: try checkoutFile("Examples/Plugins/report-component.wasm"))
        var rows: [BenchRow] = []
        // Reuse across tenants with growth retained as runs ask, and as the indistinguishability
        // tests run it: growth reserved in every instance, so that no guest can tell a reused
        // instance from a new one.
        let reuses: [(String, InstanceReuse?)] = [
            ("fresh instances", nil),
            ("instances reused across tenants", InstanceReuse(acrossOwners: true, eagerTranslation: true)),
            ("instances reused across tenants, indistinguishable", .indistinguishable()),
        ]
        for (flavour, plugin) in [("module", module), ("component", component)] {
            for (name, reuse) in reuses {
                var samples: [Double] = []
                var reused = 0
                for _ in 0..<rounds {
                    // A new host each round: no tenant runs twice in one pool.
                    let host = PluginHost(plugin: plugin, programName: "report.wasm", maxConcurrentRuns: 1, reuse: reuse)
                    samples.append(try await Self.runsPerSecond(host, tenants))
                    reused += host.instancePool?.statistics.reuses ?? host.componentPool?.statistics.reuses ?? 0
                }
                rows.append(BenchRow(
                    suite: "tenants that each run once (report plugin, 1 in flight)", name: "\(flavour), \(name)",
                    value: median(samples), unit: "runs/s",
                    note: "\(tenants.count) tenants per round" + (reuse == nil ? "" : "; \(reused) of \(tenants.count * rounds) runs reused")))
            }
        }
        let floor = try Self.nativeFloor(tenants.map(\.tenant), in: scratch, rounds: rounds)
        rows.append(BenchRow(
            suite: rows.first?.suite ?? "", name: "the plugin's file system calls alone, in C (the kernel's floor)",
            value: floor, unit: "runs/s", note: "\(tenants.count) tenants per round; no guest, no host, descriptors opened beforehand"))
        report.add(rows, baseline: "module, fresh instances")
        let indistinguishable = rows.filter { $0.name.hasSuffix("indistinguishable") }
        report.targets.append(BenchTarget(
            suite: rows.first?.suite ?? "", target: "tenants that each run once, reused across tenants: ≥ 2,500 runs/s, module and component (issue 26)",
            measured: indistinguishable.map { "\($0.name.prefix { $0 != "," }) \(format($0.value, decimals: 0)) runs/s" }.joined(separator: ", ")
                + " (the same file system calls in C: \(format(floor, decimals: 0)) runs/s)",
            met: indistinguishable.count == 2 && indistinguishable.allSatisfy { $0.value >= 2_500 }))
    }

    /// Runs per second of the report plugin's file system calls made by C for each tenant
    /// (`bench_floor_report`), median of `rounds`: what the kernel costs a run with nothing
    /// else, so that the rows above can be read against it.
    private static func nativeFloor(_ names: [String], in scratch: ScratchDirectory, rounds: Int) throws -> Double {
        func openDirectory(_ path: String) throws -> Int32 {
            let fd = open("\(scratch.path)/\(path)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw BenchError("cannot open \(path): errno \(errno)") }
            return fd
        }
        let descriptors = try names.map { (name: $0, config: try openDirectory("\($0)/config"), output: try openDirectory("\($0)/output")) }
        defer { descriptors.forEach { _ = close($0.config); _ = close($0.output) } }
        var samples: [Double] = []
        for _ in 0..<rounds {
            let clock = ContinuousClock()
            let start = clock.now
            for tenant in descriptors {
                let result = bench_floor_report(tenant.config, tenant.output, tenant.name)
                guard result == 0 else { throw BenchError("the report floor failed for \(tenant.name): errno \(-result)") }
            }
            samples.append(Double(descriptors.count) / (nanoseconds(clock.now - start) / 1e9))
        }
        return median(samples)
    }

    /// One tenant's report runs one after another, fresh and reused: the steady state, in which
    /// a reused instance is replaced whenever the memory it keeps growing passes the bound.
    private func measureOneTenant(module: WASIModule, scratch: ScratchDirectory, into report: inout BenchReport) throws {
        let tenant = try makeTenant("one-tenant", in: scratch)
        defer { tenant.config.close(); tenant.output.close() }
        let runs = throughputRuns * 2
        let component = try Plugin(bytes: try checkoutFile("Examples/Plugins/report-component.wasm"))
        let givingBack = InstanceReuse(keptResidentBytes: 0)
        let hosts: [(name: String, host: PluginHost)] = [
            ("fresh instances", PluginHost(module: module, programName: "report.wasm", maxConcurrentRuns: 1, reuse: nil)),
            ("reused instances", PluginHost(module: module, programName: "report.wasm", maxConcurrentRuns: 1, reuse: InstanceReuse())),
            (
                "reused instances, every page given back",
                PluginHost(module: module, programName: "report.wasm", maxConcurrentRuns: 1, reuse: givingBack)
            ),
            ("component, reused instances", PluginHost(plugin: component, programName: "report.wasm", maxConcurrentRuns: 1, reuse: InstanceReuse())),
            (
                "component, reused instances, every page given back",
                PluginHost(plugin: component, programName: "report.wasm", maxConcurrentRuns: 1, reuse: givingBack)
            ),
        ]
        // Rounds interleaved across the hosts, so that a slower stretch of the machine falls on all.
        var samples = Array(repeating: [Double](), count: hosts.count)
        for _ in 0..<rounds {
            for (index, (_, host)) in hosts.enumerated() {
                let clock = ContinuousClock()
                let start = clock.now
                for _ in 0..<runs {
                    guard (try? host.run(tenant, denialSink: nil).outcome.get().exitCode) == 0 else { throw BenchError("a report run failed") }
                }
                samples[index].append(Double(runs) / (nanoseconds(clock.now - start) / 1e9))
            }
        }
        let medians = samples.map(median)
        let rows = hosts.enumerated().map { index, entry in
            let statistics = entry.host.instancePool?.statistics ?? entry.host.componentPool?.statistics
            // A row that gives every page back is compared with the same plugin keeping them.
            let note = entry.name.hasSuffix("given back")
                ? "keeping written pages: \(format(medians[index - 1] / medians[index], decimals: 2))× these runs/s"
                : statistics.map { "\($0.reuses) reuses, \($0.instantiations) instances (replaced past 16 MiB of growth)" }
            return BenchRow(
                suite: "one tenant, \(runs) report runs in a row", name: entry.name, value: medians[index], unit: "runs/s", note: note)
        }
        report.add(rows, baseline: "fresh instances")
    }

    /// Resident memory each idle instance costs: `residentTenants` tenants run the report plugin
    /// once with reuse on, so each leaves one instance in the pool.
    private func measurePooled(module: WASIModule, scratch: ScratchDirectory, into report: inout BenchReport) async throws {
        let tenants = try (0..<residentTenants).map { try makeTenant("pooled-\($0)", in: scratch) }
        defer { tenants.forEach { $0.config.close(); $0.output.close() } }
        let host = PluginHost(module: module, programName: "report.wasm", maxConcurrentRuns: 1, reuse: InstanceReuse(owners: tenants.count))
        // A first tenant's run so the engine, the allocator and the rewritten module are in place.
        _ = await host.run(tenants: [try makeTenant("pooled-warm-up", in: scratch)], denialSink: nil)
        host.instancePool?.removeIdle()
        let before = ProcessFigures.memory()
        let runs = await host.run(tenants: tenants, denialSink: nil)
        guard runs.allSatisfy({ (try? $0.outcome.get().exitCode) == 0 }) else { throw BenchError("a pooled tenant's run failed") }
        let held = ProcessFigures.memory()
        let idle = host.instancePool?.statistics.idle ?? 0
        host.instancePool?.removeIdle()
        let suite = "\(residentTenants) pooled instances (report plugin)"
        report.add([
            BenchRow(
                suite: suite, name: "resident memory per pooled instance",
                value: Double(held.residentKiB - before.residentKiB) / Double(max(1, idle)), unit: "KiB",
                note: "\(idle) idle instances, one per tenant"),
        ])
    }

    /// Peak resident memory and descriptors while `residentTenants` tenants are held open by one
    /// host (two directories each) and each has run the report plugin once, eight at a time.
    private func measureResident(module: WASIModule, scratch: ScratchDirectory, into report: inout BenchReport) async throws {
        let peakReset = ProcessFigures.resetPeakMemory()
        let before = ProcessFigures.memory()
        let descriptorsBefore = ProcessFigures.openDescriptors()
        let tenants = try (0..<residentTenants).map { try makeTenant("resident-\($0)", in: scratch) }
        let host = PluginHost(module: module, programName: "report.wasm", maxConcurrentRuns: 8, reuse: nil)
        let runs = await host.run(tenants: tenants, denialSink: nil)
        guard runs.allSatisfy({ (try? $0.outcome.get().exitCode) == 0 }) else { throw BenchError("a resident tenant's run failed") }
        let held = ProcessFigures.memory()
        let descriptorsHeld = ProcessFigures.openDescriptors()
        tenants.forEach { $0.config.close(); $0.output.close() }
        let descriptorsAfter = ProcessFigures.openDescriptors()

        let suite = "\(residentTenants) resident tenants"
        let peakNote = peakReset ? "peak reset before the tenants were created" : "peak since process start (clear_refs unavailable)"
        report.add([
            BenchRow(suite: suite, name: "resident memory before", value: Double(before.residentKiB) / 1024, unit: "MiB"),
            BenchRow(suite: suite, name: "peak resident memory", value: Double(held.peakKiB) / 1024, unit: "MiB", note: peakNote),
            BenchRow(
                suite: suite, name: "resident memory per tenant",
                value: Double(held.residentKiB - before.residentKiB) / Double(residentTenants), unit: "KiB",
                note: "after every tenant ran once, capabilities still held"),
            BenchRow(suite: suite, name: "descriptors before", value: Double(descriptorsBefore), unit: "fds"),
            BenchRow(
                suite: suite, name: "descriptors while resident", value: Double(descriptorsHeld), unit: "fds",
                note: "\(format(Double(descriptorsHeld - descriptorsBefore) / Double(residentTenants), decimals: 2)) per tenant"),
            BenchRow(suite: suite, name: "descriptors after release", value: Double(descriptorsAfter), unit: "fds"),
        ])
    }
}
