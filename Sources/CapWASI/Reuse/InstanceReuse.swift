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
/// ``eagerTranslation`` removes the second, ``reservesGrowth`` (or ``maxRetainedGrowth`` `0`)
/// the first.
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
    /// Whether every instance starts with ``maxRetainedGrowth`` already grown, so that all the
    /// instances the pool hands out, new or reused, have one memory size.
    ///
    /// A new instance's memory grows by ``maxRetainedGrowth`` (whole pages, within the memory's
    /// maximum) before its first run, past the size its guest sees, and an instance is kept only
    /// while its memory is exactly that large: a run that grows it further gives the instance
    /// up. Then an access past the guest's `memory.size` reads zeros in every instance rather
    /// than trapping in a new one only, and with ``acrossOwners`` and ``eagerTranslation`` a
    /// guest cannot tell a reused instance from a new one, whatever ran in it before, while a
    /// wasi-libc program's growth at every run stays inside the memory. It applies where the
    /// guest's size is kept apart (`VirtualMemorySize`: a module that defines its memory, a
    /// component whose memory one core module defines); elsewhere an instance whose memory grew
    /// at all is given up. The pages cost address space, and resident memory only once a run
    /// touches them. An instance whose memory could not grow (the run's memory limit is lower)
    /// runs once.
    public var reservesGrowth: Bool
    /// Bytes of each memory's pages outside its image that an instance keeps in memory between
    /// runs, zeroed in place rather than given back to the kernel, chosen among the pages runs
    /// write: the next run does not fault them in again, and no other CPU's TLB is flushed
    /// for them. An idle instance holds them. Only where ``acrossOwners`` is off: which pages
    /// stay shows which pages earlier runs touched, so instances that serve any owner give every
    /// page back. `0` gives every page back after every run. An idle instance holds at most
    /// this much per memory beyond its image: with the defaults' 128 idle instances, 32 MiB.
    public var keptResidentBytes: Int

    /// Rules with every value at its default: per-owner reuse, 2 idle instances for each of 64
    /// owners, lazy translation, 16 MiB of retained growth, grown as runs ask, and 256 KiB of
    /// pages kept in memory (the stack and heap pages a C program's run writes, a dozen for the
    /// examples, with room to spare).
    public init(
        idleInstancesPerOwner: Int = 2, owners: Int = 64, acrossOwners: Bool = false, eagerTranslation: Bool = false,
        maxRetainedGrowth: Int = 16 << 20, reservesGrowth: Bool = false, keptResidentBytes: Int = 256 << 10
    ) {
        self.idleInstancesPerOwner = max(0, idleInstancesPerOwner)
        self.owners = max(0, owners)
        self.acrossOwners = acrossOwners
        self.eagerTranslation = eagerTranslation
        self.maxRetainedGrowth = max(0, maxRetainedGrowth)
        self.reservesGrowth = reservesGrowth
        self.keptResidentBytes = max(0, keptResidentBytes)
    }

    /// Reuse across owners that no guest can tell from a new instance: ``acrossOwners``,
    /// ``eagerTranslation`` and ``reservesGrowth``, `idleInstances` kept (all owners share
    /// them) and `maxRetainedGrowth` reserved in each.
    public static func indistinguishable(idleInstances: Int = 2, maxRetainedGrowth: Int = 16 << 20) -> InstanceReuse {
        InstanceReuse(
            idleInstancesPerOwner: idleInstances, acrossOwners: true, eagerTranslation: true, maxRetainedGrowth: maxRetainedGrowth,
            reservesGrowth: true)
    }
}

extension InstanceReuse {
    /// The bytes a new instance's memory grows by before its first run: ``maxRetainedGrowth``
    /// with ``reservesGrowth``, else none.
    var reservation: Int { reservesGrowth ? maxRetainedGrowth : 0 }

    /// The bytes of pages each memory keeps in place between runs (``KeptPages``):
    /// ``keptResidentBytes``, none across owners.
    var keptResident: Int { acrossOwners ? 0 : keptResidentBytes }

    /// Whether an instance whose memories grew `grown` bytes since instantiation, `reserved`
    /// of them ahead of its first run (`nil`: they could not be), may be kept: with
    /// ``reservesGrowth`` only at exactly the reserved size, otherwise up to
    /// ``maxRetainedGrowth``.
    func keeps(grown: Int, reserved: Int?) -> Bool {
        reservesGrowth ? grown == reserved : grown <= maxRetainedGrowth
    }
}
