// Warm instances: a run in a reused instance sees nothing of the runs before it.
import CapStd
@testable import CapWASI
import Testing
import TestSupport
import WAT
import WasmKit

@Suite("Instance reuse")
struct InstanceReuseTests {
    /// `plant` fills all of memory (after growing it) with 0xA5, sets hidden globals, points a
    /// table slot at another function, leaves three descriptors open and exits three frames deep
    /// with its stack pointer moved. `scan` exits with a bit per kind of leftover it finds:
    /// 1 memory, 2 globals, 4 table, 8 descriptors beyond the five a fresh run has.
    /// `plant+scan` does both in one run: the control that proves the scan sees each kind.
    /// `trap` plants and traps; `loop` plants and loops forever; `write` plants without growing
    /// memory. `observe` writes to standard output everything the guest can see of its
    /// instance's state: `memory.size`, an FNV-1a hash of every byte of memory, every global,
    /// what each table slot's function returns and the table's size, and the `fd_fdstat_get`
    /// answer (errno, file type, flags, rights) for descriptors 0–63. `edge` reads the first
    /// byte past `memory.size`, which traps unless the real memory is larger.
    static let secretKeeper = """
        (module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (global $secret (mut i64) (i64.const 0))
          (global $runs (mut i32) (i32.const 0))
          (global $stack (mut i32) (i32.const 65536))
          (table $slots 2 funcref)
          (type $probe (func (result i32)))
          (elem (table $slots) (i32.const 0) func $clean $clean)
          (elem declare func $planted)
          (data (i32.const 16) "settings.toml")
          (func $clean (result i32) (i32.const 0))
          (func $planted (result i32) (i32.const 1))
          (func $deep (param $depth i32)
            (global.set $stack (i32.sub (global.get $stack) (i32.const 4096)))
            (if (local.get $depth)
              (then (call $deep (i32.sub (local.get $depth) (i32.const 1))))
              (else (call $exit (i32.const 0)))))
          (func $plant (param $grow i32)
            (drop (memory.grow (local.get $grow)))
            (memory.fill (i32.const 1024) (i32.const 0xA5) (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1024)))
            (global.set $secret (i64.const 0x5EC2E7))
            (global.set $runs (i32.add (global.get $runs) (i32.const 1)))
            (table.set $slots (i32.const 1) (ref.func $planted))
            (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 13) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
            (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 13) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
            (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 13) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0))))
          (func $scan (result i32)
            (local $address i32) (local $end i32) (local $found i32) (local $fd i32) (local $open i32)
            (local.set $end (i32.mul (memory.size) (i32.const 65536)))
            (local.set $address (i32.const 1024))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $address) (local.get $end)))
                (if (i64.ne (i64.load (local.get $address)) (i64.const 0))
                  (then (local.set $found (i32.const 1)) (br $done)))
                (local.set $address (i32.add (local.get $address) (i32.const 8)))
                (br $next)))
            (if (i32.or (i32.or (i64.ne (global.get $secret) (i64.const 0)) (i32.ne (global.get $runs) (i32.const 0)))
                  (i32.ne (global.get $stack) (i32.const 65536)))
              (then (local.set $found (i32.or (local.get $found) (i32.const 2)))))
            (if (call_indirect $slots (type $probe) (i32.const 1))
              (then (local.set $found (i32.or (local.get $found) (i32.const 4)))))
            (block $counted
              (loop $each
                (br_if $counted (i32.ge_u (local.get $fd) (i32.const 64)))
                (if (i32.eqz (call $fdstat (local.get $fd) (i32.const 512)))
                  (then (local.set $open (i32.add (local.get $open) (i32.const 1)))))
                (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
                (br $each)))
            (if (i32.ne (local.get $open) (i32.const 5))
              (then (local.set $found (i32.or (local.get $found) (i32.const 8)))))
            (local.get $found))
          (func $observe
            (local $address i32) (local $end i32) (local $hash i64) (local $out i32) (local $fd i32)
            (local.set $end (i32.mul (memory.size) (i32.const 65536)))
            (local.set $hash (i64.const 0xcbf29ce484222325))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $address) (local.get $end)))
                (local.set $hash (i64.mul (i64.xor (local.get $hash) (i64.load8_u (local.get $address))) (i64.const 0x100000001b3)))
                (local.set $address (i32.add (local.get $address) (i32.const 1)))
                (br $next)))
            ;; The observations go above the argument strings, at 4096, and out through stdout.
            (local.set $out (i32.const 4096))
            (i32.store (local.get $out) (memory.size))
            (i64.store offset=4 (local.get $out) (local.get $hash))
            (i64.store offset=12 (local.get $out) (global.get $secret))
            (i32.store offset=20 (local.get $out) (global.get $runs))
            (i32.store offset=24 (local.get $out) (global.get $stack))
            (i32.store offset=28 (local.get $out) (call_indirect $slots (type $probe) (i32.const 0)))
            (i32.store offset=32 (local.get $out) (call_indirect $slots (type $probe) (i32.const 1)))
            (i32.store offset=36 (local.get $out) (table.size $slots))
            (local.set $out (i32.add (local.get $out) (i32.const 40)))
            (block $counted
              (loop $each
                (br_if $counted (i32.ge_u (local.get $fd) (i32.const 64)))
                (i64.store (local.get $out) (i64.const 0))
                (i64.store offset=8 (local.get $out) (i64.const 0))
                (i64.store offset=16 (local.get $out) (i64.const 0))
                (i32.store offset=24 (local.get $out) (call $fdstat (local.get $fd) (local.get $out)))
                (local.set $out (i32.add (local.get $out) (i32.const 28)))
                (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
                (br $each)))
            (i32.store (i32.const 3072) (i32.const 4096))
            (i32.store (i32.const 3076) (i32.sub (local.get $out) (i32.const 4096)))
            (drop (call $fd_write (i32.const 1) (i32.const 3072) (i32.const 1) (i32.const 3080)))
            (call $exit (i32.const 0)))
          (func (export "_start")
            (local $mode i32)
            (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
            (drop (call $args_get (i32.const 32) (i32.const 128)))
            ;; argv[1] is told apart by its bytes 0 and 5.
            (local.set $mode (i32.load (i32.const 36)))
            (if (i32.eq (i32.load8_u (local.get $mode)) (i32.const 0x73)) (then (call $exit (call $scan))))
            (if (i32.eq (i32.load8_u (local.get $mode)) (i32.const 0x6f)) (then (call $observe)))
            (if (i32.eq (i32.load8_u (local.get $mode)) (i32.const 0x65))
              (then (call $exit (i32.load8_u (i32.mul (memory.size) (i32.const 65536))))))
            (call $plant (select (i32.const 0) (i32.const 2) (i32.eq (i32.load8_u (local.get $mode)) (i32.const 0x77))))
            (if (i32.eq (i32.load8_u (local.get $mode)) (i32.const 0x74)) (then unreachable))
            (if (i32.eq (i32.load8_u (local.get $mode)) (i32.const 0x6c)) (then (loop $forever (br $forever))))
            (if (i32.eq (i32.load8_u offset=5 (local.get $mode)) (i32.const 0x2b)) (then (call $exit (call $scan))))
            (call $deep (i32.const 3))))
        """

    static func module() throws -> WASIModule {
        try WASIModule(bytes: wat2wasm(secretKeeper))
    }

    static func configuration(_ tree: TenantTree, _ mode: String, tenant: String = "tenant-a", fuel: UInt64? = nil) throws
        -> WASIConfiguration
    {
        var configuration = try tree.configuration(limits: WASILimits(fuel: fuel))
        configuration.arguments = ["secret-keeper.wasm", mode]
        configuration.instanceName = tenant
        return configuration
    }

    @Test("the scan sees every kind of leftover when it runs in the same instance as the plant")
    func scanSeesLeftovers() throws {
        let tree = try TenantTree()
        let result = try WASIRunner.run(Self.module(), configuration: Self.configuration(tree, "plant+scan"), denialSink: nil)
        #expect(result.exitCode == 1 | 2 | 4 | 8)
    }

    @Test("a reused instance shows the same tenant's next run nothing of the last", arguments: [false, true])
    func sameTenant(eager: Bool) throws {
        let tree = try TenantTree()
        let pool = WASIInstancePool(module: try Self.module(), reuse: InstanceReuse(eagerTranslation: eager))
        #expect(pool.notReusableReason == nil)
        #expect(try pool.run(Self.configuration(tree, "plant"), owner: "tenant-a", denialSink: nil).exitCode == 0)
        #expect(try pool.run(Self.configuration(tree, "scan"), owner: "tenant-a", denialSink: nil).exitCode == 0)
        #expect(pool.statistics == .init(instantiations: 1, reuses: 1, discards: 0, idle: 1))
        #expect(pool.idleInstancesArePristine)
    }

    @Test("another tenant gets a fresh instance unless reuse across owners is enabled, and sees nothing either way")
    func otherTenant() throws {
        let tree = try TenantTree()
        for acrossOwners in [false, true] {
            let pool = WASIInstancePool(module: try Self.module(), reuse: InstanceReuse(acrossOwners: acrossOwners))
            #expect(try pool.run(Self.configuration(tree, "plant"), owner: "tenant-a", denialSink: nil).exitCode == 0)
            let scan = try pool.run(Self.configuration(tree, "scan", tenant: "tenant-b"), owner: "tenant-b", denialSink: nil)
            #expect(scan.exitCode == 0)
            #expect(pool.statistics.reuses == (acrossOwners ? 1 : 0))
            #expect(pool.statistics.instantiations == (acrossOwners ? 1 : 2))
        }
    }

    /// What `observe` shows `tenant` in an instance of `pool`.
    static func observe(_ tree: TenantTree, _ pool: WASIInstancePool, _ tenant: String) throws -> [UInt8] {
        var configuration = try Self.configuration(tree, "observe", tenant: tenant)
        configuration.stdout = .capture
        let result = try pool.run(configuration, owner: tenant, denialSink: nil)
        #expect(result.exitCode == 0)
        #expect(result.stdout.count == 40 + 64 * 28)
        return result.stdout
    }

    @Test("reused across tenants with no growth retained, an instance shows a guest exactly what a fresh one does")
    func indistinguishable() throws {
        let tree = try TenantTree()
        func observe(_ pool: WASIInstancePool, _ tenant: String) throws -> [UInt8] { try Self.observe(tree, pool, tenant) }
        func memorySize(_ observation: [UInt8]) -> UInt32 {
            observation.prefix(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
        // Eager translation too, so that no first call costs a translation an earlier run paid.
        let strict = InstanceReuse(acrossOwners: true, eagerTranslation: true, maxRetainedGrowth: 0)
        let pool = WASIInstancePool(module: try Self.module(), reuse: strict)
        let fresh = try observe(pool, "tenant-a")
        #expect(memorySize(fresh) == 1)
        // A hostile tenant writes all of memory, globals and a table slot and leaves three
        // descriptors open, in the same instance; the next tenant sees what a fresh one saw.
        #expect(try pool.run(Self.configuration(tree, "write", tenant: "tenant-b"), owner: "tenant-b", denialSink: nil).exitCode == 0)
        let reused = try observe(pool, "tenant-c")
        #expect(pool.statistics == .init(instantiations: 1, reuses: 2, discards: 0, idle: 1))
        #expect(reused == fresh)
        // One that grows memory as well: its instance cannot be given back at its first size
        // (WasmKit cannot shrink a memory), so it is discarded and the next tenant's is new.
        #expect(try pool.run(Self.configuration(tree, "plant", tenant: "tenant-d"), owner: "tenant-d", denialSink: nil).exitCode == 0)
        let afterGrowth = try observe(pool, "tenant-e")
        #expect(pool.statistics == .init(instantiations: 2, reuses: 3, discards: 1, idle: 1))
        #expect(afterGrowth == fresh)
        // With growth retained (the default bound), the same sequence reuses the instance and
        // shows the next tenant the same: memory.size is the guest's own (VirtualMemorySize).
        let retaining = WASIInstancePool(module: try Self.module(), reuse: InstanceReuse(acrossOwners: true, eagerTranslation: true))
        #expect(try observe(retaining, "tenant-a") == fresh)
        #expect(
            try retaining.run(Self.configuration(tree, "plant", tenant: "tenant-d"), owner: "tenant-d", denialSink: nil).exitCode == 0)
        #expect(try observe(retaining, "tenant-e") == fresh)
        #expect(retaining.statistics == .init(instantiations: 1, reuses: 2, discards: 0, idle: 1))
        // What stays: the pages the plant grew are still there, zeroed, past the guest's
        // memory.size. Reading the first of them traps in a fresh instance and reads 0 in the
        // reused one; with no growth retained it traps in both.
        #expect(try retaining.run(Self.configuration(tree, "edge", tenant: "tenant-f"), owner: "tenant-f", denialSink: nil).exitCode == 0)
        #expect(throws: WASIRunError.self) {
            try WASIInstancePool(module: try Self.module(), reuse: strict)
                .run(Self.configuration(tree, "edge", tenant: "tenant-f"), owner: "tenant-f", denialSink: nil)
        }
        #expect(throws: WASIRunError.self) {
            try pool.run(Self.configuration(tree, "edge", tenant: "tenant-f"), owner: "tenant-f", denialSink: nil)
        }
    }

    @Test("with growth reserved, an instance other tenants grew and wrote shows a guest what a new one does, and stays in the pool")
    func indistinguishableWithReservedGrowth() throws {
        let tree = try TenantTree()
        let pool = WASIInstancePool(module: try Self.module(), reuse: .indistinguishable(maxRetainedGrowth: 1 << 20))
        let fresh = try Self.observe(tree, pool, "tenant-a")
        // The first byte past memory.size is one of the reserved pages: it reads 0 in the new
        // instance (a control below: it traps without the reservation).
        #expect(try pool.run(Self.configuration(tree, "edge", tenant: "tenant-b"), owner: "tenant-b", denialSink: nil).exitCode == 0)
        // A hostile tenant grows memory by 2 pages and writes all of it, globals and a table
        // slot, and leaves descriptors open: its growth took reserved pages, so the instance
        // is kept, and the next tenant sees what the first one saw, the edge included.
        #expect(try pool.run(Self.configuration(tree, "plant", tenant: "tenant-c"), owner: "tenant-c", denialSink: nil).exitCode == 0)
        #expect(try Self.observe(tree, pool, "tenant-d") == fresh)
        #expect(try pool.run(Self.configuration(tree, "edge", tenant: "tenant-e"), owner: "tenant-e", denialSink: nil).exitCode == 0)
        #expect(pool.statistics == .init(instantiations: 1, reuses: 4, discards: 0, idle: 1))
        #expect(pool.idleInstancesArePristine)

        // Growth past the reservation (1 page reserved, 2 grown) gives the instance up.
        let small = WASIInstancePool(module: try Self.module(), reuse: .indistinguishable(maxRetainedGrowth: 65_536))
        #expect(try small.run(Self.configuration(tree, "plant"), owner: "tenant-a", denialSink: nil).exitCode == 0)
        #expect(small.statistics == .init(instantiations: 1, reuses: 0, discards: 1, idle: 0))
        // A run whose memory limit the reservation would pass runs once, in an instance grown
        // as it asks, which is not kept (nor is the idle one it did not fit).
        var limited = try Self.configuration(tree, "observe", tenant: "tenant-f")
        limited.limits.maxMemoryBytes = 4 * 65_536
        limited.stdout = .capture
        #expect(try pool.run(limited, owner: "tenant-f", denialSink: nil).stdout == fresh)
        #expect(pool.statistics == .init(instantiations: 2, reuses: 4, discards: 2, idle: 0))
        // The control: without the reservation the edge traps in a new instance.
        #expect(throws: WASIRunError.self) {
            try WASIInstancePool(module: try Self.module(), reuse: InstanceReuse(acrossOwners: true, eagerTranslation: true))
                .run(Self.configuration(tree, "edge"), owner: "tenant-a", denialSink: nil)
        }
    }

    @Test("trapped, fuel-exhausted and timed-out runs discard their instance")
    func failedRunsAreNotReused() throws {
        let tree = try TenantTree()
        let pool = WASIInstancePool(module: try Self.module())
        #expect(throws: WASIRunError.self) { try pool.run(Self.configuration(tree, "trap"), owner: "tenant-a", denialSink: nil) }
        #expect(pool.statistics == .init(instantiations: 1, reuses: 0, discards: 1, idle: 0))
        #expect(throws: WASIRunError.outOfFuel(budget: 100_000)) {
            try pool.run(Self.configuration(tree, "loop", fuel: 100_000), owner: "tenant-a", denialSink: nil)
        }
        #expect(pool.statistics == .init(instantiations: 2, reuses: 0, discards: 2, idle: 0))
        var timed = try Self.configuration(tree, "loop")
        timed.limits.timeout = .milliseconds(1)
        timed.limits.fuel = 50_000_000
        #expect(throws: WASIRunError.self) { try pool.run(timed, owner: "tenant-a", denialSink: nil) }
        #expect(pool.statistics.idle == 0)
        #expect(try pool.run(Self.configuration(tree, "scan"), owner: "tenant-a", denialSink: nil).exitCode == 0)
        #expect(pool.statistics.reuses == 0)
    }

    @Test("10,000 reused runs leave memory, tables, globals and descriptors as instantiation left them")
    func manyRuns() throws {
        let tree = try TenantTree()
        let pool = WASIInstancePool(module: try Self.module())
        let write = try Self.configuration(tree, "write")
        let scan = try Self.configuration(tree, "scan")
        let descriptorsBefore = try openDescriptors(beneath: tree.path)
        for run in 1...10_000 {
            let result = try pool.run(run % 1_000 == 0 ? scan : write, owner: "tenant-a", denialSink: nil)
            guard result.exitCode == 0 else {
                Issue.record("run \(run) exited \(result.exitCode)")
                return
            }
            if run % 1_000 == 1 { #expect(pool.idleInstancesArePristine, "after run \(run)") }
        }
        #expect(pool.idleInstancesArePristine)
        #expect(pool.statistics == .init(instantiations: 1, reuses: 9_999, discards: 0, idle: 1))
        let descriptorsAfter = try openDescriptors(beneath: tree.path)
        #expect(descriptorsAfter == descriptorsBefore)
    }

    @Test("runs that each grow memory take the pages an earlier run grew; one growing past the bound is replaced")
    func growthBound() throws {
        let tree = try TenantTree()
        // Each plant grows memory by 128 KiB from its first size: the second and later take the
        // pages the first grew, so one instance serves all of them.
        let pool = WASIInstancePool(module: try Self.module(), reuse: InstanceReuse(maxRetainedGrowth: 1 << 20))
        for _ in 0..<20 { #expect(try pool.run(Self.configuration(tree, "plant"), owner: "tenant-a", denialSink: nil).exitCode == 0) }
        #expect(pool.statistics == .init(instantiations: 1, reuses: 19, discards: 0, idle: 1))
        #expect(try pool.run(Self.configuration(tree, "scan"), owner: "tenant-a", denialSink: nil).exitCode == 0)
        // With a bound below 128 KiB, every instance a plant grew is dropped.
        let tight = WASIInstancePool(module: try Self.module(), reuse: InstanceReuse(maxRetainedGrowth: 64 << 10))
        for _ in 0..<3 { #expect(try tight.run(Self.configuration(tree, "plant"), owner: "tenant-a", denialSink: nil).exitCode == 0) }
        #expect(tight.statistics == .init(instantiations: 3, reuses: 0, discards: 3, idle: 0))
        #expect(try tight.run(Self.configuration(tree, "scan"), owner: "tenant-a", denialSink: nil).exitCode == 0)
    }

    @Test("each run of a reused instance has its own arguments, environment, output and denials")
    func hostStatePerRun() throws {
        let tree = try TenantTree()
        // Prints argv[1] and the first environment entry, then tries to leave /config.
        let guest = Guest(strings: [("escape", "../secret")], """
                (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
                (drop (call $args_get (i32.const 16) (i32.const 256)))
                (drop (call $environ_get (i32.const 32) (i32.const 512)))
                (i32.store (i32.const 64) (i32.load (i32.const 20)))
                (i32.store (i32.const 68) (i32.const 3))
                (i32.store (i32.const 72) (i32.load (i32.const 32)))
                (i32.store (i32.const 76) (i32.const 5))
                (drop (call $fd_write (i32.const 1) (i32.const 64) (i32.const 2) (i32.const 80)))
                (call $exit (call $path_open (i32.const 3) (i32.const 0) @escape #escape (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 96)))
            """)
        let pool = WASIInstancePool(module: try guest.module())
        for (tenant, argument, variable) in [("one", "aaa", "X=111"), ("one", "bbb", "X=222")] {
            var configuration = try tree.configuration()
            configuration.arguments = ["guest.wasm", argument]
            configuration.environment = [("X", String(variable.dropFirst(2)))]
            configuration.instanceName = tenant
            let result = try pool.run(configuration, owner: tenant, denialSink: nil)
            #expect(result.stdout == Array((argument + variable).utf8))
            #expect(result.exitCode == UInt32(WASIErrno.notCapable.rawValue))
            #expect(result.denials.map(\.instance) == [tenant])
        }
        #expect(pool.statistics.reuses == 1)
    }

    @Test("a module whose state cannot be put back runs in a fresh instance every time, and says why")
    func notReusable() throws {
        let module = try WASIModule(bytes: wat2wasm("""
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data "passive")
              (func (export "_start") (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 7)) (data.drop 0)))
            """))
        let pool = WASIInstancePool(module: module)
        #expect(pool.notReusableReason?.contains("passive data segments") == true)
        for _ in 0..<2 { #expect(try pool.run(WASIConfiguration(), owner: "a", denialSink: nil).exitCode == 0) }
        #expect(pool.statistics == .init())
    }
}
