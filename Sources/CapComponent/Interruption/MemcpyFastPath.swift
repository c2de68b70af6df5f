// Known memcpy bodies given a `memory.copy` path for ranges that do not overlap, so that WasmKit copies natively what they copy a word at a time.

/// A load-time rewrite that lets WasmKit copy memory natively where a guest copies it in a
/// loop of its own: each function whose body is, byte for byte, a `memcpy` in ``known`` gets a
/// first path that does the copy with one `memory.copy` when the two ranges do not overlap.
///
/// Why: the preview 1 adapter that turns a preview 1 program into a component (`wasm-tools
/// component new --adapt`) is built without bulk memory, so it copies with `compiler_builtins`'
/// `memcpy`, a loop of several interpreted instructions per 4 bytes; it copies its state on every
/// run, and a warm component run spent a third of its time there (BENCHMARKS.md).
///
/// **Guarantee: the same results.** A body is recognised by its length and its 64-bit FNV-1a
/// hash, and only bodies read and checked by hand are in ``known``. Each copies the `n` bytes
/// at `src` to `dst`, reading and writing every byte of both ranges and nothing else (the word
/// loads of a misaligned source stay within the aligned words holding its bytes), and returns
/// `dst`; validation forces its first three parameters to be `i32` and its result an `i32`. The
/// added path runs only when `n > 0` and the ranges do not overlap (`dst + n ≤ src` or
/// `src + n ≤ dst`, in 64-bit arithmetic), where the loop and `memory.copy` leave the same bytes
/// and return the same value; when a range lies outside memory both trap (the loop after writing
/// part of `dst`, `memory.copy` before writing anything, and a trap ends the instance). Every
/// other call (`n == 0`, overlapping ranges, whose result the loop defines its own way) runs
/// the original body, unchanged after the added path. A guest that made another body of the
/// same length and hash on purpose would change only what its own function does inside its own
/// memory, which it can do anyway.
///
/// **Cost.** One walk over the module's section headers and code entry sizes when it is loaded,
/// and a hash of each body whose length is a known one's. The interrupt points treat the added
/// `memory.copy` like any other: a long one runs in checked pieces (``InterruptPoints``). Fuel
/// counts the one instruction rather than the loop's.
///
/// **Non-goals.** Other `memcpy`s and other copy loops are left as they are: recognising a copy
/// loop by its shape rather than its exact bytes would need a proof of what it computes.
///
/// Thread safety: ``apply(_:)`` is a pure function of its argument.
package enum MemcpyFastPath {
    /// A `memcpy` body this rewrite recognises.
    struct Known {
        /// The body's length in bytes: its locals and its expression.
        let length: Int
        /// The 64-bit FNV-1a hash of the body.
        let hash: UInt64
    }

    /// The bodies checked by hand, as the rewrite's guarantee requires.
    static let known: [Known] = [
        // compiler_builtins::mem::memcpy of the wasi_snapshot_preview1 adapter built by rustc
        // 1.75.0 (WASI 0.2.0), in every adapted component of this tree. Copies up to 15 bytes
        // one at a time; longer ranges byte by byte up to an aligned `dst`, then in words
        // (shifting pairs of aligned loads when `src` is misaligned), then the last bytes one
        // at a time; returns local 0.
        Known(length: 321, hash: 0xb092_43d8_81c7_cd47)
    ]

    /// The module with the fast path put before each known `memcpy` body; `bytes` themselves
    /// if there is none, or if the bytes are not a module this walk can read (whoever parses
    /// them next reports why).
    package static func apply(_ bytes: [UInt8]) -> [UInt8] {
        (try? rewrite(bytes)) ?? bytes
    }

    /// The added path, in front of the original body's instructions: `memory.copy` when
    /// `n > 0` and the ranges do not overlap, then a return of `dst`.
    static let path: [UInt8] = {
        typealias Op = ModuleBinary.Opcode
        let dst: [UInt8] = [Op.localGet, 0, Op.i64ExtendI32U]
        let src: [UInt8] = [Op.localGet, 1, Op.i64ExtendI32U]
        let count: [UInt8] = [Op.localGet, 2, Op.i64ExtendI32U]
        let emptyBlock: [UInt8] = [Op.block, ModuleBinary.emptyBlockType]
        return emptyBlock
            + [Op.localGet, 2, Op.i32Eqz, Op.brIf, 0]  // n == 0: the original body
            + emptyBlock
            + dst + count + [Op.i64Add] + src + [Op.i64LeU, Op.brIf, 0]  // dst + n ≤ src
            + src + count + [Op.i64Add] + dst + [Op.i64LeU, Op.brIf, 0]  // src + n ≤ dst
            + [Op.br, 1, Op.end]  // overlapping: the original body
            + [Op.localGet, 0, Op.localGet, 1, Op.localGet, 2, Op.bulkPrefix] + LEB128.encode(Op.memoryCopy) + [0, 0]
            + [Op.localGet, 0, Op.return, Op.end]
    }()

    private static func rewrite(_ bytes: [UInt8]) throws(InterruptPoints.Failure) -> [UInt8]? {
        guard bytes.starts(with: ModuleBinary.magicAndVersion) else { return nil }
        var reader = ModuleReader(bytes, range: ModuleBinary.magicAndVersion.count..<bytes.count)
        while !reader.isAtEnd {
            let sectionStart = reader.offset
            let id = try reader.byte()
            let payload = try reader.bytes(Int(try reader.u32()))
            guard id == ModuleBinary.Section.code else { continue }
            var entries = ModuleReader(bytes, range: payload.startIndex..<payload.endIndex)
            let count = try entries.u32()
            var bodies: [(body: ArraySlice<UInt8>, isKnown: Bool)] = []
            while !entries.isAtEnd {
                let body = try entries.bytes(Int(try entries.u32()))
                bodies.append((body, known.contains { $0.length == body.count && $0.hash == hash(body) }))
            }
            // Most modules have none: their bytes are not copied.
            guard bodies.contains(where: \.isKnown) else { return nil }
            var code = LEB128.encode(count)
            for (body, isKnown) in bodies {
                guard isKnown else {
                    code += LEB128.encode(UInt32(body.count)) + body
                    continue
                }
                let expression = try expressionStart(body, in: bytes)
                let rewritten = body[..<expression] + path + body[expression...]
                code += LEB128.encode(UInt32(rewritten.count)) + rewritten
            }
            return Array(bytes[..<sectionStart]) + ModuleBinary.section(id, code) + bytes[payload.endIndex...]
        }
        return nil
    }

    /// Where a body of `bytes` begins its expression, after its local declarations.
    private static func expressionStart(_ body: ArraySlice<UInt8>, in bytes: [UInt8]) throws(InterruptPoints.Failure) -> Int {
        var reader = ModuleReader(bytes, range: body.indices)
        for _ in 0..<(try reader.u32()) {
            _ = try reader.u32()
            try reader.skipValueType()
        }
        return reader.offset
    }

    /// The 64-bit FNV-1a hash of `bytes`.
    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }
}
