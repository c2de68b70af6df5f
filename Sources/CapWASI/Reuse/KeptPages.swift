// The zero pages a pooled memory keeps in place between runs, and how a restore zeroes the rest.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The pages outside a memory's image that its restores write with zeros where they are,
/// rather than give back to the kernel: at most a limit's worth, chosen among the pages found
/// in memory (`mincore`) and written when a restore surveys them, every ``surveyInterval``
/// restores.
///
/// A page given back (`MADV_DONTNEED`) reads as zeros, but the next run's first touch faults
/// it in again, and giving back a page in use flushes it from the TLB of every CPU the
/// process runs on; writing zeros into a page kept does neither (platform-facts.md has the
/// costs). Between surveys the kept pages are written and every other page is given back,
/// in memory or not, so every page outside the image reads zero after every restore whatever
/// a survey found: a page a run touches for the first time is given back and kept from the
/// next survey on, and a page swapped out (which `mincore` reports absent) is given back too.
///
/// Which pages stay in memory shows which pages earlier runs touched (a guest can time its
/// first accesses), so only instances that serve one owner keep any (``InstanceReuse``).
struct KeptPages {
    /// Byte offsets of the pages kept, ascending.
    private(set) var offsets: [Int] = []
    /// Restores left before the next survey; the first restore surveys.
    private var restoresUntilSurvey = 0

    /// Restores between two surveys: a survey asks about every page of the memory (about 6 µs
    /// for 16 MiB here); the restores between them ask nothing, they write the pages kept and
    /// give back the rest.
    static let surveyInterval = 64

    private static var pageSize: Int { MemoryImage.pageSize }

    /// Starts a restore that keeps at most `limit` bytes: whether it surveys, which starts the
    /// list of kept pages anew.
    mutating func beginRestore(limit: Int) -> Bool {
        guard limit >= Self.pageSize else {
            offsets.removeAll()
            return false
        }
        guard restoresUntilSurvey == 0 else {
            restoresUntilSurvey -= 1
            return false
        }
        restoresUntilSurvey = Self.surveyInterval - 1
        offsets.removeAll(keepingCapacity: true)
        return true
    }

    /// Zeroes `pages` (page-aligned byte offsets from `base`, none of them the image's, each
    /// range of one restore after the ones before it): the pages kept are written, every other
    /// page given back. A survey keeps, while `limit` allows, the pages it finds in memory.
    mutating func zero(_ base: UnsafeMutableRawPointer, _ pages: Range<Int>, limit: Int, surveying: Bool) {
        var given = pages.lowerBound  // Where the stretch to give back begins.
        var hasRoom: Bool { (offsets.count + 1) * Self.pageSize <= limit }
        func keep(_ page: Int) {
            Self.discard(base, given..<page)
            memset(base + page, 0, Self.pageSize)
            given = page + Self.pageSize
        }
        if surveying {
            var window = pages.lowerBound
            while window < pages.upperBound, hasRoom {
                let end = min(pages.upperBound, window + Self.surveyWindow)
                guard let resident = Self.resident(base, window..<end) else { break }
                // A page in memory that holds only zeros was read, not written (the kernel maps
                // its one zero page there), or written with zeros: not worth keeping.
                for page in resident where hasRoom && !MemoryImage.isZero(UnsafeRawBufferPointer(start: base + page, count: Self.pageSize)) {
                    keep(page)
                    offsets.append(page)
                }
                window = end
            }
        } else {
            let first = offsets.partitioningIndex { $0 >= pages.lowerBound }
            for page in offsets[first...] {
                guard page < pages.upperBound else { break }
                keep(page)
            }
        }
        Self.discard(base, given..<pages.upperBound)
    }

    /// Bytes asked about in one `mincore` call.
    private static var surveyWindow: Int { 1024 * pageSize }

    /// The offsets of the pages of `pages` that are in memory; `nil` if the kernel does not say.
    private static func resident(_ base: UnsafeMutableRawPointer, _ pages: Range<Int>) -> [Int]? {
        let count = pages.count / pageSize
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { vector -> [Int]? in
            guard let start = vector.baseAddress, mincore(base + pages.lowerBound, pages.count, start) == 0 else { return nil }
            return vector.indices.compactMap { vector[$0] & 1 != 0 ? pages.lowerBound + $0 * pageSize : nil }
        }
    }

    /// Gives `pages` (page-aligned) back to the kernel, or writes zeros if it refuses.
    private static func discard(_ base: UnsafeMutableRawPointer, _ pages: Range<Int>) {
        guard !pages.isEmpty, madvise(base + pages.lowerBound, pages.count, MADV_DONTNEED) != 0 else { return }
        memset(base + pages.lowerBound, 0, pages.count)
    }
}

extension Array where Element == Int {
    /// The index of the first element for which `belongs` holds, in an array sorted so that
    /// it holds for a suffix.
    fileprivate func partitioningIndex(where belongs: (Int) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
