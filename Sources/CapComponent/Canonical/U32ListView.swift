// A list<u32> argument seen where it lies in guest memory.

/// The elements of a `list<u32>` argument read in place (``ComponentArguments/withU32List(_:)``):
/// each element is loaded, little-endian as the canonical ABI stores it, when it is read.
///
/// Valid only inside the closure it was given to: it points into guest memory.
public struct U32ListView: RandomAccessCollection {
    /// The list's bytes, 4 per element.
    let bytes: UnsafeRawBufferPointer

    public var startIndex: Int { 0 }
    public var endIndex: Int { bytes.count / 4 }

    public subscript(position: Int) -> UInt32 {
        precondition(position >= 0 && position < endIndex, "index \(position) out of a list of \(endIndex) u32 elements")
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * position, as: UInt32.self))
    }
}
