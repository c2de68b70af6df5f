// An instance's state just after instantiation, and the way back to it after a run.
import CapComponent
import WasmKit

/// Every memory, table and mutable global of one instance as instantiation left them.
///
/// ``restore()`` writes them all back. Memory a run grew cannot be given back (WebAssembly
/// memories never shrink, and WasmKit has no API to), so the grown bytes are zeroed instead and
/// ``grownBytes`` tells the owner how much the instance has kept.
struct InstanceSnapshot {
    private struct PristineMemory {
        let memory: Memory
        let image: MemoryImage
        /// Whether zero pages are given back to the kernel (`MADV_DONTNEED`) rather than
        /// written: checked on this memory, again whenever its storage moves.
        var discarding: Bool
        var base: UnsafeMutableRawPointer?
        /// The zero pages restores write in place rather than discard.
        var kept = KeptPages()
    }

    private var memories: [PristineMemory]
    private let tables: [(table: Table, elements: [Reference])]
    private let globals: [(global: Global, value: Value)]

    /// The images of the instance's memories, for other instances of a module that has no
    /// start function to share.
    var images: [MemoryImage] { memories.map(\.image) }

    /// Takes the snapshot; `images` are the memories' images if they are known already (one
    /// of another size than its memory, or missing, is taken again).
    init(of instance: Instance, exports: StateExports, images: [MemoryImage]?) throws(StateExports.NotReusable) {
        memories = try exports.memories.enumerated().map { index, name throws(StateExports.NotReusable) in
            guard let memory = instance.exports[memory: name] else { throw .init(reason: "its memory export \(name) is missing") }
            let known = images.flatMap { index < $0.count ? $0[index] : nil }
            let image = known.flatMap { $0.byteCount == memory.byteCount ? $0 : nil } ?? MemoryImage(of: memory)
            return PristineMemory(memory: memory, image: image, discarding: image.discardingZeroes(memory), base: Self.base(of: memory))
        }
        tables = try exports.tables.map { name throws(StateExports.NotReusable) in
            guard let table = instance.exports[table: name] else { throw .init(reason: "its table export \(name) is missing") }
            return (table, (0..<Int(table.type.limits.min)).map { table[$0] })
        }
        globals = try exports.globals.map { name throws(StateExports.NotReusable) in
            guard let global = instance.exports[global: name] else { throw .init(reason: "its global export \(name) is missing") }
            return (global, global.value)
        }
        // A page read but never written (taking an image reads every page) is mapped to the
        // kernel's zero page and counts as in memory: given back now, the pages in memory after
        // a run are those runs touched.
        // (A memory whose pages cannot be given back would only be written with zeros again.)
        for index in memories.indices where memories[index].discarding {
            memories[index].image.restore(into: memories[index].memory, discarding: true, keeping: &memories[index].kept, keepingResident: 0)
        }
    }

    /// Bytes of memory the instance holds now.
    var memoryBytes: Int {
        memories.reduce(0) { $0 + $1.memory.byteCount }
    }

    /// Bytes of memory the instance holds beyond what instantiation gave it.
    var grownBytes: Int {
        memories.reduce(0) { $0 + $1.memory.byteCount - $1.image.byteCount }
    }

    /// Puts every memory, table element and mutable global back to its value just after
    /// instantiation; memory past the original size is zeroed. Up to `keepingResident` bytes of
    /// each memory's zero pages that runs touched are written in place rather than discarded
    /// (``KeptPages``).
    mutating func restore(keepingResident: Int) {
        for index in memories.indices {
            let memory = memories[index].memory
            let base = Self.base(of: memory)
            if base != memories[index].base {
                memories[index].base = base
                memories[index].discarding = memories[index].image.discardingZeroes(memory)
            }
            memories[index].image.restore(
                into: memory, discarding: memories[index].discarding, keeping: &memories[index].kept, keepingResident: keepingResident)
        }
        for (table, elements) in tables {
            for (index, element) in elements.enumerated() where table[index] != element {
                table[index] = element
            }
        }
        for (global, value) in globals {
            // The global is mutable and the value came from it, so the assignment cannot fail.
            try? global.assign(value)
        }
    }

    /// Grows the memory of `instance`, this snapshot's, by `bytes` (whole pages, within its
    /// maximum) past the size its guest sees, through the `grow` function
    /// ``VirtualMemorySize`` exports, and puts the instance back: ``InstanceReuse``'s
    /// `reservesGrowth`. The bytes grown: 0 when the module has no such function (its guest's
    /// size is not kept apart) or no page fits its maximum; `nil` when the memory could not
    /// grow as far, or only past `limit` bytes (the run's memory limit, which is not asked, so
    /// that no refusal is recorded against the run).
    mutating func reserveGrowth(_ bytes: Int, in instance: Instance, limit: Int) -> Int? {
        guard memories.count == 1, let grow = instance.exports[function: VirtualMemorySize.growExport] else { return 0 }
        let memory = memories[0].memory
        let pageSize = 65_536
        let pages = min(bytes / pageSize, Int(memory.type.max ?? 65_536) - memory.byteCount / pageSize)
        guard pages > 0 else { return 0 }
        guard memory.byteCount + pages * pageSize <= limit else { return nil }
        // `grow` takes and answers the guest's pages (-1 when it cannot grow): grown by 0, it
        // tells how many the guest has.
        func grown(by delta: Int) -> Int? {
            guard let results = try? grow([.i32(UInt32(delta))]), results.count == 1, case .i32(let previous) = results[0],
                previous != UInt32.max
            else { return nil }
            return Int(previous)
        }
        // The guest never has more pages than the memory (its `grow` grows the memory first).
        guard let guestPages = grown(by: 0), guestPages <= memory.byteCount / pageSize,
            grown(by: memory.byteCount / pageSize - guestPages + pages) != nil
        else { return nil }
        // Asked again of the grown memory, which now has pages past the image to try: a memory
        // the image filled could not say, and would have its reserved pages written with zeros
        // after every run.
        memories[0].base = Self.base(of: memory)
        memories[0].discarding = memories[0].image.discardingZeroes(memory)
        restore(keepingResident: 0)
        return pages * pageSize
    }

    /// Whether every memory, table and global holds its just-instantiated value (for tests
    /// and checks; a full comparison).
    var isPristine: Bool {
        memories.allSatisfy { $0.image.matches($0.memory) }
            && tables.allSatisfy { table, elements in elements.indices.allSatisfy { table[$0] == elements[$0] } }
            && globals.allSatisfy { $0.global.value == $0.value }
    }

    /// Whether zero pages of every memory are discarded rather than written.
    var discardsPages: Bool { memories.allSatisfy(\.discarding) }

    private static func base(of memory: Memory) -> UnsafeMutableRawPointer? {
        memory.withUnsafeMutableBufferPointer(offset: 0, count: 0) { $0.baseAddress }
    }
}
