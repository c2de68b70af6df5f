// Which export of a preview 1 module a run calls: a command's `_start`, a reactor's, or one named.
import CapComponent
import WasmKit

/// Which export of a module a run calls, as `wasmtime run` chooses it.
///
/// Either way, a module exporting `_initialize` (a *reactor*) has it called first, once per
/// run (a reused instance is put back to its state before `_initialize`, so each run
/// initializes its own).
public enum ModuleEntry: Sendable, Hashable {
    /// The default export `""` if the module has one, else `_start`; a reactor with neither is
    /// only initialized. Parameters of the default export are read from the guest's arguments,
    /// as with ``function(_:arguments:)``.
    case command
    /// The export `name`, its parameters read from `arguments` as `wasmtime run --invoke`
    /// reads them: `i32` and `i64` in decimal or `0x` hexadecimal, `f32` and `f64` as decimal
    /// floats, `inf` or `nan`; extra arguments are ignored (the guest sees them as its
    /// arguments too). What it returns is in ``WASIRunResult/returnedValues``.
    case function(String, arguments: [String] = [])
}

/// The functions a module's run calls, found once per instance.
struct ModuleEntryPoints {
    let initialize: Function?
    /// The function called after `_initialize`, and its name; `nil` for a reactor that has
    /// only `_initialize`.
    let main: (name: String, function: Function)?
    /// Where the main function's arguments come from; `nil` for the guest's own arguments.
    let arguments: [String]?

    /// Finds `entry`'s functions among `instance`'s exports.
    ///
    /// - Throws: ``WASIRunError/missingStart`` for a module with no entry at all,
    ///   ``WASIRunError/missingExport(_:)`` for a named function it does not export, and
    ///   ``WASIRunError/instantiation(_:)`` for an `_initialize` that takes or returns values.
    init(_ entry: ModuleEntry, of instance: Instance) throws(WASIRunError) {
        initialize = instance.exports[function: "_initialize"]
        if let initialize, !initialize.type.parameters.isEmpty || !initialize.type.results.isEmpty {
            throw .instantiation("_initialize must take and return nothing, not \(initialize.type)")
        }
        switch entry {
        case .command:
            let name = instance.exports[function: ""] != nil ? "" : "_start"
            main = instance.exports[function: name].map { (name, $0) }
            arguments = nil
            guard main != nil || initialize != nil else { throw .missingStart }
        case .function(let name, let given):
            guard let function = instance.exports[function: name] else {
                let functions = instance.exports.compactMap { export -> String? in
                    guard case .function = export.value else { return nil }
                    return export.name
                }.sorted().map { $0.isEmpty ? "the default export" : $0 }
                throw .missingExport(
                    "the module exports no function \(name) (its functions: \(functions.isEmpty ? "none" : functions.joined(separator: ", ")))")
            }
            main = (name, function)
            arguments = given
        }
    }

    /// The main function's parameters read from `texts` as `wasmtime run --invoke` reads them.
    static func values(_ texts: some Collection<String>, for function: Function, named name: String) throws(WASIRunError) -> [Value] {
        let shown = name.isEmpty ? "the default export" : name
        var values: [Value] = []
        var texts = texts.makeIterator()
        for (index, type) in function.type.parameters.enumerated() {
            guard let text = texts.next() else {
                let parameters = function.type.parameters.map(\.description).joined(separator: ", ")
                throw .invalidArguments("\(shown) takes \(function.type.parameters.count) arguments (\(parameters)), given \(index)")
            }
            let value: Value? =
                switch type {
                case .i32: (integer(text) as Int32?).map { .i32(UInt32(bitPattern: $0)) }
                case .i64: (integer(text) as Int64?).map { .i64(UInt64(bitPattern: $0)) }
                case .f32: (float(text) as Float?).map { .f32($0.bitPattern) }
                case .f64: (float(text) as Double?).map { .f64($0.bitPattern) }
                default: nil
                }
            guard let value else {
                let accepted = [.i32, .i64, .f32, .f64].contains(type)
                throw .invalidArguments(
                    accepted
                        ? "argument \(index + 1) of \(shown), `\(text)`, is not an \(type)"
                        : "\(shown) takes a \(type) (argument \(index + 1)): only i32, i64, f32 and f64 can be given")
            }
            values.append(value)
        }
        return values
    }

    /// Decimal with an optional sign, or `0x` hexadecimal, as Rust reads them.
    private static func integer<T: FixedWidthInteger & SignedInteger>(_ text: String) -> T? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return T(text.dropFirst(2), radix: 16) }
        return T(text, radix: 10)
    }

    /// Decimal floats, `inf`, `infinity` and `nan` in any case, with an optional sign; not
    /// Swift's hexadecimal floats, which Rust does not read.
    private static func float<T: BinaryFloatingPoint & LosslessStringConvertible>(_ text: String) -> T? {
        let unsigned = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !unsigned.lowercased().hasPrefix("0x"), !unsigned.contains("(") else { return nil }
        return T(text) ?? T(text.lowercased())
    }

    /// A returned value as `wasmtime run --invoke` prints it.
    static func text(_ value: Value) -> String {
        switch value {
        case .i32(let bits): "\(Int32(bitPattern: bits))"
        case .i64(let bits): "\(Int64(bitPattern: bits))"
        case .f32(let bits): WAVE.decimal(Float(bitPattern: bits), nan: "NaN")
        case .f64(let bits): WAVE.decimal(Double(bitPattern: bits), nan: "NaN")
        case .v128(let vector): "\(vector.bytes.reversed().reduce(UInt128(0)) { $0 << 8 | UInt128($1) })"
        case .ref(.function(let address)): address == nil ? "<null funcref>" : "<funcref>"
        case .ref(.extern(let address)): address == nil ? "<null externref>" : "<externref>"
        case .ref(.exception(let address)): address == nil ? "<null exnref>" : "<exnref>"
        }
    }
}
