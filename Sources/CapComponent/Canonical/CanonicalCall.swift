// The `LiftLowerContext` of one call: options, instance, borrow bookkeeping, and checked memory.
import WasmKit

/// The state lifting and lowering share during one call (`LiftLowerContext`).
struct CanonicalCall {
    let memory: Memory?
    let realloc: Function?
    let instance: ComponentInstanceState
    /// For a lifted call: the scope of the borrows lowered into the callee.
    let borrowScope: BorrowScope?
    /// For a lowered call: the caller's handles lent to the host for the call (`lenders`).
    var lenders = Lends()

    init(options: CanonicalOptions, instance: ComponentInstanceState, borrowScope: BorrowScope?) {
        memory = options.memory
        realloc = options.realloc
        self.instance = instance
        self.borrowScope = borrowScope
    }

    /// A call that only lifts, from a memory view given to each lift.
    init(lifting instance: ComponentInstanceState) {
        memory = nil
        realloc = nil
        self.instance = instance
        borrowScope = nil
    }

    /// `deliver_resolve`: ends every lend made while lifting the parameters of a lowered call.
    mutating func endLends() {
        lenders.end(in: instance)
    }

    /// Runs `body` over all of linear memory, read-only, for lifting. No guest code may run
    /// while the view is in use.
    static func withMemoryView<R>(_ memory: Memory?, _ body: (MemoryView) throws -> R) rethrows -> R {
        guard let memory else { return try body(MemoryView(bytes: UnsafeRawBufferPointer(start: nil, count: 0))) }
        // WasmKit's generic method is not specialised across modules: returning through a local
        // keeps its result type Void, whose metadata costs nothing to look up on every call.
        var result: R?
        try memory.withUnsafeBufferPointer(offset: 0, count: memory.byteCount) { bytes -> Void in
            result = try body(MemoryView(bytes: bytes))
        }
        return result!
    }

    /// The current size of linear memory in bytes.
    var memorySize: UInt64 { UInt64(memory?.byteCount ?? 0) }

    /// Checks that `length` bytes at `pointer` are aligned to `alignment` and inside memory.
    func checkRange(_ pointer: UInt32, _ length: UInt64, alignment: UInt32, _ what: @autoclosure () -> String) throws(ComponentTrap) {
        guard pointer & (alignment - 1) == 0 else {
            throw ComponentTrap(.misaligned, "\(what()) at \(pointer) is not aligned to \(alignment) bytes")
        }
        guard UInt64(pointer) + length <= memorySize else {
            throw ComponentTrap(.outOfBounds, "\(what()) at \(pointer) with \(length) bytes lies outside memory of \(memorySize) bytes")
        }
    }

    /// Runs `body` over `count` bytes at `pointer`, which the caller has range-checked.
    func withMutableBytes<R>(at pointer: UInt32, count: UInt32, _ body: (UnsafeMutableRawBufferPointer) throws -> R) throws -> R {
        guard let memory, UInt64(pointer) + UInt64(count) <= UInt64(memory.byteCount) else {
            throw ComponentTrap(.outOfBounds, "a write of \(count) bytes at \(pointer) lies outside memory")
        }
        return try memory.withUnsafeMutableBufferPointer(offset: UInt(pointer), count: Int(count), body)
    }

    /// `allocate`: calls `realloc(0, 0, alignment, size)` with `may_leave` cleared and checks
    /// that the block it returns is aligned and inside memory.
    func allocate(alignment: UInt32, size: UInt64, for what: @autoclosure () -> String) throws -> UInt32 {
        guard let realloc else {
            throw ComponentTrap(.invalidOptions, "\(what()) needs the realloc option")
        }
        guard size <= UInt64(UInt32.max) else {
            throw ComponentTrap(.tooLong, "\(what()) needs \(size) bytes, more than a 32-bit memory can hold")
        }
        let results: [Value]
        do {
            results = try instance.withoutLeaving {
                try realloc.invoke([.i32(0), .i32(0), .i32(alignment), .i32(UInt32(size))])
            }
        } catch {
            instance.markTrapped()
            throw ComponentTrap.wrapping(error, .reallocFailed, "realloc trapped while allocating \(size) bytes for \(what())")
        }
        guard results.count == 1, case .i32(let pointer) = results[0] else {
            throw ComponentTrap(.reallocFailed, "realloc returned \(results) instead of one i32")
        }
        guard pointer & (alignment - 1) == 0 else {
            throw ComponentTrap(.reallocFailed, "realloc returned \(pointer) for \(what()), which is not aligned to \(alignment) bytes")
        }
        guard UInt64(pointer) + size <= memorySize else {
            throw ComponentTrap(
                .reallocFailed,
                "realloc returned \(pointer) for \(size) bytes of \(what()), which lies outside memory of \(memorySize) bytes")
        }
        return pointer
    }
}

/// All of linear memory, read-only, with reads at offsets the caller has range-checked.
struct MemoryView {
    let bytes: UnsafeRawBufferPointer

    @inline(__always)
    func load<T: FixedWidthInteger>(_: T.Type, at offset: UInt64) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: Int(offset), as: T.self))
    }
}

/// `MAX_STRING_BYTE_LENGTH` and `MAX_LIST_BYTE_LENGTH`.
let maxByteLength: UInt64 = (1 << 28) - 1

/// The handles lent to one lowered call, the first few held inline: most calls lend one (the
/// `self` of a method), and a call should not allocate to remember it.
struct Lends {
    private var inline: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var inlineCount = 0
    private var more: [UInt32] = []

    var isEmpty: Bool { inlineCount == 0 }

    mutating func append(_ index: UInt32) {
        switch inlineCount {
        case 0: inline.0 = index
        case 1: inline.1 = index
        case 2: inline.2 = index
        case 3: inline.3 = index
        default:
            more.append(index)
            return
        }
        inlineCount += 1
    }

    /// Calls `body` with each lent handle's index, in the order lent.
    func forEach(_ body: (UInt32) -> Void) {
        if inlineCount > 0 { body(inline.0) }
        if inlineCount > 1 { body(inline.1) }
        if inlineCount > 2 { body(inline.2) }
        if inlineCount > 3 { body(inline.3) }
        for index in more { body(index) }
    }

    /// Ends every lend in `instance`'s handle table, and forgets them.
    mutating func end(in instance: ComponentInstanceState) {
        guard inlineCount > 0 else { return }
        forEach { instance.handles.endLend($0) }
        inlineCount = 0
        more.removeAll()
    }

    /// Takes over `other`'s lends.
    mutating func append(contentsOf other: Lends) {
        other.forEach { append($0) }
    }
}
