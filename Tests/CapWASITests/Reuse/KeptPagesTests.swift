// The pages a pooled memory keeps in place between runs: zeroed every restore, and the others given back.
@testable import CapWASI
import Glibc
import Testing
import WAT
import WasmKit

@Suite("Kept pages")
struct KeptPagesTests {
    /// A 4 MiB memory with one page of data in its middle, and its image.
    private static func memory() throws -> (memory: Memory, image: MemoryImage) {
        let module = try parseWasm(bytes: wat2wasm(#"(module (memory (export "memory") 64) (data (i32.const 0x200000) "image"))"#))
        let instance = try module.instantiate(store: Store(engine: Engine()))
        let memory = try #require(instance.exports[memory: "memory"])
        return (memory, MemoryImage(of: memory))
    }

    private static let page = MemoryImage.pageSize

    /// Writes a byte into each page at `offsets`.
    private static func touch(_ memory: Memory, _ offsets: [Int]) {
        memory.withUnsafeMutableBufferPointer(offset: 0, count: memory.byteCount) { bytes in
            for offset in offsets { bytes[offset + 7] = 0xA5 }
        }
    }

    /// Whether each page at `offsets` is in memory.
    private static func resident(_ memory: Memory, _ offsets: [Int]) -> [Bool] {
        memory.withUnsafeMutableBufferPointer(offset: 0, count: memory.byteCount) { bytes in
            offsets.map { offset in
                var vector: UInt8 = 0
                return mincore(bytes.baseAddress! + offset, page, &vector) == 0 && vector & 1 != 0
            }
        }
    }

    @Test("a survey keeps the touched pages the limit allows; later restores zero them in place and give every other page back")
    func keepsAndZeroes() throws {
        let (memory, image) = try Self.memory()
        try #require(image.discardingZeroes(memory), "WasmKit's memory should be private anonymous pages")
        let page = Self.page
        var kept = KeptPages()
        image.restore(into: memory, discarding: true, keeping: &kept, keepingResident: 0)
        // Pages below and above the image; a limit of three pages keeps the first three.
        let touched = [page, 5 * page, 0x1F_F000 - page, 0x20_1000, 0x30_0000]
        Self.touch(memory, touched)
        image.restore(into: memory, discarding: true, keeping: &kept, keepingResident: 3 * page)
        // Residency first: reading a page given back maps the zero page into it.
        #expect(Self.resident(memory, touched) == [true, true, true, false, false])
        #expect(image.matches(memory))
        #expect(kept.offsets == Array(touched.prefix(3)))

        // Between surveys: kept pages and new ones written again, all zero after the restore;
        // only the kept stay in memory.
        for _ in 1..<KeptPages.surveyInterval {
            Self.touch(memory, touched + [9 * page])
            image.restore(into: memory, discarding: true, keeping: &kept, keepingResident: 3 * page)
            #expect(Self.resident(memory, touched + [9 * page]) == [true, true, true, false, false, false])
            #expect(image.matches(memory))
        }
        #expect(kept.offsets == Array(touched.prefix(3)))

        // The next survey keeps what the last run wrote, not what was only read (every page,
        // by the checks above) or is still zero since the last restore.
        Self.touch(memory, [9 * page, 0x30_0000])
        image.restore(into: memory, discarding: true, keeping: &kept, keepingResident: 3 * page)
        #expect(Self.resident(memory, touched + [9 * page]) == [false, false, false, false, true, true])
        #expect(image.matches(memory))
        #expect(kept.offsets == [9 * page, 0x30_0000])
    }

    @Test("with no limit nothing is kept: every touched page is given back")
    func keepsNothing() throws {
        let (memory, image) = try Self.memory()
        try #require(image.discardingZeroes(memory))
        var kept = KeptPages()
        let touched = [Self.page, 0x30_0000]
        for _ in 0..<3 {
            Self.touch(memory, touched)
            image.restore(into: memory, discarding: true, keeping: &kept, keepingResident: 0)
            #expect(Self.resident(memory, touched) == [false, false])
            #expect(image.matches(memory))
            #expect(kept.offsets.isEmpty)
        }
    }
}
