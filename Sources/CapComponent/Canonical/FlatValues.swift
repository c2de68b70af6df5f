// Cursors over the flat core values of a call: `CoreValueIter` and its lowering counterpart.
import WasmKit

/// Reads flat core values in order (`CoreValueIter`). The engine has already checked their
/// types against the core signature, which was derived from the same layouts.
struct FlatReader {
    let values: UnsafeBufferPointer<Value>
    var index = 0

    init(_ values: UnsafeBufferPointer<Value>) {
        self.values = values
    }

    @inline(__always)
    mutating func next() throws(ComponentTrap) -> Value {
        guard index < values.count else {
            throw ComponentTrap(.typeMismatch, "the core function passed fewer flat values than its signature requires")
        }
        defer { index += 1 }
        return values[index]
    }

    @inline(__always)
    mutating func nextI32() throws(ComponentTrap) -> UInt32 {
        switch try next() {
        case .i32(let value): value
        case let other: throw ComponentTrap(.typeMismatch, "expected an i32 core value, got \(other)")
        }
    }

    @inline(__always)
    mutating func nextI64() throws(ComponentTrap) -> UInt64 {
        switch try next() {
        case .i64(let value): value
        case let other: throw ComponentTrap(.typeMismatch, "expected an i64 core value, got \(other)")
        }
    }

    @inline(__always)
    mutating func nextF32() throws(ComponentTrap) -> UInt32 {
        switch try next() {
        case .f32(let value): value
        case let other: throw ComponentTrap(.typeMismatch, "expected an f32 core value, got \(other)")
        }
    }

    @inline(__always)
    mutating func nextF64() throws(ComponentTrap) -> UInt64 {
        switch try next() {
        case .f64(let value): value
        case let other: throw ComponentTrap(.typeMismatch, "expected an f64 core value, got \(other)")
        }
    }
}

/// Writes flat core values in order into a buffer sized from the core signature.
struct FlatWriter {
    let values: UnsafeMutableBufferPointer<Value>
    var index = 0

    init(_ values: UnsafeMutableBufferPointer<Value>) {
        self.values = values
    }

    @inline(__always)
    mutating func put(_ value: Value) throws(ComponentTrap) {
        guard index < values.count else {
            throw ComponentTrap(.typeMismatch, "a value produced more flat values than its type has")
        }
        values[index] = value
        index += 1
    }
}

/// The canonical NaNs that lifting produces (`CANONICAL_FLOAT32_NAN`, `CANONICAL_FLOAT64_NAN`).
/// Lowering uses them too: the deterministic profile of `maybe_scramble_nan`.
enum CanonicalNaN {
    static let f32: UInt32 = 0x7fc0_0000
    static let f64: UInt64 = 0x7ff8_0000_0000_0000

    @inline(__always)
    static func canonical(_ bits: UInt32) -> Float {
        let value = Float(bitPattern: bits)
        return value.isNaN ? Float(bitPattern: f32) : value
    }

    @inline(__always)
    static func canonical(_ bits: UInt64) -> Double {
        let value = Double(bitPattern: bits)
        return value.isNaN ? Double(bitPattern: f64) : value
    }

    @inline(__always)
    static func bits(_ value: Float) -> UInt32 { value.isNaN ? f32 : value.bitPattern }

    @inline(__always)
    static func bits(_ value: Double) -> UInt64 { value.isNaN ? f64 : value.bitPattern }
}
