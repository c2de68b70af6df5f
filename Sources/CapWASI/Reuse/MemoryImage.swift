// Linear memory as instantiation leaves it, kept as its non-zero pages, and the way back to it.
import WasmKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The contents of one linear memory just after instantiation: its size and the host pages that
/// hold anything but zeros (a C program's 16 MiB memory has a few pages of data in it).
///
/// Instances of a module without a start function all begin with the same image, so one image
/// serves every instance of a pool.
final class MemoryImage: Sendable {
    /// The host's page size: the unit of the scan and of discarding.
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    private static let zeroPage = [UInt8](repeating: 0, count: pageSize)

    let byteCount: Int
    /// Page-aligned stretches of non-zero pages and their bytes, in address order.
    let stretches: [(range: Range<Int>, bytes: [UInt8])]

    init(of memory: Memory) {
        byteCount = memory.byteCount
        stretches = memory.withUnsafeBufferPointer(offset: 0, count: byteCount) { bytes in
            var ranges: [Range<Int>] = []
            for start in stride(from: 0, to: bytes.count, by: Self.pageSize) {
                let end = min(start + Self.pageSize, bytes.count)
                guard !Self.isZero(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) else { continue }
                if let last = ranges.last, last.upperBound == start {
                    ranges[ranges.count - 1] = last.lowerBound..<end
                } else {
                    ranges.append(start..<end)
                }
            }
            return ranges.map { ($0, Array(bytes[$0])) }
        }
    }

    /// Bytes the image holds.
    var storedBytes: Int { stretches.reduce(0) { $0 + $1.bytes.count } }

    /// Writes the image back into `memory`: every page outside the stretches, including memory
    /// grown since, becomes zero, discarded to the kernel where `discarding` is set, but for the
    /// pages `kept` keeps (at most `keepingResident` bytes), written with zeros in place.
    func restore(into memory: Memory, discarding: Bool, keeping kept: inout KeptPages, keepingResident limit: Int) {
        memory.withUnsafeMutableBufferPointer(offset: 0, count: memory.byteCount) { bytes in
            guard let base = bytes.baseAddress else { return }
            let surveying = discarding && kept.beginRestore(limit: limit)
            func zero(_ range: Range<Int>) {
                guard !range.isEmpty else { return }
                // Only whole host pages can be discarded; the stretches are page-aligned and the
                // memory a multiple of 64 KiB, so only a host page above 64 KiB would leave an
                // edge to clear.
                let pages = range.lowerBound.roundedUp(to: Self.pageSize)..<range.upperBound.roundedDown(to: Self.pageSize)
                guard discarding, !pages.isEmpty else {
                    memset(base + range.lowerBound, 0, range.count)
                    return
                }
                memset(base + range.lowerBound, 0, pages.lowerBound - range.lowerBound)
                memset(base + pages.upperBound, 0, range.upperBound - pages.upperBound)
                kept.zero(base, pages, limit: limit, surveying: surveying)
            }
            var cursor = 0
            for stretch in stretches {
                zero(cursor..<stretch.range.lowerBound)
                stretch.bytes.withUnsafeBytes { image in
                    _ = memcpy(base + stretch.range.lowerBound, image.baseAddress!, image.count)
                }
                cursor = stretch.range.upperBound
            }
            zero(cursor..<bytes.count)
        }
    }

    /// Whether `memory` holds exactly the image, and zeros past it.
    func matches(_ memory: Memory) -> Bool {
        memory.withUnsafeBufferPointer(offset: 0, count: memory.byteCount) { bytes in
            var cursor = 0
            for stretch in stretches {
                guard Self.isZero(UnsafeRawBufferPointer(rebasing: bytes[cursor..<stretch.range.lowerBound])),
                    stretch.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress! + stretch.range.lowerBound, $0.count) }) == 0
                else { return false }
                cursor = stretch.range.upperBound
            }
            return Self.isZero(UnsafeRawBufferPointer(rebasing: bytes[cursor...]))
        }
    }

    /// Whether `MADV_DONTNEED` makes pages of `memory` read back as zeros, as it does for the
    /// private anonymous memory WasmKit 0.4.2 allocates (an `mmap` reservation, or `calloc`),
    /// and not for a shared mapping, whose pages it would only unmap.
    ///
    /// Tried on the memory itself: a page past the image is set, discarded and read back.
    func discardingZeroes(_ memory: Memory) -> Bool {
        guard !memory.type.shared else { return false }
        return memory.withUnsafeMutableBufferPointer(offset: 0, count: memory.byteCount) { bytes in
            guard let base = bytes.baseAddress, Int(bitPattern: base) % Self.pageSize == 0 else { return false }
            let lastPage = (bytes.count / Self.pageSize - 1) * Self.pageSize
            guard lastPage >= (stretches.last?.range.upperBound ?? 0) else { return false }
            let probe = base + lastPage
            probe.storeBytes(of: 0xA5, as: UInt8.self)
            let discarded = madvise(probe, Self.pageSize, MADV_DONTNEED) == 0
            let zeroed = probe.load(as: UInt8.self) == 0
            if !zeroed { probe.storeBytes(of: 0, as: UInt8.self) }
            return discarded && zeroed
        }
    }

    /// Whether `bytes` are all zero.
    static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = min(pageSize, bytes.count - offset)
            if zeroPage.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress! + offset, count) }) != 0 { return false }
            offset += count
        }
        return true
    }
}

extension Int {
    fileprivate func roundedUp(to alignment: Int) -> Int { (self + alignment - 1) / alignment * alignment }
    fileprivate func roundedDown(to alignment: Int) -> Int { self / alignment * alignment }
}
