// A component instance's table of resource handles: `Table` and `ResourceHandle` of the canonical ABI.

/// One handle in a ``HandleTable``: an `own` or a `borrow` of a resource representation.
package struct HandleEntry {
    /// The resource type the handle is for.
    package let type: ResourceType
    /// The implementer's representation (`rep`).
    package let representation: UInt32
    /// Whether this is an `own` handle (otherwise a `borrow`).
    package let isOwn: Bool
    /// For a `borrow` lent into a lifted call: the call it must be dropped before returning from.
    let borrowScope: BorrowScope?
    /// How many calls in progress this handle is lent to (`num_lends`).
    package internal(set) var lendCount: UInt32

    /// The handle as a value outside any table.
    package var handle: ResourceHandle { ResourceHandle(type: type, representation: representation) }
}

/// A handle table: index 0 is never used, freed indices are reused last-freed first, and at most
/// 2^28 - 1 handles exist at once. Every lookup is checked and fails with a ``ComponentTrap``.
///
/// Not thread-safe; use it from the thread that runs its instance.
package struct HandleTable {
    /// `Table.MAX_LENGTH`.
    package static let maxLength = (1 << 28) - 1

    private var entries: [HandleEntry?] = [nil]
    private var free: [UInt32] = []

    package init() {}

    /// The number of live handles.
    package var count: Int { entries.count - 1 - free.count }

    /// The entry at `index`.
    ///
    /// - Throws: ``ComponentTrap/Code/badHandle`` if `index` names no live handle.
    package func entry(_ index: UInt32) throws(ComponentTrap) -> HandleEntry {
        guard Int(index) < entries.count, index != 0, let entry = entries[Int(index)] else {
            throw ComponentTrap(.badHandle, "handle index \(index) is not in the handle table")
        }
        return entry
    }

    /// Adds `entry` and returns its index.
    ///
    /// - Throws: ``ComponentTrap/Code/tableFull`` if the table already holds ``maxLength`` handles.
    mutating func add(_ entry: HandleEntry) throws(ComponentTrap) -> UInt32 {
        if let index = free.popLast() {
            entries[Int(index)] = entry
            return index
        }
        guard entries.count <= Self.maxLength else {
            throw ComponentTrap(.tableFull, "the handle table is full (\(Self.maxLength) handles)")
        }
        entries.append(entry)
        return UInt32(entries.count - 1)
    }

    /// Removes the entry at `index`, which must be live.
    mutating func remove(_ index: UInt32) {
        entries[Int(index)] = nil
        free.append(index)
    }

    mutating func lend(_ index: UInt32) {
        entries[Int(index)]!.lendCount += 1
    }

    mutating func endLend(_ index: UInt32) {
        entries[Int(index)]!.lendCount -= 1
    }
}
