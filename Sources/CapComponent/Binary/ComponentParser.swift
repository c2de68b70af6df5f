// Decodes a component binary (component-model design/mvp/Binary.md) into a ``ComponentAST``.

import WasmKit

/// Reads a component binary section by section, checking every index against the index
/// spaces as they stand at that point. Nothing is instantiated here; core modules are parsed
/// and validated by WasmKit.
struct ComponentParser {
    /// Components, component types and instance types may nest this deep; deeper binaries are
    /// refused rather than risking the stack.
    static let maximumNesting = 64

    /// How many items each index space of one scope (a component, a component type or an
    /// instance type) holds so far.
    private struct Scope {
        var counts: [Sort: UInt32] = [:]

        func count(_ sort: Sort) -> UInt32 { counts[sort] ?? 0 }

        mutating func add(_ sort: Sort) { counts[sort, default: 0] &+= 1 }
    }

    private let bytes: [UInt8]
    private var scopes: [Scope] = []

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses a whole binary as a component.
    static func parse(_ bytes: [UInt8]) throws -> ComponentAST {
        var parser = ComponentParser(bytes: bytes)
        var reader = ByteReader(bytes: bytes, section: "preamble")
        return try parser.component(&reader)
    }

    // MARK: Components and sections

    private mutating func component(_ reader: inout ByteReader) throws -> ComponentAST {
        guard scopes.count < Self.maximumNesting else {
            throw reader.unsupported("components nest deeper than \(Self.maximumNesting) levels")
        }
        let start = reader.offset
        reader.section = "preamble"
        let magic = try reader.bytes(min(4, reader.remaining))
        guard magic.elementsEqual([0x00, 0x61, 0x73, 0x6d]) else {
            throw reader.error("not a WebAssembly binary (bad magic number)", at: start)
        }
        let version = try reader.bytes(min(4, reader.remaining))
        guard version.count == 4 else { throw reader.error("unexpected end of data in the preamble") }
        if version.elementsEqual([0x01, 0x00, 0x00, 0x00]) {
            throw reader.error("this is a core module, not a component", at: start + 4)
        }
        guard version.elementsEqual([0x0d, 0x00, 0x01, 0x00]) else {
            throw reader.unsupported(
                "unsupported component binary version \(version.map { "0x" + hex($0) }.joined(separator: " "))",
                at: start + 4)
        }
        scopes.append(Scope())
        defer { scopes.removeLast() }
        var ast = ComponentAST()
        while !reader.isAtEnd {
            reader.section = "section header"
            let id = try reader.byte()
            let size = Int(try reader.u32())
            guard size <= reader.remaining else {
                throw reader.error("section size \(size) exceeds the remaining \(reader.remaining) bytes")
            }
            var body = ByteReader(bytes: bytes, offset: reader.offset, end: reader.offset + size, section: Self.sectionName(id))
            try section(id, &body, into: &ast)
            guard body.isAtEnd else { throw body.error("unexpected data at the end of the section") }
            _ = try reader.bytes(size)
        }
        return ast
    }

    private static func sectionName(_ id: UInt8) -> String {
        switch id {
        case 0: "custom"
        case 1: "core module"
        case 2: "core instance"
        case 3: "core type"
        case 4: "component"
        case 5: "instance"
        case 6: "alias"
        case 7: "type"
        case 8: "canon"
        case 9: "start"
        case 10: "import"
        case 11: "export"
        case 12: "value"
        default: "unknown (\(id))"
        }
    }

    private mutating func section(_ id: UInt8, _ reader: inout ByteReader, into ast: inout ComponentAST) throws {
        switch id {
        case 0:
            _ = try reader.name()
            _ = try reader.bytes(reader.remaining)
        case 1:
            let start = reader.offset
            let body = try reader.bytes(reader.remaining)
            let module: (Module, [UInt8])
            do {
                module = try InterruptPoints.parseInstrumented(Array(body))
            } catch {
                throw reader.error("the embedded core module is invalid: \(error)", at: start)
            }
            add(.core(.module))
            ast.definitions.append(.coreModule(CoreModule(module: module.0, bytes: module.1, state: nil)))
        case 2:
            let count = try reader.count(minimumSize: 2)
            for _ in 0..<count {
                let expression = try coreInstance(&reader)
                add(.core(.instance))
                ast.definitions.append(.coreInstance(expression))
            }
        case 3:
            throw reader.unsupported("core type definitions are not supported")
        case 4:
            let nested = try component(&reader)
            add(.component)
            ast.definitions.append(.component(nested))
        case 5:
            let count = try reader.count(minimumSize: 2)
            for _ in 0..<count {
                let expression = try instance(&reader)
                add(.instance)
                ast.definitions.append(.instance(expression))
            }
        case 6:
            let count = try reader.count(minimumSize: 3)
            for _ in 0..<count {
                let alias = try alias(&reader)
                add(alias.sort)
                ast.definitions.append(.alias(alias))
            }
        case 7:
            let count = try reader.count()
            for _ in 0..<count {
                let type = try typeDefinition(&reader)
                add(.type)
                ast.definitions.append(.type(type))
            }
        case 8:
            // Some built-ins (`backpressure.inc`, ...) are a single byte.
            let count = try reader.count()
            for _ in 0..<count {
                let canon = try canon(&reader)
                switch canon {
                case .lift: add(.function)
                case .lower, .resourceNew, .resourceDrop, .resourceRep: add(.core(.function))
                }
                ast.definitions.append(.canon(canon))
            }
        case 9:
            throw reader.unsupported("start definitions (component values) are not supported")
        case 10:
            let count = try reader.count(minimumSize: 3)
            for _ in 0..<count {
                let name = try externName(&reader)
                let type = try externType(&reader)
                add(type.sort)
                ast.definitions.append(.import(ImportDefinition(name: name, type: type)))
            }
        case 11:
            let count = try reader.count(minimumSize: 4)
            for _ in 0..<count {
                let name = try externName(&reader)
                let item = try sortIndex(&reader)
                let type: ExternType? = try optional(&reader) { try externType(&$0) }
                if let type, type.sort != item.sort {
                    throw reader.error("export \"\(name)\" declares a \(type.sort) type for a \(item.sort)", code: .invalid)
                }
                let exported = ast.definitions.contains { definition in
                    if case .export(let export) = definition { export.name == name } else { false }
                }
                guard !exported else {
                    throw reader.error("export name `\(name)` already defined", code: .invalid)
                }
                add(item.sort)
                ast.definitions.append(.export(ExportDefinition(name: name, item: item, type: type)))
            }
        case 12:
            throw reader.unsupported("value definitions are not supported")
        default:
            throw reader.error("unknown section id \(id)")
        }
    }

    // MARK: Index spaces

    private mutating func add(_ sort: Sort) {
        scopes[scopes.count - 1].add(sort)
    }

    private func check(_ sort: Sort, _ index: UInt32, _ reader: ByteReader, at position: Int) throws {
        let count = scopes.last?.count(sort) ?? 0
        guard index < count else {
            throw reader.error("\(sort) index \(index) is out of range (there are \(count))", code: .invalid, at: position)
        }
    }

    private func index(_ sort: Sort, _ reader: inout ByteReader) throws -> UInt32 {
        let start = reader.offset
        let value = try reader.u32()
        try check(sort, value, reader, at: start)
        return value
    }

    // MARK: Instances and aliases

    private func coreSort(_ reader: inout ByteReader) throws -> CoreSort {
        let start = reader.offset
        let value = try reader.byte()
        guard let sort = CoreSort(rawValue: value) else {
            throw reader.error("unknown core sort 0x\(hex(value))", at: start)
        }
        return sort
    }

    private func sort(_ reader: inout ByteReader) throws -> Sort {
        let start = reader.offset
        switch try reader.byte() {
        case 0x00: return .core(try coreSort(&reader))
        case 0x01: return .function
        case 0x02: throw reader.unsupported("component values are not supported", at: start)
        case 0x03: return .type
        case 0x04: return .component
        case 0x05: return .instance
        case let value: throw reader.error("unknown sort 0x\(hex(value))", at: start)
        }
    }

    private func sortIndex(_ reader: inout ByteReader) throws -> SortIndex {
        let sort = try sort(&reader)
        return SortIndex(sort: sort, index: try index(sort, &reader))
    }

    private func coreInstance(_ reader: inout ByteReader) throws -> CoreInstanceExpression {
        let start = reader.offset
        switch try reader.byte() {
        case 0x00:
            let module = try index(.core(.module), &reader)
            let arguments = try reader.vector(minimumSize: 3) { reader in
                let name = try reader.name()
                try reader.expect(0x12, "the instance sort")
                return (name: name, instance: try index(.core(.instance), &reader))
            }
            try unique(arguments.map(\.name), "module instantiation argument", reader, at: start)
            return .instantiate(module: module, arguments: arguments)
        case 0x01:
            let exports = try reader.vector(minimumSize: 3) { reader in
                let name = try reader.name()
                let sort = try coreSort(&reader)
                return (name: name, sort: sort, index: try index(.core(sort), &reader))
            }
            return .exports(exports)
        case let value:
            throw reader.error("unknown core instance expression 0x\(hex(value))", at: start)
        }
    }

    private func instance(_ reader: inout ByteReader) throws -> InstanceExpression {
        let start = reader.offset
        switch try reader.byte() {
        case 0x00:
            let component = try index(.component, &reader)
            let arguments = try reader.vector(minimumSize: 3) { reader in
                (name: try reader.name(), item: try sortIndex(&reader))
            }
            try unique(arguments.map(\.name), "instantiation argument", reader, at: start)
            return .instantiate(component: component, arguments: arguments)
        case 0x01:
            let exports = try reader.vector(minimumSize: 3) { reader in
                (name: try externName(&reader), item: try sortIndex(&reader))
            }
            return .exports(exports)
        case let value:
            throw reader.error("unknown instance expression 0x\(hex(value))", at: start)
        }
    }

    private func alias(_ reader: inout ByteReader) throws -> Alias {
        let sort = try sort(&reader)
        let start = reader.offset
        switch try reader.byte() {
        case 0x00:
            let instance = try index(.instance, &reader)
            return Alias(sort: sort, target: .export(instance: instance, name: try reader.name()))
        case 0x01:
            let instance = try index(.core(.instance), &reader)
            guard case .core = sort else {
                throw reader.error("a core export alias must have a core sort, not \(sort)", code: .invalid, at: start)
            }
            return Alias(sort: sort, target: .coreExport(instance: instance, name: try reader.name()))
        case 0x02:
            switch sort {
            case .type, .component, .core(.module), .core(.type): break
            default: throw reader.error("an outer alias cannot alias a \(sort)", code: .invalid, at: start)
            }
            let countStart = reader.offset
            let count = try reader.u32()
            guard Int(count) < scopes.count else {
                throw reader.error("outer alias count \(count) exceeds the \(scopes.count - 1) enclosing scopes", code: .invalid, at: countStart)
            }
            let indexStart = reader.offset
            let index = try reader.u32()
            let target = scopes[scopes.count - 1 - Int(count)]
            guard index < target.count(sort) else {
                throw reader.error("outer \(sort) index \(index) is out of range (there are \(target.count(sort)))", code: .invalid, at: indexStart)
            }
            return Alias(sort: sort, target: .outer(count: count, index: index))
        case let value:
            throw reader.error("unknown alias target 0x\(hex(value))", at: start)
        }
    }

    // MARK: Types

    private func optional<T>(_ reader: inout ByteReader, _ body: (inout ByteReader) throws -> T) throws -> T? {
        let start = reader.offset
        switch try reader.byte() {
        case 0x00: return nil
        case 0x01: return try body(&reader)
        case let value: throw reader.error("expected 0x00 or 0x01 for an optional item, found 0x\(hex(value))", at: start)
        }
    }

    private func valueType(_ reader: inout ByteReader) throws -> ValueTypeReference {
        let start = reader.offset
        let first = try reader.peek()
        if first >= 0x40 && first < 0x80 {
            _ = try reader.byte()
            guard let primitive = PrimitiveType(rawValue: first) else {
                if first == 0x64 { throw reader.unsupported("the error-context type is not supported", at: start) }
                throw reader.error("0x\(hex(first)) is not a primitive value type or a type index", at: start)
            }
            return .primitive(primitive)
        }
        return .index(try index(.type, &reader))
    }

    /// A kebab-case label (`fragment(-fragment)*`, each fragment `[a-z][a-z0-9]*` or
    /// `[A-Z][A-Z0-9]*`), as Explainer.md's `label` production requires.
    private func label(_ reader: inout ByteReader) throws -> String {
        let start = reader.offset
        let name = try reader.name()
        guard !name.isEmpty else { throw reader.error("empty label", at: start) }
        guard Self.isKebabCase(name) else { throw reader.error("`\(name)` is not in kebab case", code: .invalid, at: start) }
        return name
    }

    static func isKebabCase(_ name: String) -> Bool {
        name.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false).allSatisfy { fragment in
            guard let first = fragment.first else { return false }
            let isLower = { (byte: UInt8) in (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
            let isUpper = { (byte: UInt8) in (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }
            let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
            if isLower(first) { return fragment.allSatisfy { isLower($0) || isDigit($0) } }
            if isUpper(first) { return fragment.allSatisfy { isUpper($0) || isDigit($0) } }
            return false
        }
    }

    /// Names that must not repeat, exactly (instantiation arguments).
    private func unique(_ names: [String], _ what: String, _ reader: ByteReader, at position: Int) throws {
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw reader.error("duplicate \(what) named `\(name)`", code: .invalid, at: position)
        }
    }

    /// Labels of one record, variant, flags, enum or parameter list must differ, ignoring case.
    private func distinct(_ names: [String], _ what: String, _ reader: ByteReader, at position: Int) throws {
        var seen: [String: String] = [:]
        for name in names {
            if let previous = seen.updateValue(name, forKey: name.lowercased()) {
                throw reader.error("\(what) name `\(name)` conflicts with previous \(what) name `\(previous)`", code: .invalid, at: position)
            }
        }
    }

    private func nonEmpty<T>(_ items: [T], _ what: String, _ reader: ByteReader, at position: Int) throws -> [T] {
        guard !items.isEmpty else { throw reader.error("\(what) must not be empty", code: .invalid, at: position) }
        return items
    }

    private func definedValueType(_ reader: inout ByteReader) throws -> DefinedValueType {
        let start = reader.offset
        let opcode = try reader.byte()
        if let primitive = PrimitiveType(rawValue: opcode) { return .primitive(primitive) }
        switch opcode {
        case 0x72:
            let fields = try reader.vector(minimumSize: 2) { (name: try label(&$0), type: try valueType(&$0)) }
            try distinct(fields.map(\.name), "record field", reader, at: start)
            return .record(try nonEmpty(fields, "a record", reader, at: start))
        case 0x71:
            let cases = try reader.vector(minimumSize: 3) { reader in
                let name = try label(&reader)
                let type = try optional(&reader) { try valueType(&$0) }
                try reader.expect(0x00, "the end of a variant case")
                return (name: name, type: type)
            }
            try distinct(cases.map(\.name), "variant case", reader, at: start)
            return .variant(try nonEmpty(cases, "a variant", reader, at: start))
        case 0x70:
            return .list(try valueType(&reader))
        case 0x6f:
            return .tuple(try nonEmpty(try reader.vector { try valueType(&$0) }, "a tuple", reader, at: start))
        case 0x6e:
            let names = try nonEmpty(try reader.vector { try label(&$0) }, "flags", reader, at: start)
            guard names.count <= 32 else { throw reader.error("flags have more than 32 labels", code: .invalid, at: start) }
            try distinct(names, "flag", reader, at: start)
            return .flags(names)
        case 0x6d:
            let names = try nonEmpty(try reader.vector { try label(&$0) }, "an enum", reader, at: start)
            try distinct(names, "enum tag", reader, at: start)
            return .enum(names)
        case 0x6b:
            return .option(try valueType(&reader))
        case 0x6a:
            let ok = try optional(&reader) { try valueType(&$0) }
            let error = try optional(&reader) { try valueType(&$0) }
            return .result(ok: ok, error: error)
        case 0x69:
            return .own(try index(.type, &reader))
        case 0x68:
            return .borrow(try index(.type, &reader))
        case 0x67: throw reader.unsupported("fixed-length lists are not supported", at: start)
        case 0x66: throw reader.unsupported("stream types are not supported", at: start)
        case 0x65: throw reader.unsupported("future types are not supported", at: start)
        case 0x64: throw reader.unsupported("the error-context type is not supported", at: start)
        case 0x63: throw reader.unsupported("map types are not supported", at: start)
        default: throw reader.error("unknown type opcode 0x\(hex(opcode))", at: start)
        }
    }

    private mutating func typeDefinition(_ reader: inout ByteReader) throws -> TypeDefinition {
        let start = reader.offset
        switch try reader.peek() {
        case 0x40:
            _ = try reader.byte()
            let parameters = try reader.vector(minimumSize: 2) { (name: try label(&$0), type: try valueType(&$0)) }
            try distinct(parameters.map(\.name), "function parameter", reader, at: start)
            let resultStart = reader.offset
            let result: ValueTypeReference?
            switch try reader.byte() {
            case 0x00: result = try valueType(&reader)
            case 0x01:
                guard try reader.u32() == 0 else {
                    throw reader.unsupported("named function results are not supported", at: resultStart)
                }
                result = nil
            case let value: throw reader.error("unknown result list 0x\(hex(value))", at: resultStart)
            }
            return .function(FunctionTypeDefinition(parameters: parameters, result: result))
        case 0x43:
            throw reader.unsupported("async function types are not supported", at: start)
        case 0x41:
            _ = try reader.byte()
            return .component(try declarations(&reader, component: true))
        case 0x42:
            _ = try reader.byte()
            return .instance(try declarations(&reader, component: false))
        case 0x3f:
            _ = try reader.byte()
            let representationStart = reader.offset
            guard try reader.byte() == 0x7f else {
                throw reader.error("a resource's representation must be i32", code: .invalid, at: representationStart)
            }
            let destructor = try optional(&reader) { try index(.core(.function), &$0) }
            return .resource(destructor: destructor)
        default:
            return .value(try definedValueType(&reader))
        }
    }

    private mutating func declarations(_ reader: inout ByteReader, component: Bool) throws -> [TypeDeclaration] {
        guard scopes.count < Self.maximumNesting else {
            throw reader.unsupported("types nest deeper than \(Self.maximumNesting) levels")
        }
        let count = try reader.count(minimumSize: 2)
        scopes.append(Scope())
        defer { scopes.removeLast() }
        var result: [TypeDeclaration] = []
        for _ in 0..<count {
            let start = reader.offset
            switch try reader.byte() {
            case 0x00:
                throw reader.unsupported("core types in component and instance types are not supported", at: start)
            case 0x01:
                let type = try typeDefinition(&reader)
                if case .resource = type {
                    throw reader.error("resource definitions are not allowed in a type declaration", code: .invalid, at: start)
                }
                add(.type)
                result.append(.type(type))
            case 0x02:
                let alias = try alias(&reader)
                add(alias.sort)
                result.append(.alias(alias))
            case 0x03 where component:
                let name = try externName(&reader)
                let type = try externType(&reader)
                add(type.sort)
                result.append(.import(name: name, type: type))
            case 0x04:
                let name = try externName(&reader)
                let type = try externType(&reader)
                add(type.sort)
                result.append(.export(name: name, type: type))
            case let value:
                throw reader.error("unknown \(component ? "component" : "instance") type declaration 0x\(hex(value))", at: start)
            }
        }
        return result
    }

    // MARK: Imports, exports and names

    private func externName(_ reader: inout ByteReader) throws -> String {
        let start = reader.offset
        let kind = try reader.byte()
        guard kind <= 0x02 else { throw reader.error("unknown name encoding 0x\(hex(kind))", at: start) }
        let name = try reader.name()
        guard !name.isEmpty else { throw reader.error("empty import or export name", code: .invalid, at: start) }
        if kind == 0x02 {
            _ = try reader.vector(minimumSize: 2) { reader in
                let attributeStart = reader.offset
                switch try reader.byte() {
                case 0x00, 0x01, 0x02: return try reader.name()
                case let value: throw reader.error("unknown name attribute 0x\(hex(value))", at: attributeStart)
                }
            }
        }
        return name
    }

    private func externType(_ reader: inout ByteReader) throws -> ExternType {
        let start = reader.offset
        switch try reader.byte() {
        case 0x00:
            try reader.expect(0x11, "the core module sort")
            throw reader.unsupported("core module imports and exports by type are not supported", at: start)
        case 0x01: return .function(try index(.type, &reader))
        case 0x02: throw reader.unsupported("component values are not supported", at: start)
        case 0x03:
            let boundStart = reader.offset
            switch try reader.byte() {
            case 0x00: return .type(.equal(try index(.type, &reader)))
            case 0x01: return .type(.subResource)
            case let value: throw reader.error("unknown type bound 0x\(hex(value))", at: boundStart)
            }
        case 0x04: return .component(try index(.type, &reader))
        case 0x05: return .instance(try index(.type, &reader))
        case let value: throw reader.error("unknown extern type 0x\(hex(value))", at: start)
        }
    }

    // MARK: Canonical definitions

    private func canon(_ reader: inout ByteReader) throws -> Canon {
        let start = reader.offset
        switch try reader.byte() {
        case 0x00:
            try reader.expect(0x00, "the func sort")
            let function = try index(.core(.function), &reader)
            let options = try canonOptions(&reader)
            return .lift(coreFunction: function, options: options, type: try index(.type, &reader))
        case 0x01:
            try reader.expect(0x00, "the func sort")
            let function = try index(.function, &reader)
            return .lower(function: function, options: try canonOptions(&reader))
        case 0x02: return .resourceNew(type: try index(.type, &reader))
        case 0x03: return .resourceDrop(type: try index(.type, &reader))
        case 0x04: return .resourceRep(type: try index(.type, &reader))
        case let value:
            throw reader.unsupported("canonical definition 0x\(hex(value)) (async, threads or error contexts) is not supported", at: start)
        }
    }

    private func canonOptions(_ reader: inout ByteReader) throws -> CanonOptionsDefinition {
        var options = CanonOptionsDefinition()
        var seen: Set<UInt8> = []
        let count = try reader.count()
        for _ in 0..<count {
            let start = reader.offset
            let opcode = try reader.byte()
            let group = opcode <= 0x02 ? 0x00 : opcode
            guard seen.insert(group).inserted else {
                throw reader.error("duplicate or conflicting canonical option 0x\(hex(opcode))", code: .invalid, at: start)
            }
            switch opcode {
            case 0x00: options.stringEncoding = .utf8
            case 0x01: options.stringEncoding = .utf16
            case 0x02: options.stringEncoding = .latin1UTF16
            case 0x03: options.memory = try index(.core(.memory), &reader)
            case 0x04: options.realloc = try index(.core(.function), &reader)
            case 0x05: options.postReturn = try index(.core(.function), &reader)
            case 0x06, 0x07: throw reader.unsupported("async canonical options are not supported", at: start)
            default: throw reader.error("unknown canonical option 0x\(hex(opcode))", at: start)
            }
        }
        return options
    }
}
