// Guests that attack the host: out-of-bounds pointers to every WASI call, bad iovecs, runaway
// recursion and memory, and a mix of hostile tenants running beside a well-behaved one.
import CapStd
import CapWASI
import Testing
import WAT

@Suite("Hostile guests")
struct HostileGuestTests {
    /// 0xFFFFFFF0: past the end of any 32-bit memory, and too large as a length or count.
    static let hostile = "(i32.const -16)"

    /// The parameter types of a preview 1 function, from its WAT signature.
    static func parameters(_ function: String) -> [String] {
        let signature = wasiSignatures[function]!
        guard signature.hasPrefix("(param "), let close = signature.firstIndex(of: ")") else { return [] }
        return signature[signature.index(signature.startIndex, offsetBy: 7)..<close].split(separator: " ").map(String.init)
    }

    /// The calls made to `function`: for each i32 parameter, one call with it hostile and the rest
    /// benign (fd 4 = /output, pointers and lengths 2048), then one with every parameter hostile.
    static func hostileCalls(_ function: String) -> [String] {
        let types = parameters(function)
        func call(_ hostileIndex: Int?) -> String {
            let arguments = types.enumerated().map { index, type in
                if type == "i64" { return hostileIndex == nil ? "(i64.const -1)" : "(i64.const 0)" }
                if hostileIndex == nil || hostileIndex == index { return hostile }
                return index == 0 ? "(i32.const 4)" : "(i32.const 2048)"
            }
            return "(call $\(function) \(arguments.joined(separator: " ")))"
        }
        return types.indices.filter { types[$0] == "i32" }.map { call($0) } + [call(nil)]
    }

    static let attackedFunctions = wasiSignatures.keys.filter { $0 != "sched_yield" }.sorted()

    /// Each call's errno is stored as one byte from 60000 on, then a plain fd_fdstat_get on stdout
    /// proves the instance still works, and the bytes are written to stdout.
    @Test("out-of-bounds pointers and lengths to every WASI call are errors, never a crash", arguments: attackedFunctions)
    func everyCall(_ function: String) throws {
        let tree = try TenantTree()
        let calls = Self.hostileCalls(function)
        var body = calls.enumerated().map { index, call in
            "    (i32.store8 (i32.const \(60000 + index)) \(call))"
        }
        body.append("    (i32.store8 (i32.const \(60000 + calls.count)) (call $fd_fdstat_get (i32.const 1) (i32.const 100)))")
        body.append("""
                (i32.store (i32.const 59000) (i32.const 60000))
                (i32.store (i32.const 59004) (i32.const \(calls.count + 1)))
                (call $exit (call $fd_write (i32.const 1) (i32.const 59000) (i32.const 1) (i32.const 59008)))
            """)
        var configuration = try tree.configuration()
        configuration.arguments = ["hostile.wasm", "--flag"]
        configuration.environment = [("MODE", "fast")]
        let result = try WASIRunner.run(Guest(body.joined(separator: "\n")).module(), configuration: configuration, denialSink: nil)
        #expect(result.exitCode == 0)
        let errnos = result.stdout
        try #require(errnos.count == calls.count + 1)
        for (index, errno) in errnos.dropLast().enumerated() {
            #expect(errno <= 76, "\(function) call \(index) returned \(errno), not a WASI errno")
        }
        #expect(errnos.last == 0, "the instance no longer works after the hostile calls to \(function)")
        if function != "proc_raise" {
            #expect(errnos[calls.count - 1] != 0, "\(function) with every argument hostile succeeded")
        }
        try tree.expectOutsideUntouched()
        #expect(Set(try tree.output.entries().map(\.name.description)).isEmpty, "\(function) created something")
    }

    @Test("iovecs whose buffers run past the end of memory are EFAULT")
    func iovecsPastMemory() throws {
        let tree = try TenantTree()
        // Memory is 2 pages (131072 bytes): the iovec at 64 names 4096 bytes at 130000.
        let result = try tree.run(Guest("""
                (i32.store (i32.const 64) (i32.const 130000))
                (i32.store (i32.const 68) (i32.const 4096))
                (i32.store8 (i32.const 200) (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 72)))
                (i32.store8 (i32.const 201) (call $fd_read (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 72)))
                (i32.store (i32.const 80) (i32.const 100))
                (i32.store (i32.const 84) (i32.const -1))
                (i32.store8 (i32.const 202) (call $fd_write (i32.const 1) (i32.const 80) (i32.const 1) (i32.const 72)))
                (i32.store (i32.const 96) (i32.const 200))
                (i32.store (i32.const 100) (i32.const 3))
                (call $exit (call $fd_write (i32.const 1) (i32.const 96) (i32.const 1) (i32.const 72)))
            """))
        #expect(result.exitCode == 0)
        #expect(result.stdout == [21, 21, 21], "expected ERRNO_FAULT (21) for each, got \(result.stdout)")
    }

    @Test("unbounded recursion ends that instance with a trap naming it")
    func deepRecursion() throws {
        let module = try WASIModule(bytes: wat2wasm("""
            (module
              (memory (export "memory") 1)
              (func $down (param i64) (result i64) (i64.add (call $down (i64.add (local.get 0) (i64.const 1))) (i64.const 1)))
              (func (export "_start") (drop (call $down (i64.const 0)))))
            """))
        #expect { _ = try WASIRunner.run(module, configuration: WASIConfiguration()) } throws: { error in
            guard case .trap(let reason) = error as? WASIRunError else { return false }
            return reason.contains("stack")
        }
    }

    @Test("a module declaring more memory than the limit is refused before it runs")
    func initialMemoryBomb() throws {
        let module = try WASIModule(bytes: wat2wasm("(module (memory (export \"memory\") 60000) (func (export \"_start\")))"))
        var configuration = WASIConfiguration()
        configuration.limits.maxMemoryBytes = 64 << 20
        #expect(throws: WASIRunError.memoryLimit(requested: 60000 << 16, limit: 64 << 20)) {
            _ = try WASIRunner.run(module, configuration: configuration)
        }
    }

    @Test("a module declaring a huge table is refused before it runs")
    func tableBomb() throws {
        let module = try WASIModule(bytes: wat2wasm("(module (memory (export \"memory\") 1) (table 50000000 funcref) (func (export \"_start\")))"))
        #expect { _ = try WASIRunner.run(module, configuration: WASIConfiguration()) } throws: { error in
            guard case .instantiation = error as? WASIRunError else { return false }
            return true
        }
    }

    /// Hostile tenants run concurrently beside a well-behaved one: each hostile run ends with its
    /// own error, the good tenant's result is exact, and nothing outside any tenant changes.
    @Test("hostile tenants end alone; the others finish and nothing outside changes")
    func hostileMix() async throws {
        let good = Guest(strings: [("path", "settings.toml")], """
                (if (call $path_open (i32.const 3) (i32.const 0) @path #path (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0))
                  (then (call $exit (i32.const 100))))
                (i32.store (i32.const 64) (i32.const 4096))
                (i32.store (i32.const 68) (i32.const 64))
                (if (call $fd_read (i32.load (i32.const 0)) (i32.const 64) (i32.const 1) (i32.const 72)) (then (call $exit (i32.const 101))))
                (i32.store (i32.const 68) (i32.load (i32.const 72)))
                (call $exit (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 72)))
            """)
        let hoarder = Guest(strings: [("dot", ".")], """
                (loop $more
                  (br_if $more (i32.eqz (call $path_open (i32.const 3) (i32.const 0) @dot #dot (i32.const 2) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))))
                (call $exit (i32.const 1))
            """)
        let cases: [(name: String, guest: Guest, expected: @Sendable (Result<WASIRunResult, WASIRunError>) -> Bool)] = [
            ("endless loop", Guest("    (loop $forever (br $forever))"), {
                if case .failure(.outOfFuel(5_000_000)) = $0 { return true }
                return false
            }),
            ("memory bomb", Guest("    (loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))"), {
                if case .failure(.memoryLimit) = $0 { return true }
                return false
            }),
            ("descriptor hoarder", hoarder, { (try? $0.get().exitCode) == 1 }),
            ("wild pointers", Guest("    (call $exit (call $fd_write (i32.const 1) (i32.const -16) (i32.const -16) (i32.const -16)))"), {
                (try? $0.get().exitCode) == 21
            }),
            ("trap", Guest("    (unreachable)"), {
                if case .failure(.trap) = $0 { return true }
                return false
            }),
            ("good", good, { (try? $0.get().stdout) == Array("mode = \"fast\"\n".utf8) }),
        ]
        let limits = WASILimits(maxDescriptors: 16, fuel: 5_000_000, maxMemoryBytes: 8 << 20, timeout: .seconds(30))
        let trees = try cases.map { _ in try TenantTree() }
        let outcomes = await withTaskGroup(of: (Int, Result<WASIRunResult, WASIRunError>).self) { group in
            for (index, testCase) in cases.enumerated() {
                let configuration = try? trees[index].configuration(limits: limits)
                let module = try? testCase.guest.module()
                group.addTask {
                    guard let configuration, let module else { return (index, .failure(.missingStart)) }
                    do throws(WASIRunError) {
                        return (index, .success(try WASIRunner.run(module, configuration: configuration, denialSink: nil)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var outcomes = [Result<WASIRunResult, WASIRunError>?](repeating: nil, count: cases.count)
            for await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
        for (index, testCase) in cases.enumerated() {
            let outcome = try #require(outcomes[index])
            #expect(testCase.expected(outcome), "\(testCase.name): \(outcome)")
            try trees[index].expectOutsideUntouched()
        }
    }
}
