// `canon resource.new`, `resource.rep` and `resource.drop`, as Swift calls and as core functions.
import WasmKit

extension ComponentInstanceState {
    /// `canon resource.new`: a new `own` handle to representation `rep` of `type`.
    ///
    /// - Throws: ``ComponentTrap/Code/reentrance`` during `realloc` or `post-return`;
    ///   ``ComponentTrap/Code/tableFull``.
    public func resourceNew(_ type: ResourceType, representation rep: UInt32) throws(ComponentTrap) -> UInt32 {
        try checkMayLeave(for: "resource.new of \(type)")
        return try handles.add(HandleEntry(type: type, representation: rep, isOwn: true, borrowScope: nil, lendCount: 0))
    }

    /// `canon resource.rep`: the representation behind handle `index`, which must be of `type`.
    ///
    /// - Throws: ``ComponentTrap/Code/badHandle``, ``ComponentTrap/Code/wrongResourceType``.
    public func resourceRep(_ type: ResourceType, handle index: UInt32) throws(ComponentTrap) -> UInt32 {
        let entry = try handles.entry(index)
        try Self.check(entry, index, is: type)
        return entry.representation
    }

    /// `canon resource.drop`: removes handle `index`. Dropping an `own` handle runs the
    /// implementer's destructor; dropping a `borrow` ends it for the call it was lent to.
    ///
    /// - Throws: ``ComponentTrap/Code/badHandle`` (unknown index, or dropped already),
    ///   ``ComponentTrap/Code/wrongResourceType``, ``ComponentTrap/Code/handleLent`` if the
    ///   handle is lent to a call in progress, ``ComponentTrap/Code/reentrance``, and whatever
    ///   the destructor fails with.
    public func resourceDrop(_ type: ResourceType, handle index: UInt32) throws(ComponentTrap) {
        try checkMayLeave(for: "resource.drop of \(type)")
        let entry = try handles.entry(index)
        try Self.check(entry, index, is: type)
        guard entry.lendCount == 0 else {
            throw ComponentTrap(.handleLent, "cannot drop handle \(index) of \(type): it is lent to \(entry.lendCount) call(s) in progress")
        }
        handles.remove(index)
        if entry.isOwn {
            try resources.destroy(entry.handle, caller: self)
        } else {
            entry.borrowScope?.outstanding -= 1
        }
    }

    static func check(_ entry: HandleEntry, _ index: UInt32, is type: ResourceType) throws(ComponentTrap) {
        guard entry.type === type else {
            throw ComponentTrap(.wrongResourceType, "handle \(index) is a \(entry.type) handle, expected \(type)")
        }
    }

    // MARK: Core functions

    /// The core function `(func (param i32) (result i32))` of `canon resource.new type`.
    public func makeResourceNew(store: Store, type: ResourceType) -> Function {
        Function(store: store, parameters: [.i32], results: [.i32], raw: { _, arguments, results in
            results[0] = .i32(try self.resourceNew(type, representation: arguments[0].i32))
        })
    }

    /// The core function `(func (param i32) (result i32))` of `canon resource.rep type`.
    public func makeResourceRep(store: Store, type: ResourceType) -> Function {
        Function(store: store, parameters: [.i32], results: [.i32], raw: { _, arguments, results in
            results[0] = .i32(try self.resourceRep(type, handle: arguments[0].i32))
        })
    }

    /// The core function `(func (param i32))` of `canon resource.drop type`.
    public func makeResourceDrop(store: Store, type: ResourceType) -> Function {
        Function(store: store, parameters: [.i32], results: [], raw: { _, arguments, _ in
            try self.resourceDrop(type, handle: arguments[0].i32)
        })
    }
}
