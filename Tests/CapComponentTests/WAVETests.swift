// WAVE read by type and written back: the texts Wasmtime 49's `run --invoke` reads and prints.
import CapComponent
import Testing

private typealias ValueType = CapComponent.ValueType
private typealias FunctionType = CapComponent.FunctionType

private let color = ValueType.enum(["red", "green", "blue", "ok"])
private let shape = ValueType.variant([.init("circle", .f64), .init("none"), .init("named", .string)])
private let point = ValueType.record([.init("x", .s32), .init("y", .s32), .init("label", .option(.string))])
private let access = ValueType.flags(["read", "write", "exec"])

/// A text, the type it is read as, the value, and how it is written back when not as given.
struct WAVECase: Sendable, CustomTestStringConvertible {
    let text: String
    let type: CapComponent.ValueType
    let value: ComponentValue
    let written: String

    init(_ text: String, _ type: CapComponent.ValueType, _ value: ComponentValue, written: String? = nil) {
        (self.text, self.type, self.value, self.written) = (text, type, value, written ?? text)
    }

    var testDescription: String { "\(text) as \(type)" }
}

private let cases: [WAVECase] = [
    WAVECase("true", .bool, .bool(true)),
    WAVECase("-128", .s8, .s8(-128)),
    WAVECase("18446744073709551615", .u64, .u64(.max)),
    WAVECase("-9223372036854775808", .s64, .s64(.min)),
    // Floats as Rust's Display writes them (checked against `wasmtime run --invoke 'neg(…)'`).
    WAVECase("1.5", .f64, .f64(1.5)),
    WAVECase("1e-7", .f64, .f64(1e-7), written: "0.0000001"),
    WAVECase("1e300", .f64, .f64(1e300), written: "1" + String(repeating: "0", count: 300)),
    WAVECase("-0.0", .f64, .f64(-0.0), written: "-0"),
    WAVECase("100", .f64, .f64(100)),
    WAVECase("nan", .f64, .f64(.nan)),
    WAVECase("-inf", .f32, .f32(-.infinity)),
    WAVECase("0.1", .f32, .f32(0.1)),
    WAVECase("16777216", .f32, .f32(16_777_216)),
    WAVECase("'x'", .char, .char("x")),
    WAVECase("'\\''", .char, .char("'")),
    WAVECase("'\\u{1f600}'", .char, .char("\u{1F600}"), written: "'\u{1F600}'"),
    // Control, format and combining characters escaped, the rest as it is.
    WAVECase(#""hé\n\u{1b}\u{301}x\u{202e}""#, .string, .string("hé\n\u{1B}\u{301}x\u{202E}")),
    WAVECase(#""tab\there \"q\" \\ 'a'""#, .string, .string("tab\there \"q\" \\ 'a'"), written: #""tab\there \"q\" \\ \'a\'""#),
    WAVECase("[1, 2, 3,]", .list(.u16), .list([.u16(1), .u16(2), .u16(3)]), written: "[1, 2, 3]"),
    WAVECase("[]", .list(.string), .list([])),
    WAVECase("(\"a\", 1)", .tuple([.string, .u8]), .tuple([.string("a"), .u8(1)])),
    WAVECase("{y: 2, x: 1}", point, .record([.s32(1), .s32(2), .option(nil)]), written: "{x: 1, y: 2}"),
    WAVECase("{x: 1, y: -2, label: some(\"p\")}", point, .record([.s32(1), .s32(-2), .option(.string("p"))])),
    WAVECase("{:}", .record([.init("o", .option(.u8))]), .record([.option(nil)])),
    WAVECase("green", color, .enum(case: 1)),
    WAVECase("%ok", color, .enum(case: 3)),
    WAVECase("circle(2)", shape, .variant(case: 0, payload: .f64(2))),
    WAVECase("%none", shape, .variant(case: 1, payload: nil)),
    WAVECase("some(5)", .option(.u32), .option(.u32(5))),
    WAVECase("5", .option(.u32), .option(.u32(5)), written: "some(5)"),
    WAVECase("none", .option(.u32), .option(nil)),
    WAVECase("some(none)", .option(.option(.u8)), .option(.option(nil))),
    WAVECase("ok(3)", .result(ok: .u8, error: .string), .result(.success(.u8(3)))),
    WAVECase("3", .result(ok: .u8, error: .string), .result(.success(.u8(3))), written: "ok(3)"),
    WAVECase("err(\"no\")", .result(ok: .u8, error: .string), .result(.failure(.init(.string("no"))))),
    WAVECase("ok", .result(ok: nil, error: nil), .result(.success(nil))),
    WAVECase("{write, read}", access, .flags(["read", "write"]), written: "{read, write}"),
    WAVECase("{}", access, .flags([])),
    WAVECase("// a comment\n [ 1 ] ", .list(.u8), .list([.u8(1)]), written: "[1]"),
]

/// A text and a type it is not: each refused with a reason.
private let refusals: [(String, CapComponent.ValueType, String)] = [
    ("-1", .u32, "out of range"),
    ("256", .u8, "out of range"),
    ("1.5", .u32, "not an integer"),
    ("01", .u32, "does not start with 0"),
    ("1", .string, "is not a string"),
    ("purple", color, "not a case"),
    ("circle", shape, "needs a payload"),
    ("{x: 1}", point, "no value for its field y"),
    ("{x: 1, x: 2, y: 3}", point, "given twice"),
    ("{read, all}", access, "not one of the flags"),
    ("some(none)", .option(.u8), "is not a u8"),
    ("\"open", .string, "unterminated"),
    ("'ab'", .char, "one character"),
    ("\"\\q\"", .string, "unknown escape"),
    ("\"\\u{110000}\"", .string, "Unicode scalar"),
    ("[1, 2", .list(.u8), "expected `]`"),
    ("1 2", .u8, "after the value"),
    ("\"\"\"\nx\n\"\"\"", .string, "multi-line"),
]

@Suite("WAVE")
struct WAVETests {
    @Test("reads each text as its type and writes it back as Wasmtime does", arguments: cases)
    func readAndWrite(_ item: WAVECase) throws {
        let value = try WAVE.value(item.text, as: item.type)
        #expect(value == item.value)
        #expect(WAVE.text(value, as: item.type) == item.written)
        // What is written reads back as the same value.
        #expect(try WAVE.value(item.written, as: item.type) == item.value)
    }

    @Test("refuses text that is not WAVE or not of the type, saying why", arguments: refusals)
    func refuses(text: String, type: CapComponent.ValueType, reason: String) {
        #expect {
            _ = try WAVE.value(text, as: type)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test("a call: its name, qualified names, arguments typed by the function, trailing nones left out")
    func calls() throws {
        let add = FunctionType(parameters: [.init("a", .u32), .init("b", .u32)], result: .u32)
        #expect(try WAVE.Call("add(1, 2)").values(for: add) == [.u32(1), .u32(2)])
        #expect(try WAVE.Call(" add ( 1 , 2 , ) ").values(for: add) == [.u32(1), .u32(2)])
        #expect(throws: WAVEError.self) { try WAVE.Call("add(1)").values(for: add) }
        #expect(throws: WAVEError.self) { try WAVE.Call("add(1, 2, 3)").values(for: add) }
        #expect(throws: WAVEError.self) { try WAVE.Call("add") }
        #expect(throws: WAVEError.self) { try WAVE.Call("add(1) x") }
        #expect(throws: WAVEError.self) { try WAVE.Call("Add-me(1)") }
        #expect(throws: WAVEError.self) { try WAVE.Call("a:b/c.d@1.02.0()") }

        let optional = FunctionType(parameters: [.init("a", .u8), .init("b", .option(.u8)), .init("c", .option(.u8))], result: nil)
        #expect(try WAVE.Call("f(1)").values(for: optional) == [.u8(1), .option(nil), .option(nil)])
        // wasm-wave (and so Wasmtime) reads `f()` as no arguments at all, not omitted nones.
        let onlyOptional = FunctionType(parameters: [.init("a", .option(.u8))], result: nil)
        #expect(throws: WAVEError.self) { try WAVE.Call("f()").values(for: onlyOptional) }

        #expect(try WAVE.Call("run()").qualified == (nil, "run"))
        #expect(try WAVE.Call("wasi:cli/run.run@0.2.0()").qualified == ("wasi:cli/run@0.2.0", "run"))
        #expect(try WAVE.Call("my-iface.go()").qualified == ("my-iface", "go"))
        #expect(WAVE.text(returned: nil, of: FunctionType(parameters: [], result: nil)) == "()")
    }

    @Test("decimal: Rust's float Display, never an exponent")
    func decimal() {
        #expect(WAVE.decimal(1e20) == "100000000000000000000")
        #expect(WAVE.decimal(1.25e-5) == "0.0000125")
        #expect(WAVE.decimal(Float(3.4028235e38)) == "340282350000000000000000000000000000000")
        #expect(WAVE.decimal(Double.leastNonzeroMagnitude) == "0." + String(repeating: "0", count: 323) + "5")
        #expect(WAVE.decimal(Double.nan, nan: "NaN") == "NaN")
        #expect(WAVE.decimal(-Double.infinity) == "-inf")
        #expect(WAVE.decimal(123.456) == "123.456")
    }
}

@Suite("WAVE on random text")
struct WAVERandomTests {
    /// Text from WAVE's own alphabet, so that some of it parses: tokens, labels, numbers,
    /// quotes, escapes, and a few bytes WAVE has no use for.
    static func randomText(_ generator: inout some RandomNumberGenerator) -> String {
        let pieces = [
            "(", ")", "[", "]", "{", "}", ",", ":", " ", "'", "\"", "\\", "\\n", "\\u{41}", "\\u{", "%", "-", "0", "1", "42",
            "1.5", "e", "e+3", "nan", "inf", "-inf", "true", "false", "some", "none", "ok", "err", "red", "green", "x", "y",
            "label", "a-b", "//", "\n", "é", "\u{0}", "\u{202E}", "\"s\"", "'c'",
        ]
        return (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    static let types: [CapComponent.ValueType] = [
        .bool, .u8, .s64, .f64, .char, .string, .list(.u32), .tuple([.string, .s8]), .option(.result(ok: .u8, error: nil)),
        .record([.init("x", .s32), .init("y", .option(.string))]), .enum(["red", "green", "ok"]),
        .variant([.init("x", .u8), .init("y")]), .flags(["x", "y", "label"]), .option(.list(.char)),
    ]

    /// A random value of `type`.
    static func randomValue(_ type: CapComponent.ValueType, _ generator: inout some RandomNumberGenerator) -> ComponentValue {
        let scalars: [Unicode.Scalar] = ["a", "'", "\"", "\\", "\n", "\u{0}", "\u{1B}", "é", "\u{301}", "\u{202E}", "\u{1F600}", " "]
        func text() -> String {
            var view = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...4, using: &generator) { view.append(scalars.randomElement(using: &generator)!) }
            return String(view)
        }
        switch type {
        case .bool: return .bool(Bool.random(using: &generator))
        case .u8: return .u8(UInt8.random(in: .min ... .max, using: &generator))
        case .s8: return .s8(Int8.random(in: .min ... .max, using: &generator))
        case .s32: return .s32(Int32.random(in: .min ... .max, using: &generator))
        case .u32: return .u32(UInt32.random(in: .min ... .max, using: &generator))
        case .s64: return .s64(Int64.random(in: .min ... .max, using: &generator))
        case .f64:
            let special: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-7, 0.1]
            let value = Bool.random(using: &generator) ? special.randomElement(using: &generator)! : Double(bitPattern: UInt64.random(in: .min ... .max, using: &generator))
            // WAVE writes every NaN as `nan`, which reads back as the one quiet NaN.
            return .f64(value.isNaN ? .nan : value)
        case .char: return .char(scalars.randomElement(using: &generator)!)
        case .string: return .string(text())
        case .list(let element): return .list((0..<Int.random(in: 0...3, using: &generator)).map { _ in randomValue(element, &generator) })
        case .tuple(let elements): return .tuple(elements.map { randomValue($0, &generator) })
        case .record(let fields): return .record(fields.map { randomValue($0.type, &generator) })
        case .enum(let names): return .enum(case: Int.random(in: names.indices, using: &generator))
        case .variant(let cases):
            let index = Int.random(in: cases.indices, using: &generator)
            return .variant(case: index, payload: cases[index].type.map { randomValue($0, &generator) })
        case .option(let inner): return .option(Bool.random(using: &generator) ? randomValue(inner, &generator) : nil)
        case .result(let ok, let error):
            if Bool.random(using: &generator) { return .result(.success(ok.map { randomValue($0, &generator) })) }
            return .result(.failure(.init(error.map { randomValue($0, &generator) })))
        case .flags(let names): return .flags(Set(names.filter { _ in Bool.random(using: &generator) }))
        default: return .bool(false)
        }
    }

    @Test("random text is read or refused with a WAVEError, never anything else; what is read is written back and reads the same")
    func randomText() throws {
        var generator = SystemRandomNumberGenerator()
        var read = 0
        var refused = 0
        for round in 0..<20_000 {
            let type = Self.types.randomElement(using: &generator)!
            // Half the texts are a random value as written, the other half random tokens.
            var text = round.isMultiple(of: 2) ? WAVE.text(Self.randomValue(type, &generator), as: type) : Self.randomText(&generator)
            if round % 4 == 0, !text.isEmpty {
                // Some of the written ones cut short somewhere.
                text = String(text.prefix(Int.random(in: 0..<text.count, using: &generator)))
            }
            do {
                let value = try WAVE.value(text, as: type)
                read += 1
                #expect(try WAVE.value(WAVE.text(value, as: type), as: type) == value, "\(text.debugDescription) as \(type)")
            } catch {
                refused += 1
                #expect(!error.description.isEmpty)
            }
            _ = try? WAVE.Call("f(" + text + ")")
        }
        // The generator reaches both outcomes.
        #expect(read > 100 && refused > 100, "read \(read), refused \(refused)")
    }
}
