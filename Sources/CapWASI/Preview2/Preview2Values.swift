// Reading WASI 0.2 arguments out of ComponentValues and building results.
import CapComponent

/// A host function was called with arguments its WASI type does not allow; the guest traps.
struct Preview2Trap: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension FilesystemErrorCode {
    /// The `error-code` as a component value: the WIT's case order is the enum's.
    var value: ComponentValue { .enum(case: rawValue) }
}

extension ComponentValue {
    /// `ok(payload)` of a `result`.
    static func ok(_ payload: ComponentValue? = nil) -> ComponentValue { .result(.success(payload)) }

    /// `err(payload)` of a `result`.
    static func err(_ payload: ComponentValue?) -> ComponentValue { .result(.failure(ResultError(payload))) }

    /// `err(code)` of a `result<_, error-code>`.
    static func err(_ code: FilesystemErrorCode) -> ComponentValue { .err(code.value) }
}

/// The arguments of one host call, read by position with the type the WIT gives them.
struct Arguments {
    let values: [ComponentValue]
    let function: String

    init(_ values: [ComponentValue], _ function: String) {
        self.values = values
        self.function = function
    }

    private func mismatch(_ index: Int, _ expected: String) -> Preview2Trap {
        let got = index < values.count ? String(describing: values[index]).prefix(40) : "nothing"
        return Preview2Trap("\(function): argument \(index) should be \(expected), got \(got)")
    }

    /// The representation of an `own` or `borrow` handle.
    func handle(_ index: Int) throws(Preview2Trap) -> UInt32 {
        guard index < values.count else { throw mismatch(index, "a handle") }
        switch values[index] {
        case .own(let handle), .borrow(let handle): return handle.representation
        default: throw mismatch(index, "a handle")
        }
    }

    func u64(_ index: Int) throws(Preview2Trap) -> UInt64 {
        guard index < values.count, case .u64(let value) = values[index] else { throw mismatch(index, "a u64") }
        return value
    }

    func u32(_ index: Int) throws(Preview2Trap) -> UInt32 {
        guard index < values.count, case .u32(let value) = values[index] else { throw mismatch(index, "a u32") }
        return value
    }

    func u8(_ index: Int) throws(Preview2Trap) -> UInt8 {
        guard index < values.count, case .u8(let value) = values[index] else { throw mismatch(index, "a u8") }
        return value
    }

    func string(_ index: Int) throws(Preview2Trap) -> String {
        guard index < values.count, case .string(let value) = values[index] else { throw mismatch(index, "a string") }
        return value
    }

    func flags(_ index: Int) throws(Preview2Trap) -> Set<String> {
        guard index < values.count, case .flags(let value) = values[index] else { throw mismatch(index, "flags") }
        return value
    }

    func enumCase(_ index: Int) throws(Preview2Trap) -> Int {
        guard index < values.count, case .enum(let value) = values[index] else { throw mismatch(index, "an enum") }
        return value
    }

    func bytes(_ index: Int) throws(Preview2Trap) -> [UInt8] {
        guard index < values.count else { throw mismatch(index, "a list<u8>") }
        switch values[index] {
        case .bytes(let bytes): return bytes
        case .list(let elements):
            var bytes: [UInt8] = []
            bytes.reserveCapacity(elements.count)
            for case .u8(let byte) in elements { bytes.append(byte) }
            guard bytes.count == elements.count else { throw mismatch(index, "a list<u8>") }
            return bytes
        default: throw mismatch(index, "a list<u8>")
        }
    }

    func value(_ index: Int) throws(Preview2Trap) -> ComponentValue {
        guard index < values.count else { throw mismatch(index, "a value") }
        return values[index]
    }
}
