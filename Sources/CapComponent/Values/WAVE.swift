// WAVE, the WebAssembly Value Encoding: component values as text, read by type and written back.

/// WAVE, the text encoding of component-model values that `wasmtime run --invoke` reads its
/// arguments in and writes results in (the `wasm-wave` crate of wasm-tools): `42`, `-1.5`,
/// `nan`, `'x'`, `"a\n"`, `[1, 2]`, `("a", 1)`, `{name: "x", size: 3}`, `some(1)` (or `1`),
/// `none`, `ok(1)` (or `1`), `err("no")`, `red`, `days(30)`, `{read, write}`, and calls
/// `name(argument, ...)`.
///
/// Reading is by type: a label is an enum case, a variant case or a flag only as the type says,
/// and an option or result may be written flat (`1` for `some(1)`) where its payload is not
/// itself an option or a result. Trailing `none` arguments of a call may be left out. Writing
/// follows wasm-wave's writer, so the text compares equal to Wasmtime's: floats in plain
/// decimal (`0.0000001`, never an exponent), control and non-printing characters in strings
/// as `\u{…}`, record fields that are `none` left out. Resources have no WAVE form; multi-line
/// strings (`"""`) are not read.
public enum WAVE {
    /// Reads `text` as one value of `type`.
    ///
    /// - Throws: ``WAVEError`` naming what is wrong and where (an offset in Unicode scalars).
    public static func value(_ text: String, as type: ValueType) throws(WAVEError) -> ComponentValue {
        var reader = Reader(text)
        let node = try reader.node()
        try reader.end()
        return try node.value(as: type)
    }

    /// Writes `value`, of `type`, as Wasmtime does.
    public static func text(_ value: ComponentValue, as type: ValueType) -> String {
        var output = ""
        write(value, as: type, to: &output)
        return output
    }

    /// Writes what a call of a function of `type` returned as `wasmtime run --invoke` prints
    /// it: the result, or `()` for a function without one.
    public static func text(returned value: ComponentValue?, of type: FunctionType) -> String {
        guard let resultType = type.result, let value else { return "()" }
        return text(value, as: resultType)
    }

    /// A function call in WAVE, `name(argument, ...)`: read once, its arguments typed when the
    /// function's type is known.
    public struct Call: Sendable {
        /// The function's name as written: `name`, `interface.name`, or
        /// `namespace:package/interface.name@1.2.3`.
        public let name: String
        private let arguments: [Node]
        private let argumentOffsets: [Int]

        /// Reads `text` as a call.
        ///
        /// - Throws: ``WAVEError`` for a name that is not a WIT name or arguments that are not WAVE.
        public init(_ text: String) throws(WAVEError) {
            var reader = Reader(text)
            name = try reader.functionName()
            (arguments, argumentOffsets) = try reader.arguments()
            try reader.end()
        }

        /// The interface the name qualifies (`namespace:package/interface@version`, or
        /// `interface`), and the function's own name.
        public var qualified: (interface: String?, function: String) {
            var name = Substring(self.name)
            var version = ""
            if let at = name.firstIndex(of: "@") {
                version = String(name[at...])
                name = name[..<at]
            }
            guard let dot = name.lastIndex(of: ".") else { return (nil, String(name)) }
            return (String(name[..<dot]) + version, String(name[name.index(after: dot)...]))
        }

        /// The arguments, read as the parameters of `type`; trailing `option` parameters
        /// left out are `none` (when at least one argument is given, as wasm-wave reads them).
        ///
        /// - Throws: ``WAVEError`` for too many or too few arguments, or one that is not of its
        ///   parameter's type.
        public func values(for type: FunctionType) throws(WAVEError) -> [ComponentValue] {
            // As wasm-wave reads `name()`: no arguments at all is no omitted `none`s.
            if arguments.isEmpty, let first = type.parameters.first {
                throw WAVEError("\(name) needs a value for its parameter \(first.name): \(first.type)", at: nil)
            }
            guard arguments.count <= type.parameters.count else {
                throw WAVEError(
                    "\(name) takes \(type.parameters.count) argument\(type.parameters.count == 1 ? "" : "s"), not \(arguments.count)",
                    at: argumentOffsets[type.parameters.count])
            }
            var values: [ComponentValue] = []
            for (index, parameter) in type.parameters.enumerated() {
                if index < arguments.count {
                    values.append(try arguments[index].value(as: parameter.type))
                } else if case .option = parameter.type {
                    values.append(.option(nil))
                } else {
                    throw WAVEError("\(name) needs a value for its parameter \(parameter.name): \(parameter.type)", at: nil)
                }
            }
            return values
        }
    }

    /// Plain decimal, as Rust's `Display` writes a float and hence Wasmtime: the shortest
    /// digits that read back as `value`, never an exponent (`1e-7` is `0.0000001`), `inf`,
    /// `-inf`, and `nan` spelled as given.
    public static func decimal(_ value: Double, nan: String = "nan") -> String {
        value.isNaN ? nan : plainDecimal(value.description)
    }

    /// ``decimal(_:nan:)`` for a 32-bit float: its own shortest digits.
    public static func decimal(_ value: Float, nan: String = "nan") -> String {
        value.isNaN ? nan : plainDecimal(value.description)
    }

    /// Swift's shortest round-trip text (`1.5`, `1e-07`, `1.0e+20`, `inf`) without its exponent.
    private static func plainDecimal(_ shortest: String) -> String {
        var text = Substring(shortest)
        let sign = text.first == "-" ? "-" : ""
        if sign == "-" { text = text.dropFirst() }
        guard text.first?.isNumber == true else { return sign + text }  // inf
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...].drop { $0 == "+" }) ?? 0
            text = text[..<e]
        }
        let point = text.firstIndex(of: ".")
        let whole = point.map { text[..<$0] } ?? text
        let fraction = point.map { text[text.index(after: $0)...] } ?? ""
        // The digits with the point after the first `pointAt` of them, leading and trailing zeros dropped.
        var digits = Array(whole + fraction)
        var pointAt = whole.count + exponent
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            pointAt -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        if digits == ["0"] { return sign + "0" }
        if pointAt <= 0 { return sign + "0." + String(repeating: "0", count: -pointAt) + String(digits) }
        if pointAt >= digits.count { return sign + String(digits) + String(repeating: "0", count: pointAt - digits.count) }
        return sign + String(digits[..<pointAt]) + "." + String(digits[pointAt...])
    }
}

/// Text that is not WAVE, or not of the type it is read as.
public struct WAVEError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String
    /// Where, in Unicode scalars from the start of the text, if at one place.
    public let offset: Int?

    init(_ message: String, at offset: Int?) {
        self.message = message
        self.offset = offset
    }

    public var description: String { offset.map { "\(message) (at \($0))" } ?? message }
}

// MARK: - Reading

extension WAVE {
    /// A value as written, before its type gives labels and numbers their meaning.
    indirect enum Node: Sendable {
        case number(String)
        /// A label or keyword; `escaped` when written with `%`, which makes it a label only.
        case label(String, escaped: Bool, payload: Node?)
        case char(Unicode.Scalar)
        case string(String)
        case tuple([Node])
        case list([Node])
        /// `{a: 1}`; `{:}` is the empty record.
        case record([(String, Node)])
        /// `{a, b}`; `{}` is read as flags or an empty record, whichever the type is.
        case flags([String])
    }

    /// A reader over the text's Unicode scalars.
    struct Reader {
        let scalars: [Unicode.Scalar]
        var position = 0

        init(_ text: String) {
            scalars = Array(text.unicodeScalars)
        }

        var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

        mutating func skipSpace() {
            while let scalar = current {
                if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                    position += 1
                } else if scalar == "/", position + 1 < scalars.count, scalars[position + 1] == "/" {
                    while let next = current, next != "\n" { position += 1 }
                } else {
                    return
                }
            }
        }

        mutating func end() throws(WAVEError) {
            skipSpace()
            if let scalar = current { throw WAVEError("unexpected `\(scalar.escaped(asASCII: false))` after the value", at: position) }
        }

        mutating func expect(_ scalar: Unicode.Scalar) throws(WAVEError) {
            skipSpace()
            guard current == scalar else {
                throw WAVEError("expected `\(scalar)`" + (current.map { ", found `\($0.escaped(asASCII: false))`" } ?? " at the end"), at: position)
            }
            position += 1
        }

        /// `namespace:package/interface.name@1.2.3`, each part optional but the name.
        mutating func functionName() throws(WAVEError) -> String {
            skipSpace()
            let start = position
            while let scalar = current, scalar != "(", scalar != " ", scalar != "\t", scalar != "\n" { position += 1 }
            let name = String(String.UnicodeScalarView(scalars[start..<position]))
            let pattern = Self.isFunctionName(name)
            guard pattern else { throw WAVEError("`\(Self.shown(name))` is not a function name (name, interface.name or ns:pkg/interface.name@1.0.0)", at: start) }
            return name
        }

        static func isFunctionName(_ name: String) -> Bool {
            var rest = Substring(name)
            if let at = rest.firstIndex(of: "@") {
                let version = rest[rest.index(after: at)...].split(separator: ".", omittingEmptySubsequences: false)
                guard version.count == 3, version.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } && !$0.isEmpty && ($0 == "0" || $0.first != "0") })
                else { return false }
                rest = rest[..<at]
            }
            if let slash = rest.firstIndex(of: "/") {
                let package = rest[..<slash].split(separator: ":", omittingEmptySubsequences: false)
                guard package.count == 2, package.allSatisfy({ isLabel($0) }) else { return false }
                rest = rest[rest.index(after: slash)...]
            }
            let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
            return (1...2).contains(parts.count) && parts.allSatisfy { isLabel($0) }
        }

        /// A WIT identifier: words of ASCII letters and digits joined by `-`, each word starting
        /// with a letter (the first) and in one case.
        static func isLabel(_ text: Substring) -> Bool {
            let words = text.split(separator: "-", omittingEmptySubsequences: false)
            for (index, word) in words.enumerated() {
                guard let first = word.first, first.isASCII, first.isLetter || (index > 0 && first.isNumber) else { return false }
                guard word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return false }
                let letters = word.filter(\.isLetter)
                guard letters.allSatisfy(\.isLowercase) || letters.allSatisfy(\.isUppercase) else { return false }
            }
            return true
        }

        static func shown(_ text: String) -> String {
            String(text.unicodeScalars.map { $0.escaped(asASCII: false) }.joined())
        }

        /// `( value, ... )` after a function name, with the offset of each value.
        mutating func arguments() throws(WAVEError) -> ([Node], [Int]) {
            try expect("(")
            var nodes: [Node] = []
            var offsets: [Int] = []
            while true {
                skipSpace()
                if current == ")" {
                    position += 1
                    return (nodes, offsets)
                }
                offsets.append(position)
                nodes.append(try node())
                skipSpace()
                if current == "," { position += 1 } else { try expect(")"); return (nodes, offsets) }
            }
        }

        /// Comma-separated values up to `close`, a trailing comma allowed.
        mutating func sequence(until close: Unicode.Scalar) throws(WAVEError) -> [Node] {
            var nodes: [Node] = []
            while true {
                skipSpace()
                if current == close {
                    position += 1
                    return nodes
                }
                nodes.append(try node())
                skipSpace()
                if current == "," { position += 1 } else { try expect(close); return nodes }
            }
        }

        mutating func node() throws(WAVEError) -> Node {
            skipSpace()
            let start = position
            guard let scalar = current else { throw WAVEError("expected a value, found the end", at: position) }
            switch scalar {
            case "(":
                position += 1
                return .tuple(try sequence(until: ")"))
            case "[":
                position += 1
                return .list(try sequence(until: "]"))
            case "{":
                position += 1
                return try braces()
            case "'":
                position += 1
                let value = try character(quote: "'")
                guard current == "'" else { throw WAVEError("a char holds one character", at: start) }
                position += 1
                return .char(value)
            case "\"":
                position += 1
                if current == "\"", position + 1 < scalars.count, scalars[position + 1] == "\"" {
                    throw WAVEError("multi-line strings are not supported", at: start)
                }
                var text = String.UnicodeScalarView()
                while current != "\"" { text.append(try character(quote: "\"")) }
                position += 1
                return .string(String(text))
            case "-", "0"..."9":
                return .number(try number())
            default:
                let escaped = scalar == "%"
                if escaped { position += 1 }
                let name = try label()
                if !escaped, name == "inf" || name == "nan" { return .number(name) }
                skipSpace()
                guard current == "(" else { return .label(name, escaped: escaped, payload: nil) }
                position += 1
                let payload = try node()
                try expect(")")
                return .label(name, escaped: escaped, payload: payload)
            }
        }

        /// After `{`: a record (`{a: 1}`, `{:}`) or flags (`{a, b}`, `{}`).
        mutating func braces() throws(WAVEError) -> Node {
            skipSpace()
            if current == ":" {
                position += 1
                try expect("}")
                return .record([])
            }
            var fields: [(String, Node)] = []
            var flags: [String] = []
            while true {
                skipSpace()
                if current == "}" {
                    position += 1
                    return fields.isEmpty ? .flags(flags) : .record(fields)
                }
                if current == "%" { position += 1 }
                let name = try label()
                skipSpace()
                if current == ":" {
                    guard flags.isEmpty else { throw WAVEError("a field in a set of flags", at: position) }
                    position += 1
                    fields.append((name, try node()))
                } else {
                    guard fields.isEmpty else { throw WAVEError("expected `:` after the field \(name)", at: position) }
                    flags.append(name)
                }
                skipSpace()
                if current == "," { position += 1 } else { try expect("}"); return fields.isEmpty ? .flags(flags) : .record(fields) }
            }
        }

        mutating func label() throws(WAVEError) -> String {
            let start = position
            while let scalar = current, scalar.isASCII, scalar == "-" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                position += 1
            }
            let text = String(String.UnicodeScalarView(scalars[start..<position]))
            guard !text.isEmpty, Self.isLabel(Substring(text)) else {
                throw WAVEError(text.isEmpty ? "expected a value" : "`\(text)` is not a label (kebab-case words)", at: start)
            }
            return text
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, or `-inf`.
        mutating func number() throws(WAVEError) -> String {
            let start = position
            func digits() -> Int {
                let from = position
                while let scalar = current, ("0"..."9").contains(scalar) { position += 1 }
                return position - from
            }
            if current == "-" { position += 1 }
            if current == "i" {
                _ = try label()
                let text = String(String.UnicodeScalarView(scalars[start..<position]))
                guard text == "-inf" else { throw WAVEError("`\(text)` is not a number", at: start) }
                return text
            }
            let integerStart = position
            guard digits() > 0 else { throw WAVEError("expected digits", at: position) }
            if scalars[integerStart] == "0", position - integerStart > 1 { throw WAVEError("a number does not start with 0", at: integerStart) }
            if current == "." {
                position += 1
                guard digits() > 0 else { throw WAVEError("expected digits after `.`", at: position) }
            }
            if current == "e" || current == "E" {
                position += 1
                if current == "+" || current == "-" { position += 1 }
                guard digits() > 0 else { throw WAVEError("expected the exponent's digits", at: position) }
            }
            return String(String.UnicodeScalarView(scalars[start..<position]))
        }

        /// One character of a char or string literal, escapes read.
        mutating func character(quote: Unicode.Scalar) throws(WAVEError) -> Unicode.Scalar {
            guard let scalar = current, scalar != "\n" else { throw WAVEError("unterminated \(quote == "'" ? "char" : "string")", at: position) }
            position += 1
            guard scalar == "\\" else {
                if scalar == quote, quote == "'" { throw WAVEError("an empty char", at: position - 1) }
                return scalar
            }
            guard let escape = current else { throw WAVEError("unterminated escape", at: position) }
            position += 1
            switch escape {
            case "'", "\"", "\\": return escape
            case "t": return "\t"
            case "n": return "\n"
            case "r": return "\r"
            case "u":
                let start = position - 2
                try expect("{")
                let digitsStart = position
                while let digit = current, digit.properties.isASCIIHexDigit { position += 1 }
                let hex = String(String.UnicodeScalarView(scalars[digitsStart..<position]))
                guard (1...6).contains(hex.count), current == "}", let value = UInt32(hex, radix: 16), let result = Unicode.Scalar(value) else {
                    throw WAVEError("\\u{…} takes 1 to 6 hexadecimal digits of a Unicode scalar value", at: start)
                }
                position += 1
                return result
            default:
                throw WAVEError("unknown escape \\\(escape.escaped(asASCII: false))", at: position - 2)
            }
        }
    }
}

extension WAVE.Node {
    /// The value this node means as `type`.
    func value(as type: ValueType) throws(WAVEError) -> ComponentValue {
        func mismatch() -> WAVEError { WAVEError("\(written) is not a \(type)", at: nil) }
        switch (type, self) {
        case (.bool, .label("true", false, nil)): return .bool(true)
        case (.bool, .label("false", false, nil)): return .bool(false)
        case (.s8, .number(let text)): return .s8(try integer(text, type))
        case (.u8, .number(let text)): return .u8(try integer(text, type))
        case (.s16, .number(let text)): return .s16(try integer(text, type))
        case (.u16, .number(let text)): return .u16(try integer(text, type))
        case (.s32, .number(let text)): return .s32(try integer(text, type))
        case (.u32, .number(let text)): return .u32(try integer(text, type))
        case (.s64, .number(let text)): return .s64(try integer(text, type))
        case (.u64, .number(let text)): return .u64(try integer(text, type))
        case (.f32, .number(let text)):
            guard let value = Float(text) else { throw mismatch() }
            return .f32(value)
        case (.f64, .number(let text)):
            guard let value = Double(text) else { throw mismatch() }
            return .f64(value)
        case (.char, .char(let scalar)): return .char(scalar)
        case (.string, .string(let text)): return .string(text)
        case (.list(let element), .list(let nodes)):
            var values: [ComponentValue] = []
            for node in nodes { values.append(try node.value(as: element)) }
            return .list(values)
        case (.tuple(let elements), .tuple(let nodes)):
            guard elements.count == nodes.count else { throw WAVEError("\(written) has \(nodes.count) elements, not the \(elements.count) of \(type)", at: nil) }
            var values: [ComponentValue] = []
            for (node, element) in zip(nodes, elements) { values.append(try node.value(as: element)) }
            return .tuple(values)
        case (.record(let fields), .record(let given)):
            return .record(try record(fields, given))
        case (.record(let fields), .flags([])):
            return .record(try record(fields, []))
        case (.flags(let names), .flags(let given)):
            for name in given where !names.contains(name) { throw WAVEError("\(name) is not one of the flags of \(type)", at: nil) }
            return .flags(Set(given))
        case (.enum(let names), .label(let name, _, nil)):
            guard let index = names.firstIndex(of: name) else { throw WAVEError("\(name) is not a case of \(type)", at: nil) }
            return .enum(case: index)
        case (.variant(let cases), .label(let name, _, let payload)):
            guard let index = cases.firstIndex(where: { $0.name == name }) else { throw WAVEError("\(name) is not a case of \(type)", at: nil) }
            switch (cases[index].type, payload) {
            case (nil, nil): return .variant(case: index, payload: nil)
            case (let payloadType?, let payload?): return .variant(case: index, payload: try payload.value(as: payloadType))
            case (nil, _?): throw WAVEError("the case \(name) of \(type) has no payload", at: nil)
            case (_?, nil): throw WAVEError("the case \(name) of \(type) needs a payload", at: nil)
            }
        case (.option, .label("none", false, nil)): return .option(nil)
        case (.option(let inner), .label("some", false, let payload?)): return .option(try payload.value(as: inner))
        case (.result(let ok, let error), .label(let name, false, let payload)) where name == "ok" || name == "err":
            let payloadType = name == "ok" ? ok : error
            let value: ComponentValue?
            switch (payloadType, payload) {
            case (nil, nil): value = nil
            case (let payloadType?, let payload?): value = try payload.value(as: payloadType)
            case (nil, _?): throw WAVEError("\(name) of \(type) has no payload", at: nil)
            case (_?, nil): throw WAVEError("\(name) of \(type) needs a payload", at: nil)
            }
            return .result(name == "ok" ? .success(value) : .failure(.init(value)))
        case (.option(let inner), _) where !inner.isOptionOrResult:
            return .option(try value(as: inner))
        case (.result(let ok?, _), _) where !ok.isOptionOrResult:
            return .result(.success(try value(as: ok)))
        case (.own, _), (.borrow, _):
            throw WAVEError("a resource handle (\(type)) cannot be written in WAVE", at: nil)
        default:
            throw mismatch()
        }
    }

    private func record(_ fields: [ValueType.Field], _ given: [(String, WAVE.Node)]) throws(WAVEError) -> [ComponentValue] {
        var byName: [String: WAVE.Node] = [:]
        for (name, node) in given {
            guard fields.contains(where: { $0.name == name }) else { throw WAVEError("\(name) is not a field of the record", at: nil) }
            guard byName.updateValue(node, forKey: name) == nil else { throw WAVEError("the field \(name) is given twice", at: nil) }
        }
        var values: [ComponentValue] = []
        for field in fields {
            if let node = byName[field.name] {
                values.append(try node.value(as: field.type))
            } else if case .option = field.type {
                values.append(.option(nil))
            } else {
                throw WAVEError("the record has no value for its field \(field.name): \(field.type)", at: nil)
            }
        }
        return values
    }

    private func integer<T: FixedWidthInteger>(_ text: String, _ type: ValueType) throws(WAVEError) -> T {
        guard let value = T(text) else {
            let isInteger = text.drop { $0 == "-" }.allSatisfy { $0.isASCII && $0.isNumber }
            throw WAVEError(isInteger ? "\(text) is out of range for \(type)" : "\(text) is not an integer (\(type))", at: nil)
        }
        return value
    }

    /// The node as it was written, roughly, for messages.
    var written: String {
        switch self {
        case .number(let text): text
        case .label(let name, let escaped, let payload): (escaped ? "%" : "") + name + (payload.map { "(\($0.written))" } ?? "")
        case .char(let scalar): "'\(scalar.escaped(asASCII: false))'"
        case .string(let text): "\"\(WAVE.Reader.shown(text))\""
        case .tuple(let nodes): "(\(nodes.map(\.written).joined(separator: ", ")))"
        case .list(let nodes): "[\(nodes.map(\.written).joined(separator: ", "))]"
        case .record(let fields): "{\(fields.map { "\($0.0): \($0.1.written)" }.joined(separator: ", "))}"
        case .flags(let names): "{\(names.joined(separator: ", "))}"
        }
    }
}

extension ValueType {
    fileprivate var isOptionOrResult: Bool {
        switch self {
        case .option, .result: true
        default: false
        }
    }
}

// MARK: - Writing

extension WAVE {
    static let keywords: Set<String> = ["true", "false", "some", "none", "ok", "err", "inf", "nan"]

    static func write(_ value: ComponentValue, as type: ValueType, to output: inout String) {
        func sequence(_ values: [ComponentValue], _ types: [ValueType], _ open: String, _ close: String) {
            output += open
            for (index, (element, elementType)) in zip(values, types).enumerated() {
                if index > 0 { output += ", " }
                write(element, as: elementType, to: &output)
            }
            output += close
        }
        func label(_ name: String) {
            if keywords.contains(name) { output += "%" }
            output += name
        }
        switch (value, type) {
        case (.bool(let value), _): output += value ? "true" : "false"
        case (.s8(let value), _): output += "\(value)"
        case (.u8(let value), _): output += "\(value)"
        case (.s16(let value), _): output += "\(value)"
        case (.u16(let value), _): output += "\(value)"
        case (.s32(let value), _): output += "\(value)"
        case (.u32(let value), _): output += "\(value)"
        case (.s64(let value), _): output += "\(value)"
        case (.u64(let value), _): output += "\(value)"
        case (.f32(let value), _): output += decimal(value)
        case (.f64(let value), _): output += decimal(value)
        case (.char(let scalar), _):
            output += "'"
            escape(scalar, to: &output)
            output += "'"
        case (.string(let text), _):
            output += "\""
            for scalar in text.unicodeScalars { escape(scalar, to: &output) }
            output += "\""
        case (.list(let elements), .list(let element)): sequence(elements, Array(repeating: element, count: elements.count), "[", "]")
        case (.bytes(let bytes), _): output += "[\(bytes.map(\.description).joined(separator: ", "))]"
        case (.tuple(let elements), .tuple(let types)): sequence(elements, types, "(", ")")
        case (.record(let values), .record(let fields)):
            output += "{"
            var first = true
            for (value, field) in zip(values, fields) where value != .option(nil) {
                output += first ? "" : ", "
                first = false
                output += field.name + ": "
                write(value, as: field.type, to: &output)
            }
            output += first ? ":}" : "}"
        case (.variant(let index, let payload), .variant(let cases)) where cases.indices.contains(index):
            label(cases[index].name)
            if let payload, let payloadType = cases[index].type {
                output += "("
                write(payload, as: payloadType, to: &output)
                output += ")"
            }
        case (.enum(let index), .enum(let names)) where names.indices.contains(index): label(names[index])
        case (.option(let inner), .option(let innerType)):
            if let inner {
                output += "some("
                write(inner, as: innerType, to: &output)
                output += ")"
            } else {
                output += "none"
            }
        case (.result(let result), .result(let ok, let error)):
            let (name, payload, payloadType) =
                switch result {
                case .success(let value): ("ok", value, ok)
                case .failure(let failure): ("err", failure.value, error)
                }
            output += name
            if let payload, let payloadType {
                output += "("
                write(payload, as: payloadType, to: &output)
                output += ")"
            }
        case (.flags(let set), .flags(let names)): output += "{" + names.filter(set.contains).joined(separator: ", ") + "}"
        default:
            // A value that does not fit its type, or a handle: the untyped form.
            output += value.description
        }
    }

    /// As wasm-wave writes a character: `\\ \" \' \t \r \n` escaped, other control
    /// characters and what Rust does not print (format, separator, private-use, unassigned,
    /// combining) as `\u{…}`.
    static func escape(_ scalar: Unicode.Scalar, to output: inout String) {
        switch scalar {
        case "\\": output += "\\\\"
        case "\"": output += "\\\""
        case "'": output += "\\'"
        case "\t": output += "\\t"
        case "\r": output += "\\r"
        case "\n": output += "\\n"
        default:
            let properties = scalar.properties
            let hidden: Bool
            switch properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: hidden = true
            case .spaceSeparator: hidden = scalar != " "
            default: hidden = properties.isGraphemeExtend
            }
            if hidden {
                output += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
    }
}
