// Rewriting a module so that every part of an instance's mutable state is an export.
import WasmParser

/// The exports through which a host can read and put back all of an instance's mutable
/// state: its memories, tables and mutable globals.
///
/// WasmKit reaches an instance's state only through its exports, and a module built by a
/// C toolchain exports its memory but not `__stack_pointer`, the other mutable globals or its
/// function table. ``rewrite(_:)`` adds an export for each of them under a name no other export
/// has, and leaves every other byte of the module as it was.
///
/// A module's own state only: a memory, table or global it imports is the exporter's, put back
/// with the exporter (inside a component, another core instance of it).
package struct StateExports: Sendable, Equatable {
    package var memories: [String] = []
    package var tables: [String] = []
    package var globals: [String] = []
    /// Whether the module has a start function, which may leave each instance's memory
    /// different (through the host functions it calls).
    package var hasStartFunction = false

    package init(memories: [String] = [], tables: [String] = [], globals: [String] = [], hasStartFunction: Bool = false) {
        self.memories = memories
        self.tables = tables
        self.globals = globals
        self.hasStartFunction = hasStartFunction
    }

    /// Why a module's instances cannot be put back to their just-instantiated state.
    package struct NotReusable: Error, Sendable, Equatable, CustomStringConvertible {
        package let reason: String
        package var description: String { reason }

        package init(reason: String) {
            self.reason = reason
        }
    }

    /// `bytes` with the state exports added, and their names.
    ///
    /// - Parameter importedState: Whether the module may import a memory, table or global:
    ///   inside a component, where the exporting core instance is put back too. A module run
    ///   on its own may not: its host would have to put that state back.
    /// - Throws: ``NotReusable`` when the module imports state it may not, or has passive data
    ///   or element segments, whose `data.drop` and `elem.drop` no API can undo; or when the
    ///   bytes do not parse.
    package static func rewrite(
        _ bytes: [UInt8], importedState: Bool = false
    ) throws(NotReusable) -> (bytes: [UInt8], exports: StateExports) {
        let sections = try ModuleSections(bytes, importedState: importedState)
        var exports = StateExports(hasStartFunction: sections.hasStartFunction)
        var taken = Set(sections.exports.map(\.name))
        func name(_ kind: String, _ index: UInt32, existing: (ExportDescriptor) -> Bool) -> (String, Export?) {
            if let export = sections.exports.first(where: { existing($0.descriptor) }) { return (export.name, nil) }
            var candidate = "capsule.state.\(kind).\(index)"
            while taken.contains(candidate) { candidate += "_" }
            taken.insert(candidate)
            let descriptor: ExportDescriptor =
                switch kind {
                case "memory": .memory(index)
                case "table": .table(index)
                default: .global(index)
                }
            return (candidate, Export(name: candidate, descriptor: descriptor))
        }

        var added: [Export] = []
        // A defined item's index comes after those of the imported ones.
        for index in sections.importedMemories..<sections.importedMemories + UInt32(sections.memoryCount) {
            let (exportName, export) = name("memory", index) { $0 == .memory(index) }
            exports.memories.append(exportName)
            added += export.map { [$0] } ?? []
        }
        for index in sections.importedTables..<sections.importedTables + UInt32(sections.tableCount) {
            let (exportName, export) = name("table", index) { $0 == .table(index) }
            exports.tables.append(exportName)
            added += export.map { [$0] } ?? []
        }
        for (offset, global) in sections.globals.enumerated() where global.type.mutability == .variable {
            let index = sections.importedGlobals + UInt32(offset)
            let (exportName, export) = name("global", index) { $0 == .global(index) }
            exports.globals.append(exportName)
            added += export.map { [$0] } ?? []
        }
        guard !added.isEmpty else { return (bytes, exports) }
        return (sections.replacingExports(with: sections.exports + added), exports)
    }
}

/// The parts of a module's binary that the rewrite reads, and where its sections lie.
private struct ModuleSections {
    static let exportSectionID: UInt8 = 7
    /// The sections that come after exports in a module (start, element, data count, code,
    /// data): a new export section goes before the first of them.
    static let sectionsAfterExports: Set<UInt8> = [8, 9, 12, 10, 11]

    let bytes: [UInt8]
    var sectionRanges: [(id: UInt8, range: Range<Int>)] = []
    var exports: [Export] = []
    var globals: [WasmParser.Global] = []
    var memoryCount = 0
    var tableCount = 0
    var importedMemories: UInt32 = 0
    var importedTables: UInt32 = 0
    var importedGlobals: UInt32 = 0
    var hasStartFunction = false

    init(_ bytes: [UInt8], importedState: Bool) throws(StateExports.NotReusable) {
        self.bytes = bytes
        var parser = Parser(bytes: bytes)
        do {
            var start = parser.offset
            while let payload = try parser.parseNext() {
                defer { start = parser.offset }
                if case .header = payload { continue }
                sectionRanges.append((bytes[start], start..<parser.offset))
                switch payload {
                case .importSection(let imports):
                    for entry in imports {
                        switch entry.descriptor {
                        case .function: continue
                        case .memory: importedMemories += 1
                        case .table: importedTables += 1
                        case .global: importedGlobals += 1
                        case .tag: break
                        }
                        guard importedState else {
                            throw StateExports.NotReusable(
                                reason: "it imports \(entry.module).\(entry.name), state a reused instance would share")
                        }
                    }
                case .memorySection(let memories): memoryCount = memories.count
                case .tableSection(let tables): tableCount = tables.count
                case .globalSection(let globals): self.globals = globals
                case .exportSection(let exports): self.exports = exports
                case .startSection: hasStartFunction = true
                case .dataSection(let segments):
                    if segments.contains(where: { if case .passive = $0 { true } else { false } }) {
                        throw StateExports.NotReusable(reason: "it has passive data segments, and data.drop cannot be undone")
                    }
                case .elementSection(let segments):
                    if segments.contains(where: { $0.mode == .passive }) {
                        throw StateExports.NotReusable(reason: "it has passive element segments, and elem.drop cannot be undone")
                    }
                default: break
                }
            }
        } catch let error as StateExports.NotReusable {
            throw error
        } catch {
            throw StateExports.NotReusable(reason: "it does not parse: \(error)")
        }
    }

    /// The module with its export section (added where the binary format puts it, if it had
    /// none) holding `exports`.
    func replacingExports(with exports: [Export]) -> [UInt8] {
        var payload = LEB128.encode(UInt32(exports.count))
        for export in exports {
            let name = Array(export.name.utf8)
            payload += LEB128.encode(UInt32(name.count)) + name
            let (kind, index): (UInt8, UInt32) =
                switch export.descriptor {
                case .function(let index): (0, index)
                case .table(let index): (1, index)
                case .memory(let index): (2, index)
                case .global(let index): (3, index)
                case .tag(let index): (4, index)
                }
            payload += [kind] + LEB128.encode(index)
        }
        let section = [Self.exportSectionID] + LEB128.encode(UInt32(payload.count)) + payload

        let replaced =
            sectionRanges.first { $0.id == Self.exportSectionID }?.range
            ?? sectionRanges.first { Self.sectionsAfterExports.contains($0.id) }.map { $0.range.lowerBound..<$0.range.lowerBound }
            ?? bytes.endIndex..<bytes.endIndex
        var rewritten = bytes
        rewritten.replaceSubrange(replaced, with: section)
        return rewritten
    }
}
