// Bounds-checked reading of LEB128 integers, names and vectors from a component binary.

/// A cursor over part of a binary. Every read checks the remaining bytes and throws a
/// ``ComponentError`` naming the section and absolute offset; nothing here can trap on input.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int
    /// The section being read, for messages.
    var section: String

    init(bytes: [UInt8], offset: Int = 0, end: Int? = nil, section: String) {
        self.bytes = bytes
        self.offset = offset
        self.end = min(end ?? bytes.count, bytes.count)
        self.section = section
    }

    var isAtEnd: Bool { offset >= end }
    var remaining: Int { max(0, end - offset) }

    func error(_ message: String, code: ComponentError.Code = .malformed, at position: Int? = nil) -> ComponentError {
        ComponentError(code, message, section: section, offset: position ?? offset)
    }

    func unsupported(_ message: String, at position: Int? = nil) -> ComponentError {
        error(message, code: .unsupported, at: position)
    }

    mutating func byte() throws -> UInt8 {
        guard offset < end else { throw error("unexpected end of data") }
        let value = bytes[offset]
        offset += 1
        return value
    }

    func peek() throws -> UInt8 {
        guard offset < end else { throw error("unexpected end of data") }
        return bytes[offset]
    }

    mutating func expect(_ expected: UInt8, _ what: String) throws {
        let start = offset
        let value = try byte()
        guard value == expected else {
            throw error("expected \(what) (0x\(hex(expected))), found 0x\(hex(value))", at: start)
        }
    }

    mutating func u32() throws -> UInt32 {
        let start = offset
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let value = try byte()
            if shift == 28 && value & 0x70 != 0 {
                throw error("integer too large for u32", at: start)
            }
            result |= UInt32(value & 0x7f) << shift
            if value & 0x80 == 0 { return result }
            shift += 7
            if shift > 28 { throw error("integer representation too long", at: start) }
        }
    }

    /// A `u32` used as a count of items each at least `minimumSize` bytes long: bounded by the
    /// bytes that remain, so that a hostile count cannot make the reader reserve memory.
    mutating func count(minimumSize: Int = 1) throws -> Int {
        let start = offset
        let value = Int(try u32())
        guard value <= remaining / max(minimumSize, 1) else {
            throw error("count \(value) exceeds the remaining \(remaining) bytes", at: start)
        }
        return value
    }

    mutating func bytes(_ length: Int) throws -> ArraySlice<UInt8> {
        guard length >= 0, length <= remaining else {
            throw error("length \(length) exceeds the remaining \(remaining) bytes")
        }
        let slice = bytes[offset..<(offset + length)]
        offset += length
        return slice
    }

    mutating func name() throws -> String {
        let start = offset
        let length = Int(try u32())
        let raw = try bytes(length)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw error("name is not valid UTF-8", at: start)
        }
        return text
    }

    mutating func vector<T>(minimumSize: Int = 1, _ element: (inout ByteReader) throws -> T) throws -> [T] {
        let count = try count(minimumSize: minimumSize)
        var result: [T] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            result.append(try element(&self))
        }
        return result
    }
}

func hex(_ value: UInt8) -> String {
    let digits = String(value, radix: 16)
    return digits.count == 1 ? "0" + digits : digits
}
