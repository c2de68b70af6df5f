// The component-model spec tests (Spec/, converted from .wast by Spec/convert.sh), command by command.
import CapComponent
import Foundation
import TestSupport
import Testing

/// One converted `.wast` file: its JSON commands and the `.wasm` files beside them.
struct SpecScript: Sendable, CustomTestStringConvertible {
    let name: String
    var testDescription: String { name }

    static let directory = URL(fileURLWithPath: repositoryRoot.appending("Tests/CapComponentTests/Spec").string)

    static let all: [SpecScript] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.contains(".") && $0 != "COMMIT" }.sorted().map(SpecScript.init)
    }()

    var folder: URL { Self.directory.appendingPathComponent(name) }

    func commands() throws -> [[String: Any]] {
        let data = try Data(contentsOf: folder.appendingPathComponent("\(name).json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(json["commands"] as? [[String: Any]])
    }

    func bytes(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(file)))
    }
}

/// What running one script gave: how many commands passed, and each failure with its line.
struct SpecOutcome {
    var passed = 0
    var failures: [(line: Int, message: String)] = []
    /// Components refused as `.unsupported` (async, streams, UTF-16, core types, ...), and the
    /// commands that needed one of them.
    var refused: [(line: Int, reason: String)] = []
    var skipped: [(line: Int, reason: String)] = []
}

/// Runs the commands of one script the way the reference interpreter does: `module` instantiates
/// and becomes current, `module_definition` + `module_instance` name them, `invoke` actions call
/// an export of the current (or named) instance, `assert_invalid`/`assert_malformed` must fail to
/// load or instantiate.
struct SpecRunner {
    var definitions: [String: Component] = [:]
    var instances: [String: ComponentInstance] = [:]
    var current: ComponentInstance?
    /// Where the component that the next command would use was refused or failed to load.
    var refusedDefinitions: [String: Int] = [:]
    var currentRefusedAt: Int?

    mutating func run(_ script: SpecScript) throws -> SpecOutcome {
        var outcome = SpecOutcome()
        for command in try script.commands() {
            let line = command["line"] as? Int ?? 0
            let type = command["type"] as? String ?? ""
            if command["module_type"] as? String == "text" {
                outcome.skipped.append((line, "a text-format module (the binary reader is what is tested)"))
                continue
            }
            if let refusedAt = dependency(of: command) {
                outcome.skipped.append((line, "uses the component refused or failed at line \(refusedAt)"))
                if type == "module_instance" {
                    current = nil
                    currentRefusedAt = refusedAt
                }
                continue
            }
            do {
                switch type {
                case "module":
                    current = nil
                    currentRefusedAt = line
                    let component = try Component(bytes: script.bytes(command["filename"] as? String ?? ""))
                    let instance = try ComponentLinker().instantiate(component)
                    if let name = command["name"] as? String { instances[name] = instance }
                    current = instance
                    currentRefusedAt = nil
                case "module_definition":
                    let name = command["name"] as? String ?? ""
                    refusedDefinitions[name] = line
                    let component = try Component(bytes: script.bytes(command["filename"] as? String ?? ""))
                    definitions[name] = component
                    refusedDefinitions[name] = nil
                case "module_instance":
                    current = nil
                    currentRefusedAt = line
                    let definition = try #require(definitions[command["module"] as? String ?? ""])
                    let instance = try ComponentLinker().instantiate(definition)
                    if let name = command["instance"] as? String { instances[name] = instance }
                    current = instance
                    currentRefusedAt = nil
                case "assert_return":
                    let (function, arguments) = try invocation(command)
                    let result = try function.call(arguments)
                    let expected = try (command["expected"] as? [Any] ?? []).first.map { value in
                        try SpecValue.parse(value, as: try #require(function.type.result))
                    }
                    guard result == expected else {
                        throw SpecFailure("\(function.name) returned \(result.map(\.description) ?? "nothing"), expected \(expected.map(\.description) ?? "nothing")")
                    }
                case "assert_trap":
                    let (function, arguments) = try invocation(command)
                    do {
                        let result = try function.call(arguments)
                        throw SpecFailure("\(function.name) returned \(result.map(\.description) ?? "nothing") instead of trapping (\(command["text"] ?? ""))")
                    } catch let error as ComponentError where error.code == .trap || error.code == .badHandle {
                        // A trap, or a handle the canonical ABI traps on; a type mismatch or a
                        // missing export is not what the script asks for.
                    }
                case "assert_invalid", "assert_malformed":
                    let bytes = try script.bytes(command["filename"] as? String ?? "")
                    do {
                        _ = try ComponentLinker().instantiate(Component(bytes: bytes))
                        throw SpecFailure("accepted a component that is \(command["text"] ?? "invalid")")
                    } catch let error as ComponentError where error.code == .missingImport {
                        // The empty linker refuses any import: that says nothing of validity.
                        throw SpecFailure("refused only for an import the linker lacks: \(error)")
                    } catch is ComponentError {}
                default:
                    outcome.skipped.append((line, "command \(type)"))
                    continue
                }
                outcome.passed += 1
            } catch let error as ComponentError where error.code == .unsupported && type.hasPrefix("module") {
                outcome.refused.append((line, error.message))
            } catch {
                outcome.failures.append((line, "\(type): \(error)"))
            }
        }
        return outcome
    }

    /// The line of the refused component a command needs, if it needs one.
    private func dependency(of command: [String: Any]) -> Int? {
        switch command["type"] as? String {
        case "module_instance": return refusedDefinitions[command["module"] as? String ?? ""]
        case "assert_return", "assert_trap":
            let action = command["action"] as? [String: Any]
            return action?["module"] == nil && current == nil ? currentRefusedAt : nil
        default: return nil
        }
    }

    private func invocation(_ command: [String: Any]) throws -> (ComponentInstance.ExportedFunction, [ComponentValue]) {
        let action = try #require(command["action"] as? [String: Any])
        let instance = try #require((action["module"] as? String).flatMap { instances[$0] } ?? current)
        let field = action["field"] as? String ?? ""
        guard let function = instance.function(field) else { throw SpecFailure("no export \(field)") }
        let arguments = action["args"] as? [Any] ?? []
        guard arguments.count == function.type.parameters.count else {
            throw SpecFailure("\(field) takes \(function.type.parameters.count) arguments, the script gives \(arguments.count)")
        }
        return (function, try zip(arguments, function.type.parameters).map { try SpecValue.parse($0, as: $1.type) })
    }
}

struct SpecFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The JSON form `wasm-tools json-from-wast` gives component values, read against their type.
enum SpecValue {
    static func parse(_ json: Any, as type: ValueType) throws -> ComponentValue {
        let object = json as? [String: Any]
        let value = object?["value"] ?? json
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard let parsed = (value as? String).flatMap({ T($0) }) else { throw SpecFailure("\(value) is not a \(T.self)") }
            return parsed
        }
        switch type {
        case .bool: return .bool(try #require(value as? Bool))
        case .s8: return .s8(try integer(Int8.self))
        case .u8: return .u8(try integer(UInt8.self))
        case .s16: return .s16(try integer(Int16.self))
        case .u16: return .u16(try integer(UInt16.self))
        case .s32: return .s32(try integer(Int32.self))
        case .u32: return .u32(try integer(UInt32.self))
        case .s64: return .s64(try integer(Int64.self))
        case .u64: return .u64(try integer(UInt64.self))
        case .f32: return .f32(Float(bitPattern: try integer(UInt32.self)))
        case .f64: return .f64(Double(bitPattern: try integer(UInt64.self)))
        case .char: return .char(try #require((value as? String)?.unicodeScalars.first))
        case .string: return .string(try #require(value as? String))
        case .list(let element):
            return .list(try #require(value as? [Any]).map { try parse($0, as: element) })
        case .tuple(let elements):
            let items = try #require(value as? [Any])
            return .tuple(try zip(items, elements).map { try parse($0, as: $1) })
        case .record(let fields):
            let pairs = try #require(value as? [[Any]])
            var byName: [String: Any] = [:]
            for pair in pairs where pair.count == 2 { if let name = pair[0] as? String { byName[name] = pair[1] } }
            return .record(try fields.map { field in try parse(try #require(byName[field.name]), as: field.type) })
        case .variant(let cases):
            let body = try #require(value as? [String: Any])
            let name = try #require(body["case"] as? String)
            let index = try #require(cases.firstIndex { $0.name == name })
            let payload = body["payload"].flatMap { $0 is NSNull ? nil : $0 }
            return .variant(case: index, payload: try cases[index].type.map { try parse(try #require(payload), as: $0) })
        case .enum(let names):
            let name = try #require(value as? String)
            return .enum(case: try #require(names.firstIndex(of: name)))
        case .flags: return .flags(Set(try #require(value as? [String])))
        case .option(let inner):
            return .option(value is NSNull ? nil : try parse(value, as: inner))
        case .result(let ok, let error):
            let body = try #require(value as? [String: Any])
            if let success = body["Ok"] {
                return .result(.success(try ok.map { try parse(success, as: $0) }))
            }
            let failure = try #require(body["Err"])
            return .result(.failure(.init(try error.map { try parse(failure, as: $0) })))
        case .own, .borrow:
            throw SpecFailure("handles cannot be written in a spec script")
        }
    }
}

@Suite("Component-model spec tests")
struct SpecTests {
    /// Commands that fail today (`Spec/known-failures.json`: script → line → reason); the test
    /// fails if one of them starts to pass (so the list cannot go stale) or if any other fails.
    static let knownFailures: [String: [Int: String]] = load("known-failures.json")

    /// Components refused as unsupported today (`Spec/known-refusals.json`: script → line →
    /// reason); the test fails if one is no longer refused or another is.
    static let knownRefusals: [String: [Int: String]] = load("known-refusals.json")

    static func load(_ file: String) -> [String: [Int: String]] {
        guard let data = try? Data(contentsOf: SpecScript.directory.appendingPathComponent(file)),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: [String: String]]
        else { return [:] }
        return json.mapValues { lines in
            Dictionary(uniqueKeysWithValues: lines.compactMap { key, reason in Int(key).map { ($0, reason) } })
        }
    }

    @Test("the converted scripts and their lists of known failures and refusals are all there")
    func scriptsPresent() {
        // 21 scripts from the spec at Spec/COMMIT: without them every other test here would
        // pass with no cases.
        #expect(SpecScript.all.count == 21, "\(SpecScript.all.map(\.name))")
        #expect(!Self.knownFailures.isEmpty && !Self.knownRefusals.isEmpty)
        let names = Set(SpecScript.all.map(\.name))
        #expect(Set(Self.knownFailures.keys).isSubset(of: names) && Set(Self.knownRefusals.keys).isSubset(of: names))
    }

    /// Records an issue for each line of `found` that `known` does not list (printed with
    /// `kind`, for updating the list) and for each listed line no longer found.
    static func compare(_ found: [(line: Int, message: String)], with known: [Int: String], script: String, kind: String, list: String) {
        for (line, message) in found where known[line] == nil {
            print("\(kind) \(script).wast:\(line): \(message.prefix(300))")
            Issue.record("\(script).wast:\(line): \(kind == "SPECFAIL" ? "" : "refused as unsupported: ")\(message)")
        }
        let lines = Set(found.map(\.line))
        for line in known.keys where !lines.contains(line) {
            Issue.record("\(script).wast:\(line) no longer \(kind == "SPECFAIL" ? "fails" : "is refused"): remove it from \(list)")
        }
    }

    @Test("every command of the script passes, except the known failures and refusals listed with their reason", arguments: SpecScript.all)
    func script(_ script: SpecScript) throws {
        var runner = SpecRunner()
        let outcome = try runner.run(script)
        print("spec \(script.name): \(outcome.passed) passed, \(outcome.failures.count) failed, \(outcome.refused.count) refused, \(outcome.skipped.count) skipped")
        Self.compare(outcome.failures, with: Self.knownFailures[script.name] ?? [:], script: script.name, kind: "SPECFAIL", list: "known-failures.json")
        Self.compare(outcome.refused.map { ($0.line, $0.reason) }, with: Self.knownRefusals[script.name] ?? [:], script: script.name, kind: "SPECREFUSED", list: "known-refusals.json")
        #expect(outcome.passed + outcome.refused.count > 0, "no command of the script ran")
    }
}
