// The only way CapWASI touches guest memory: every pointer and length is checked first.
import CapStd
import WasmKit

/// A guest's linear memory, seen through bounds checks.
///
/// WasmKit aborts the whole process on an out-of-range access from a host function, so every
/// access here first checks `pointer + length <= size` in 64-bit arithmetic and fails with
/// `ERRNO_FAULT` instead.
struct GuestMemory {
    let memory: Memory

    /// The byte offset of `length` bytes at `pointer`, or `FAULT` if they are not all inside.
    @inline(__always)
    func checked(_ pointer: UInt32, _ length: UInt64) throws(WASIErrno) -> UInt {
        guard UInt64(pointer) + length <= UInt64(memory.byteCount) else { throw .fault }
        return UInt(pointer)
    }

    func withBytes<R>(
        at pointer: UInt32, count: UInt32, _ body: (UnsafeRawBufferPointer) throws(WASIErrno) -> R
    ) throws(WASIErrno) -> R {
        let offset = try checked(pointer, UInt64(count))
        return try memory.withUnsafeBufferPointer(offset: offset, count: Int(count)) { buffer in
            Result(catching: { () throws(WASIErrno) in try body(buffer) })
        }.get()
    }

    @discardableResult
    func withMutableBytes<R>(
        at pointer: UInt32, count: UInt32, _ body: (UnsafeMutableRawBufferPointer) throws(WASIErrno) -> R
    ) throws(WASIErrno) -> R {
        let offset = try checked(pointer, UInt64(count))
        return try memory.withUnsafeMutableBufferPointer(offset: offset, count: Int(count)) { buffer in
            Result(catching: { () throws(WASIErrno) in try body(buffer) })
        }.get()
    }

    func bytes(at pointer: UInt32, count: UInt32) throws(WASIErrno) -> [UInt8] {
        try withBytes(at: pointer, count: count) { Array($0) }
    }

    func store(_ bytes: some Collection<UInt8>, at pointer: UInt32) throws(WASIErrno) {
        try withMutableBytes(at: pointer, count: UInt32(bytes.count)) { buffer in buffer.copyBytes(from: bytes) }
    }

    func load<T: FixedWidthInteger>(_: T.Type, at pointer: UInt32) throws(WASIErrno) -> T {
        try withBytes(at: pointer, count: UInt32(MemoryLayout<T>.size)) { T(littleEndian: $0.loadUnaligned(as: T.self)) }
    }

    func store<T: FixedWidthInteger>(_ value: T, at pointer: UInt32) throws(WASIErrno) {
        try withMutableBytes(at: pointer, count: UInt32(MemoryLayout<T>.size)) { buffer in
            buffer.storeBytes(of: value.littleEndian, toByteOffset: 0, as: T.self)
        }
    }

    /// The `(buf, buf_len)` pairs of an iovec array, each checked to lie inside memory.
    func ioVectors(at pointer: UInt32, count: UInt32) throws(WASIErrno) -> [(pointer: UInt32, length: UInt32)] {
        _ = try checked(pointer, UInt64(count) * 8)
        var vectors: [(pointer: UInt32, length: UInt32)] = []
        vectors.reserveCapacity(Int(count))
        for index in 0..<count {
            let base = pointer + index * 8
            let buffer = try load(UInt32.self, at: base)
            let length = try load(UInt32.self, at: base + 4)
            _ = try checked(buffer, UInt64(length))
            vectors.append((buffer, length))
        }
        return vectors
    }

    /// A guest path: raw bytes, never truncated at a NUL (CapStd refuses those with `EINVAL`).
    func path(at pointer: UInt32, length: UInt32) throws(WASIErrno) -> RawPath {
        RawPath(bytes: try bytes(at: pointer, count: length))
    }
}
