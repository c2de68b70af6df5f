// Suite 3: instance start, multi-tenant throughput, and the cost of many resident tenants.
import CapStd
import CapWASI
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
        try await measureResident(module: module, scratch: scratch, into: &report)
    }

    /// Instantiate-and-run of a guest that does almost nothing (`file-io calls 0`), module (and
    /// component) compiled once.
    private func measureInstanceStart(hosts: GuestHosts, into report: inout BenchReport) throws {
        let perHost = try hosts.interleaved(rounds: startRuns, ["calls", "0"])
        let medians = Dictionary(uniqueKeysWithValues: perHost.map { ($0.host, median($0.runs.map(\.wallNanoseconds)) / 1000) })
        let rows = perHost.map { host, _ in
            BenchRow(
                suite: "instance start + trivial run", name: host, value: medians[host] ?? .nan, unit: "µs/run",
                note: GuestHosts.componentNote(host, medians, unit: "µs"))
        }
        report.add(rows, baseline: "WasmKit WASI")
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
    /// tenants, with 1, 2 and 8 runs in flight.
    private func measureThroughput(module: WASIModule, scratch: ScratchDirectory, into report: inout BenchReport) async throws {
        let tenants = try (0..<throughputRuns).map { try makeTenant("throughput-\($0)", in: scratch) }
        defer { tenants.forEach { $0.config.close(); $0.output.close() } }
        var rows: [BenchRow] = []
        for concurrency in [1, 2, 8] {
            let host = PluginHost(module: module, programName: "report.wasm", maxConcurrentRuns: concurrency)
            var samples: [Double] = []
            for _ in 0..<rounds {
                let clock = ContinuousClock()
                let start = clock.now
                let runs = await host.run(tenants: tenants, denialSink: nil)
                let elapsed = nanoseconds(clock.now - start)
                guard runs.allSatisfy({ (try? $0.outcome.get().exitCode) == 0 }) else { throw BenchError("a report run failed") }
                samples.append(Double(tenants.count) / (elapsed / 1e9))
            }
            rows.append(BenchRow(
                suite: "tenant throughput (report plugin)", name: "\(concurrency) concurrent", value: median(samples),
                unit: "runs/s", note: "\(tenants.count) tenants per round"))
        }
        report.add(rows, baseline: "1 concurrent")
    }

    /// Peak resident memory and descriptors while `residentTenants` tenants are held open by one
    /// host (two directories each) and each has run the report plugin once, eight at a time.
    private func measureResident(module: WASIModule, scratch: ScratchDirectory, into report: inout BenchReport) async throws {
        let peakReset = ProcessFigures.resetPeakMemory()
        let before = ProcessFigures.memory()
        let descriptorsBefore = ProcessFigures.openDescriptors()
        let tenants = try (0..<residentTenants).map { try makeTenant("resident-\($0)", in: scratch) }
        let host = PluginHost(module: module, programName: "report.wasm", maxConcurrentRuns: 8)
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
