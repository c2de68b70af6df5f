// The component binary reader: every section kind, names, and refusal of malformed input.

import Testing
@testable import CapComponent

@Suite("Binary reader")
struct BinaryReaderTests {
    static let fixtures = ["exports.wasm", "host.wasm", "nested.wasm", "resources.wasm", "shape.wasm", "hello-p2.wasm"]

    @Test("reads every checked-in component", arguments: fixtures)
    func readsFixtures(name: String) throws {
        let component = try Component(bytes: try ComponentFixtures.bytes(name))
        #expect(!component.exports.isEmpty)
    }

    @Test("lists imports and exports in order")
    func importsAndExports() throws {
        let component = try Component(bytes: try ComponentFixtures.bytes("host.wasm"))
        #expect(component.imports.map(\.name) == ["test:host/api@0.1.0", "get-number"])
        #expect(component.imports.map(\.kind) == [.instance, .function])
        #expect(component.imports.map(\.kind.description) == ["instance", "func"])
        #expect(component.exports.map(\.name) == ["run", "consume", "bad-drop"])
    }

    @Test("lists the functions and resources the host must define")
    func requirements() throws {
        let component = try Component(bytes: try ComponentFixtures.bytes("host.wasm"))
        #expect(component.requirements.map(\.description) == [
            "resource test:host/api@0.1.0#counter", "func test:host/api@0.1.0#log",
            "func test:host/api@0.1.0#make-counter", "func test:host/api@0.1.0#[method]counter.get",
            "func get-number",
        ])
    }

    @Test("reads core modules, core instances, aliases and canon definitions")
    func sectionKinds() throws {
        let ast = try ComponentParser.parse(try ComponentFixtures.bytes("shape.wasm"))
        var kinds: Set<String> = []
        for definition in ast.definitions {
            switch definition {
            case .coreModule: kinds.insert("core module")
            case .coreInstance(.instantiate): kinds.insert("core instantiate")
            case .coreInstance(.exports): kinds.insert("core exports")
            case .alias(let alias):
                switch alias.target {
                case .export: kinds.insert("alias export")
                case .coreExport: kinds.insert("alias core export")
                case .outer: kinds.insert("alias outer")
                }
            case .type(.instance): kinds.insert("instance type")
            case .canon(.lift): kinds.insert("lift")
            case .canon(.lower): kinds.insert("lower")
            case .import: kinds.insert("import")
            case .export: kinds.insert("export")
            default: break
            }
        }
        #expect(kinds.isSuperset(of: [
            "core module", "core instantiate", "core exports", "alias export", "alias core export",
            "instance type", "lift", "lower", "import", "export",
        ]))
        #expect(try Component(bytes: try ComponentFixtures.bytes("shape.wasm")).coreModuleCount == 3)
    }

    @Test("reads nested components and outer aliases")
    func nested() throws {
        let ast = try ComponentParser.parse(try ComponentFixtures.bytes("nested.wasm"))
        let inner = ast.definitions.compactMap { definition -> ComponentAST? in
            if case .component(let inner) = definition { return inner }
            return nil
        }
        #expect(inner.count == 1)
        let outerAliases = inner.first?.definitions.filter { definition in
            if case .alias(let alias) = definition, case .outer(1, _) = alias.target { return true }
            return false
        }
        #expect(outerAliases?.count == 2)
    }

    @Test("reads resource types and own/borrow handles")
    func resources() throws {
        let ast = try ComponentParser.parse(try ComponentFixtures.bytes("resources.wasm"))
        var sawResource = false, sawOwn = false, sawBorrow = false, builtins = 0
        for definition in ast.definitions {
            switch definition {
            case .type(.resource(let destructor)): sawResource = destructor != nil
            case .type(.value(.own)): sawOwn = true
            case .type(.value(.borrow)): sawBorrow = true
            case .canon(.resourceNew), .canon(.resourceRep), .canon(.resourceDrop): builtins += 1
            default: break
            }
        }
        #expect(sawResource && sawOwn && sawBorrow)
        #expect(builtins == 3)
    }

    @Test("reads interface names with versions and (sub resource) bounds")
    func interfaceNames() throws {
        let component = try Component(bytes: try ComponentFixtures.bytes("hello-p2.wasm"))
        #expect(component.imports.map(\.name).contains("wasi:io/streams@0.2.0"))
        #expect(component.exports.map(\.name) == ["wasi:cli/run@0.2.0"])
    }

    @Test(
        "reads a large locally built component (CAPCOMPONENT_LARGE_COMPONENT)",
        .enabled(if: ComponentFixtures.largeComponentPath != nil, "set CAPCOMPONENT_LARGE_COMPONENT to a component's path"))
    func largeComponent() throws {
        let path = try #require(ComponentFixtures.largeComponentPath)
        let component = try Component(bytes: try ComponentFixtures.bytes(atPath: path))
        #expect(component.coreModuleCount > 1)
        #expect(!component.imports.isEmpty)
    }

    // MARK: Refusals

    static let preamble: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]

    static func refuse(_ bytes: [UInt8], _ code: ComponentError.Code = .malformed) -> ComponentError? {
        do {
            _ = try Component(bytes: bytes)
            return nil
        } catch {
            return error.code == code ? error : nil
        }
    }

    @Test("refuses a core module, a bad magic number and an unknown version")
    func preambles() {
        #expect(Self.refuse([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])?.message.contains("core module") == true)
        #expect(Self.refuse([0x7f, 0x45, 0x4c, 0x46]) != nil)
        #expect(Self.refuse([0x00, 0x61, 0x73, 0x6d, 0x0c, 0x00, 0x01, 0x00], .unsupported) != nil)
        #expect(Self.refuse([]) != nil)
    }

    @Test("names the section and offset of a malformed type")
    func sectionAndOffset() throws {
        // A type section with one type whose opcode 0x50 is unknown.
        let error = try #require(Self.refuse(Self.preamble + [0x07, 0x02, 0x01, 0x50]))
        #expect(error.section == "type")
        #expect(error.offset == 11)
        #expect(error.description.contains("type section at offset 11"))
    }

    @Test("refuses sections this runtime does not implement")
    func unsupportedSections() {
        #expect(Self.refuse(Self.preamble + [0x03, 0x01, 0x00], .unsupported)?.section == "core type")
        #expect(Self.refuse(Self.preamble + [0x09, 0x01, 0x00], .unsupported)?.section == "start")
        #expect(Self.refuse(Self.preamble + [0x0c, 0x01, 0x00], .unsupported)?.section == "value")
        // canon: one definition, opcode 0x05 (task.cancel, async).
        #expect(Self.refuse(Self.preamble + [0x08, 0x03, 0x01, 0x05, 0x00], .unsupported)?.section == "canon")
        // type: one async function type.
        #expect(Self.refuse(Self.preamble + [0x07, 0x04, 0x01, 0x43, 0x00, 0x01], .unsupported) != nil)
        #expect(Self.refuse(Self.preamble + [0x0d, 0x00]) != nil)
    }

    @Test("refuses indices out of range")
    func indexOutOfRange() {
        // An export of func 0 when there are no functions.
        let error = Self.refuse(Self.preamble + [0x0b, 0x06, 0x01, 0x00, 0x01, 0x66, 0x01, 0x00], .invalid)
        #expect(error?.message.contains("func index 0 is out of range") == true)
        // An own of type 3 when there are no types.
        #expect(Self.refuse(Self.preamble + [0x07, 0x03, 0x01, 0x69, 0x03], .invalid) != nil)
    }

    @Test("refuses counts larger than the remaining bytes")
    func hugeCounts() {
        // An import section claiming 2^32-1 imports in 6 bytes.
        #expect(Self.refuse(Self.preamble + [0x0a, 0x06, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]) != nil)
        // A section size beyond the end.
        #expect(Self.refuse(Self.preamble + [0x07, 0x7f, 0x01]) != nil)
        // An over-long LEB128.
        #expect(Self.refuse(Self.preamble + [0x07, 0x06, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]) != nil)
    }

    @Test("refuses invalid UTF-8 in names")
    func invalidUTF8() {
        #expect(Self.refuse(Self.preamble + [0x00, 0x03, 0x02, 0xc3, 0x28])?.message.contains("UTF-8") == true)
    }

    @Test("refuses a nesting depth that could exhaust the stack")
    func deepNesting() {
        // 100 nested component type declarations: (type (component (type (component ...)))).
        var body: [UInt8] = []
        for _ in 0..<100 { body = [0x41, 0x01, 0x01] + body }
        body.append(contentsOf: [0x73])
        let section = [0x01] + body
        #expect(Self.refuse(Self.preamble + [0x07] + leb(section.count) + section, .unsupported) != nil)
    }

    @Test("every truncation of a real component is an error, never a crash", arguments: ["shape.wasm", "host.wasm", "resources.wasm"])
    func truncations(name: String) throws {
        let bytes = try ComponentFixtures.bytes(name)
        let boundaries = sectionBoundaries(bytes)
        for length in 0..<bytes.count where !boundaries.contains(length) {
            #expect(throws: ComponentError.self) { try Component(bytes: Array(bytes[0..<length])) }
        }
        // Cut at a section boundary, the rest is a shorter component: well-formed, or refused
        // for what it lacks (an index into a section that is gone), never as anything else.
        for length in boundaries where length < bytes.count {
            do { _ = try Component(bytes: Array(bytes[0..<length])) } catch {
                #expect(Self.readerCodes.contains(error.code) && !error.message.isEmpty, "cut at \(length): \(error)")
            }
        }
    }

    /// The codes a refusal by the binary reader may have.
    static let readerCodes: Set<ComponentError.Code> = [.malformed, .invalid, .unsupported]

    @Test("flipping bytes of a real component is refused with a reason, or reads as another component; never a crash")
    func corruptions() throws {
        let bytes = try ComponentFixtures.bytes("nested.wasm")
        var refused = 0
        var accepted = 0
        for index in 8..<bytes.count {
            for value: UInt8 in [0x00, 0x7f, 0xff] where bytes[index] != value {
                var corrupt = bytes
                corrupt[index] = value
                do {
                    _ = try Component(bytes: corrupt)
                    accepted += 1
                } catch {
                    refused += 1
                    #expect(Self.readerCodes.contains(error.code) && !error.message.isEmpty, "byte \(index) = \(value): \(error)")
                }
            }
        }
        // Most flips break the binary; some land in names or constants and still read.
        #expect(refused > accepted)
        #expect(refused > 0)
    }
}

/// The offsets where the top-level sections of a well-formed component start (and its end).
private func sectionBoundaries(_ bytes: [UInt8]) -> Set<Int> {
    var boundaries: Set<Int> = [8]
    var offset = 8
    while offset < bytes.count {
        offset += 1
        var size = 0
        var shift = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            size |= Int(byte & 0x7f) << shift
            shift += 7
            if byte & 0x80 == 0 { break }
        }
        offset += size
        boundaries.insert(offset)
    }
    return boundaries
}

private func leb(_ value: Int) -> [UInt8] {
    var result: [UInt8] = []
    var remaining = UInt32(value)
    repeat {
        var byte = UInt8(remaining & 0x7f)
        remaining >>= 7
        if remaining != 0 { byte |= 0x80 }
        result.append(byte)
    } while remaining != 0
    return result
}
