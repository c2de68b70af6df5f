// Whole-instance behaviour: arguments, environment, clocks, randomness, exit codes, traps and limits.
import CapStd
import CapWASI
import Testing
import WAT

@Suite("WASI instance lifecycle")
struct LifecycleTests {
    static func run(_ guest: Guest, _ configuration: WASIConfiguration = WASIConfiguration()) throws -> WASIRunResult {
        try WASIRunner.run(guest.module(), configuration: configuration)
    }

    @Test("arguments and environment arrive as the guest expects")
    func argumentsAndEnvironment() throws {
        // Copies argv[1] and the first environment entry to stdout, separated by a newline.
        let guest = Guest("""
                (if (call $args_sizes_get (i32.const 0) (i32.const 4)) (then (call $exit (i32.const 100))))
                (if (i32.ne (i32.load (i32.const 0)) (i32.const 2)) (then (call $exit (i32.const 101))))
                (if (call $args_get (i32.const 16) (i32.const 256)) (then (call $exit (i32.const 102))))
                (if (call $environ_sizes_get (i32.const 8) (i32.const 12)) (then (call $exit (i32.const 103))))
                (if (call $environ_get (i32.const 32) (i32.const 512)) (then (call $exit (i32.const 104))))
                (i32.store (i32.const 64) (i32.load (i32.const 20)))
                (i32.store (i32.const 68) (i32.const 5))
                (i32.store (i32.const 72) (i32.load (i32.const 32)))
                (i32.store (i32.const 76) (i32.const 9))
                (call $exit (call $fd_write (i32.const 1) (i32.const 64) (i32.const 2) (i32.const 80)))
            """)
        let configuration = WASIConfiguration(arguments: ["guest.wasm", "hello"], environment: [("MODE", "fast")])
        let result = try Self.run(guest, configuration)
        #expect(result.exitCode == 0)
        #expect(result.stdout == Array("hello".utf8) + Array("MODE=fast".utf8))
    }

    @Test("clocks tick and random bytes are random")
    func clocksAndRandom() throws {
        let guest = Guest("""
                (if (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 0)) (then (call $exit (i32.const 100))))
                (if (i64.lt_u (i64.load (i32.const 0)) (i64.const 1700000000000000000)) (then (call $exit (i32.const 101))))
                (if (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 8)) (then (call $exit (i32.const 102))))
                (if (call $clock_res_get (i32.const 1) (i32.const 16)) (then (call $exit (i32.const 103))))
                (if (call $random_get (i32.const 4096) (i32.const 64)) (then (call $exit (i32.const 104))))
                (i32.store (i32.const 64) (i32.const 4096))
                (i32.store (i32.const 68) (i32.const 64))
                (call $exit (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 80)))
            """)
        let result = try Self.run(guest)
        #expect(result.exitCode == 0)
        #expect(result.stdout.count == 64)
        #expect(Set(result.stdout).count > 8)
    }

    @Test("standard input from bytes, output captured or discarded")
    func standardStreams() throws {
        // Echoes up to 64 bytes of stdin to stdout and stderr; exits with the count stdout accepted.
        let guest = Guest("""
                (i32.store (i32.const 64) (i32.const 4096))
                (i32.store (i32.const 68) (i32.const 64))
                (if (call $fd_read (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 72)) (then (call $exit (i32.const 100))))
                (i32.store (i32.const 68) (i32.load (i32.const 72)))
                (if (call $fd_write (i32.const 2) (i32.const 64) (i32.const 1) (i32.const 76)) (then (call $exit (i32.const 101))))
                (if (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 76)) (then (call $exit (i32.const 102))))
                (call $exit (i32.load (i32.const 76)))
            """)
        let captured = try Self.run(guest, WASIConfiguration(stdin: .bytes(Array("ping".utf8))))
        #expect(captured.exitCode == 4)
        #expect(captured.stdout == Array("ping".utf8))
        #expect(captured.stderr == Array("ping".utf8))
        let discarded = try Self.run(guest, WASIConfiguration(stdin: .bytes(Array("ping".utf8)), stdout: .null, stderr: .null))
        #expect(discarded.exitCode == 4)
        #expect(discarded.stdout.isEmpty)
        let empty = try Self.run(guest, WASIConfiguration(stdin: .null))
        #expect(empty.exitCode == 0)
    }

    @Test("proc_exit's code is the result; a return from _start is 0")
    func exitCodes() throws {
        #expect(try Self.run(Guest("    (call $exit (i32.const 7))")).exitCode == 7)
        #expect(try Self.run(Guest("    (nop)")).exitCode == 0)
    }

    @Test("a trap is an error naming the trap, and the host carries on")
    func trap() throws {
        #expect {
            _ = try Self.run(Guest("    (unreachable)"))
        } throws: { error in
            guard case .trap(let reason) = error as? WASIRunError else { return false }
            return reason.contains("unreachable")
        }
        #expect(try Self.run(Guest("    (call $exit (i32.const 3))")).exitCode == 3)
    }

    @Test("an endless loop ends with out of fuel")
    func fuel() throws {
        var configuration = WASIConfiguration()
        configuration.limits.fuel = 1_000_000
        #expect(throws: WASIRunError.outOfFuel(budget: 1_000_000)) {
            _ = try Self.run(Guest("    (loop $forever (br $forever))"), configuration)
        }
    }

    @Test("memory growth past the limit ends the instance")
    func memoryLimit() throws {
        var configuration = WASIConfiguration()
        configuration.limits.maxMemoryBytes = 1 << 20
        #expect(throws: WASIRunError.memoryLimit(requested: (2 + 999) << 16, limit: 1 << 20)) {
            _ = try Self.run(Guest("    (drop (memory.grow (i32.const 999)))"), configuration)
        }
    }

    @Test("the wall-clock limit is checked at host calls")
    func timeout() throws {
        var configuration = WASIConfiguration()
        configuration.limits.timeout = .milliseconds(50)
        configuration.limits.fuel = nil
        #expect(throws: WASIRunError.timeout(.milliseconds(50))) {
            _ = try Self.run(Guest("    (loop $forever (drop (call $sched_yield)) (br $forever))"), configuration)
        }
    }

    @Test("malformed and truncated modules are rejected with a reason")
    func invalidModules() throws {
        #expect { _ = try WASIModule(bytes: [0x00, 0x61, 0x73]) } throws: { error in
            guard case .invalidModule = error as? WASIRunError else { return false }
            return true
        }
        let valid = try wat2wasm(Guest("    (nop)").wat)
        #expect { _ = try WASIModule(bytes: Array(valid.prefix(valid.count / 2))) } throws: { error in
            guard case .invalidModule = error as? WASIRunError else { return false }
            return true
        }
    }

    @Test("a module importing an unknown function cannot be instantiated")
    func unknownImport() throws {
        let module = try WASIModule(bytes: wat2wasm("""
            (module
              (import "wasi_snapshot_preview1" "fd_teleport" (func (param i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "_start")))
            """))
        #expect { _ = try WASIRunner.run(module, configuration: WASIConfiguration()) } throws: { error in
            guard case .instantiation(let reason) = error as? WASIRunError else { return false }
            return reason.contains("fd_teleport")
        }
    }

    @Test("a module without _start is reported")
    func missingStart() throws {
        let module = try WASIModule(bytes: wat2wasm("(module (memory (export \"memory\") 1))"))
        #expect(throws: WASIRunError.missingStart) { _ = try WASIRunner.run(module, configuration: WASIConfiguration()) }
    }
}
