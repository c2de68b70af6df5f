// The memcpy fast path: the adapter's memcpy rewritten gives the original's results for every kind of call.

import CapComponent
import Testing
import WasmKit

@Suite struct MemcpyFastPathTests {
    /// The code entries of every core module in a component binary, nested components' included.
    private static func codeBodies(inComponent bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        func leb(_ offset: inout Int) -> Int {
            var result = 0
            var shift = 0
            while true {
                let byte = bytes[offset]
                offset += 1
                result |= Int(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        var bodies: [ArraySlice<UInt8>] = []
        func sections(_ range: Range<Int>, inComponent: Bool) {
            var offset = range.lowerBound + 8
            while offset < range.upperBound {
                let id = bytes[offset]
                offset += 1
                let size = leb(&offset)
                let payload = offset..<(offset + size)
                if inComponent, id == 1 { sections(payload, inComponent: false) }
                if inComponent, id == 4 { sections(payload, inComponent: true) }
                if !inComponent, id == 10 {
                    var entry = payload.lowerBound
                    for _ in 0..<leb(&entry) {
                        let length = leb(&entry)
                        bodies.append(bytes[entry..<(entry + length)])
                        entry += length
                    }
                }
                offset = payload.upperBound
            }
        }
        sections(0..<bytes.count, inComponent: true)
        return bodies
    }

    /// A module of the adapter's `memcpy` body alone, exported as `memcpy` of type
    /// `(i32, i32, i32) -> i32`, with an exported memory of `pages` pages.
    private static func memcpyModule(pages: UInt8) throws -> [UInt8] {
        let component = try ComponentFixtures.bytes("hello-p2.wasm")
        let body = try #require(codeBodies(inComponent: component).first { $0.count == 321 })
        func leb(_ value: Int) -> [UInt8] { LEB128.encode(UInt32(value)) }
        func section(_ id: UInt8, _ payload: [UInt8]) -> [UInt8] { [id] + leb(payload.count) + payload }
        let name = { (text: String) in leb(text.utf8.count) + Array(text.utf8) }
        return [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
            + section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7f])
            + section(3, [1, 0])
            + section(5, [1, 0, pages])
            + section(7, [2] + name("memcpy") + [0, 0] + name("memory") + [2, 0])
            + section(10, [1] + leb(body.count) + Array(body))
    }

    /// One instance of a module, its memory filled with a pattern, and whether `memcpy` trapped.
    private struct Copier {
        let instance: Instance
        let memory: Memory

        init(_ bytes: [UInt8]) throws {
            let store = Store(engine: Engine(configuration: EngineConfiguration(compilationMode: .eager)))
            var imports = Imports()
            imports.define(module: InterruptPoints.importModule, name: InterruptPoints.importName, Function(store: store, parameters: []) { _, _ in [] })
            instance = try parseWasm(bytes: bytes).instantiate(store: store, imports: imports)
            memory = try #require(instance.exports[memory: "memory"])
            memory.withUnsafeMutableBufferPointer(offset: 0, count: memory.data.count) { buffer in
                for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 8) }
            }
        }

        /// What `memcpy(dst, src, n)` returned, or `nil` if it trapped.
        func copy(_ dst: UInt32, _ src: UInt32, _ count: UInt32) -> UInt32? {
            guard let results = try? instance.exports[function: "memcpy"]?.invoke([.i32(dst), .i32(src), .i32(count)]),
                case .i32(let value)? = results.first
            else { return nil }
            return value
        }

        var bytes: [UInt8] { memory.data }
    }

    /// The kinds of call the generator must reach, each of which the two paths must agree on.
    private enum Kind: CaseIterable {
        case disjointForward, disjointBackward, overlapUpward, overlapDownward, empty, outOfBounds, longerThanAPiece
    }

    @Test func rewrittenMemcpyGivesTheOriginalsResultsForEveryKindOfCall() throws {
        let pages: UInt8 = 3
        let original = try Self.memcpyModule(pages: pages)
        let rewritten = MemcpyFastPath.apply(original)
        #expect(rewritten != original, "the adapter's memcpy is a known body")
        #expect(MemcpyFastPath.apply(rewritten) == rewritten, "a rewritten body is no longer the known one")
        let size = UInt32(pages) * 65_536
        var generator = SystemRandomNumberGenerator()
        var reached = Set<Kind>()
        for round in 0..<(30 * Kind.allCases.count) {
            let kind = Kind.allCases[round % Kind.allCases.count]
            let length = UInt32.random(in: 2...80, using: &generator)
            let base = UInt32.random(in: 0...4_000, using: &generator)
            let (dst, src, count): (UInt32, UInt32, UInt32) =
                switch kind {
                case .disjointForward: (base, base + length + UInt32.random(in: 0...9, using: &generator), length)
                case .disjointBackward: (base + length + UInt32.random(in: 0...9, using: &generator), base, length)
                case .overlapUpward: (base + UInt32.random(in: 1..<length, using: &generator), base, length)
                case .overlapDownward: (base, base + UInt32.random(in: 1..<length, using: &generator), length)
                case .empty: (UInt32.random(in: 0...(size * 2), using: &generator), UInt32.random(in: 0...(size * 2), using: &generator), 0)
                case .outOfBounds:
                    Bool.random(using: &generator) ? (size - length / 2, base, length) : (base, size - length / 2, length)
                // Past the interrupt points' piece (64 KiB): copied in checked pieces.
                case .longerThanAPiece: (base, 100_000, 70_000 + length)
                }
            let before = try Copier(original)
            let after = try Copier(InterruptPoints.instrument(rewritten))
            let expected = before.copy(dst, src, count)
            #expect(after.copy(dst, src, count) == expected, "\(kind): memcpy(\(dst), \(src), \(count))")
            // A trap ends the instance; what a trapping copy left in memory is never seen.
            if expected != nil {
                let (afterBytes, beforeBytes) = (after.bytes, before.bytes)
                let difference = afterBytes.indices.first { afterBytes[$0] != beforeBytes[$0] }
                #expect(difference == nil, "\(kind): memcpy(\(dst), \(src), \(count)) left different bytes from byte \(difference ?? 0)")
            }
            if kind == .outOfBounds { #expect(expected == nil, "the out-of-bounds case traps") }
            reached.insert(kind)
        }
        #expect(reached == Set(Kind.allCases))
    }

    @Test func anyOtherBodyIsLeftAsItIs() throws {
        let component = try ComponentFixtures.bytes("hello-p2.wasm")
        let module = try Self.memcpyModule(pages: 1)
        // One byte of the body changed (`i32.const 16; i32.ge_u`, its short-copy threshold,
        // becomes 17): no longer the known body.
        let threshold = try #require(module.indices.dropLast(2).first { module[$0] == 0x41 && module[$0 + 1] == 0x10 && module[$0 + 2] == 0x4f })
        var altered = module
        altered[threshold + 1] = 0x11
        #expect(MemcpyFastPath.apply(module) != module)
        #expect(MemcpyFastPath.apply(altered) == altered)
        #expect(MemcpyFastPath.apply(component) == component, "a component is not a core module")
        let truncated: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 10, 0x7f]
        #expect(MemcpyFastPath.apply(truncated) == truncated, "bytes the walk cannot read are left for the parser to refuse")
    }
}
