// How far a pool of warm instances reaches: per owner, how many, and what may cross owners.

/// The rules a ``WASIInstancePool`` keeps instances by.
///
/// By default an instance runs again only for the owner (the tenant) it last ran for. Between
/// runs its memory, tables and mutable globals are put back to their just-instantiated values
/// and its descriptors closed, so no run reads what an earlier one left. What does carry over
/// is what WebAssembly cannot take back: memory the guest grew stays allocated and zeroed.
/// The guest does not see it in `memory.size` (a pool keeps the guest's size apart,
/// `VirtualMemorySize`; in a component, when one core module defines the memory, as toolchains
/// make them), but an access past that size reads zeros where a fresh instance traps. And with lazy
/// translation a function an earlier run called is already translated, so the time of a first
/// call hints at what earlier runs did. Those are why ``acrossOwners`` is off by default;
/// ``eagerTranslation`` removes the second, ``maxRetainedGrowth`` `0` the first.
public struct InstanceReuse: Sendable, Equatable {
    /// Idle instances kept for one owner; an instance beyond this is dropped after its run.
    public var idleInstancesPerOwner: Int
    /// Owners with idle instances; the least recently used owner's instances are dropped first.
    public var owners: Int
    /// Whether an instance that ran for one owner may run for another.
    public var acrossOwners: Bool
    /// Translates every function when an instance is created (a few milliseconds for a
    /// wasi-libc program) rather than on its first call, so no run pays a translation.
    public var eagerTranslation: Bool
    /// An instance whose memory has grown past its initial size by more than this many bytes
    /// is dropped after its run rather than kept. The growth can never be given back: its pages
    /// are zeroed and discarded, so it costs address space, not resident memory, and an
    /// instance is offered only to runs whose ``WASILimits/maxMemoryBytes`` its memory fits.
    /// A wasi-libc program grows memory at its first allocation of every run (its allocator,
    /// put back to its start state, does not know the pages an earlier run added), about
    /// 192 KiB for the example plugins: that growth takes the pages an earlier run grew, so the
    /// memory stops growing (in a component whose memory several modules define, it adds up,
    /// and the default replaces such an instance every 80-odd runs). `0` drops every instance
    /// whose memory grew.
    public var maxRetainedGrowth: Int

    /// Rules with every value at its default: per-owner reuse, 2 idle instances for each of 64
    /// owners, lazy translation, 16 MiB of retained growth.
    public init(
        idleInstancesPerOwner: Int = 2, owners: Int = 64, acrossOwners: Bool = false, eagerTranslation: Bool = false,
        maxRetainedGrowth: Int = 16 << 20
    ) {
        self.idleInstancesPerOwner = max(0, idleInstancesPerOwner)
        self.owners = max(0, owners)
        self.acrossOwners = acrossOwners
        self.eagerTranslation = eagerTranslation
        self.maxRetainedGrowth = max(0, maxRetainedGrowth)
    }
}
