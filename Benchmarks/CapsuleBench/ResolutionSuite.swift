// Suite 1: the cost of a confined open and stat, against the raw openat2 system call.
import CBenchFloor
import CCapStdShims
import CapStd
import Glibc
import SystemPackage

/// Raw `openat2`+`close` against `Dir.open` with each resolver at depths 1, 4, 8 and 16, each
/// with and without a symlink in the path; `metadata` likewise against `openat2`+`fstat`.
struct ResolutionSuite {
    let rounds: Int
    let iterations: Int

    func run(into report: inout BenchReport) throws {
        let scratch = try ScratchDirectory("resolution")
        defer { scratch.remove() }
        let tree = scratch.dir
        let names = (1...15).map { "d\($0)" }
        try tree.createDirAll(RawPath(names.joined(separator: "/")))
        try tree.write("f", contents: "x")
        try tree.symlink(target: "f", at: "l")
        try tree.symlink(target: "d1", at: "s")
        for depth in [4, 8, 16] { try tree.write(RawPath((names.prefix(depth - 1) + ["f"]).joined(separator: "/")), contents: "x") }

        let kernel = try Dir.openAmbient(FilePath(scratch.path), ambientAuthority(), resolver: .kernel)
        let userspace = try Dir.openAmbient(FilePath(scratch.path), ambientAuthority(), resolver: .userspace)
        let rawBase = open(scratch.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { _ = close(rawBase) }
        let resolveFlags = CAPSULE_RESOLVE_BENEATH | CAPSULE_RESOLVE_NO_MAGICLINKS

        var rows: [(suite: String, name: String, body: (Int) throws -> Void)] = []
        for depth in [1, 4, 8, 16] {
            let plain = (names.prefix(depth - 1) + ["f"]).joined(separator: "/")
            let linked = depth == 1 ? "l" : (["s"] + names.prefix(depth - 1).dropFirst() + ["f"]).joined(separator: "/")
            for (variant, path) in [("", plain), (" +symlink", linked)] {
                let raw = RawPath(path)
                let open = "open depth \(depth)\(variant)"
                let stat = "metadata depth \(depth)\(variant)"
                rows.append((open, "raw openat2+close", { count in
                    for _ in 0..<count {
                        let fd = capsule_openat2(rawBase, path, UInt64(O_RDONLY | O_CLOEXEC), 0, resolveFlags)
                        precondition(fd >= 0, "openat2 \(path) failed: \(-fd)")
                        _ = capsule_close(fd)
                    }
                }))
                rows.append((open, "Dir.open kernel", { count in for _ in 0..<count { _ = try kernel.open(raw) } }))
                rows.append((open, "Dir.open userspace", { count in for _ in 0..<count { _ = try userspace.open(raw) } }))
                if variant.isEmpty {
                    rows.append((open, "C floor: openat per level", { count in
                        for _ in 0..<count { precondition(bench_floor_component_walk(rawBase, path) == 0) }
                    }))
                }
                rows.append((stat, "raw openat2+fstat+close", { count in
                    var info = Glibc.stat()
                    for _ in 0..<count {
                        let fd = capsule_openat2(rawBase, path, UInt64(CAPSULE_O_PATH | O_CLOEXEC), 0, resolveFlags)
                        precondition(fd >= 0, "openat2 \(path) failed: \(-fd)")
                        _ = capsule_fstat(fd, &info)
                        _ = capsule_close(fd)
                    }
                }))
                rows.append((stat, "Dir.metadata kernel", { count in for _ in 0..<count { _ = try kernel.metadata(raw) } }))
                rows.append((stat, "Dir.metadata userspace", { count in for _ in 0..<count { _ = try userspace.metadata(raw) } }))
            }
        }

        for row in rows { try row.body(iterations / 10) }
        let iterations = self.iterations
        let samples = try interleave(rounds: rounds, rows.map { row in { try timed { try row.body(iterations) } / Double(iterations) } })
        let measured = zip(rows, samples).map { row, samples in
            BenchRow(suite: row.suite, name: row.name, value: median(samples), unit: "ns/op")
        }
        for suite in Set(measured.map(\.suite)).sorted(by: { suiteOrder($0) < suiteOrder($1) }) {
            let baseline = suite.hasPrefix("open") ? "raw openat2+close" : "raw openat2+fstat+close"
            report.add(measured.filter { $0.suite == suite }, baseline: baseline)
        }

        let kernelRatios = report.rows.filter { $0.suite.contains("depth") && $0.name.hasSuffix("kernel") }.compactMap(\.ratio)
        let worstKernel = kernelRatios.max() ?? .infinity
        report.targets.append(BenchTarget(
            suite: "resolution", target: "kernel resolver ≤ 1.10× raw (every depth, open and metadata)",
            measured: "worst \(format(worstKernel, decimals: 2))×", met: worstKernel <= 1.10))
        let userspace8 = report.row("open depth 8", "Dir.open userspace")?.ratio ?? .infinity
        let floor8 = report.row("open depth 8", "C floor: openat per level")?.ratio ?? .infinity
        report.targets.append(BenchTarget(
            suite: "resolution", target: "userspace resolver ≤ 3× raw at depth 8",
            measured: "\(format(userspace8, decimals: 2))× (C floor of any component walk: \(format(floor8, decimals: 2))×)",
            met: userspace8 <= 3))
    }

    /// Suites print by depth, open before metadata, plain before symlink.
    private func suiteOrder(_ suite: String) -> (Int, Int, Int) {
        let depth = Int(suite.split(separator: " ")[2]) ?? 0
        return (depth, suite.hasPrefix("open") ? 0 : 1, suite.contains("symlink") ? 1 : 0)
    }
}
