// The runtime state the canonical ABI keeps per component instance: handles and reentrance flags.
import WasmKit

/// The canonical ABI's `ComponentInstance`: one component instance's handle table, its
/// `may_enter` / `may_leave` flags, and its place in the instance tree.
///
/// - `may_enter` is cleared while a lifted export of the instance (or of a child) runs, so a
///   synchronous call cannot reenter it.
/// - `may_leave` is cleared while `realloc` or `post-return` runs, so those cannot call imports
///   or resource built-ins.
/// - After a trap in its code the instance is poisoned: it can never be entered again.
///
/// Not thread-safe; use it from the thread that runs the instance's WasmKit store.
package final class ComponentInstanceState {
    /// The instance that contains this one, if any (`parent`).
    package let parent: ComponentInstanceState?
    /// The implementers of every resource type this instance can see.
    package let resources: ResourceRegistry
    /// The instance's handles.
    package internal(set) var handles = HandleTable()
    /// `may_enter`: false while one of this instance's lifted exports is running.
    package internal(set) var mayEnter = true
    /// `may_leave`: false while `realloc` or `post-return` is running.
    package internal(set) var mayLeave = true
    /// True once core code of this instance trapped; the instance cannot be entered again.
    package private(set) var hasTrapped = false
    /// How many times core code called a function this instance lowered (`canon lower`): the
    /// host's, or another instance's export. None during instantiation means the instance's
    /// start functions never left the component, so its core state is what the component's
    /// bytes alone make of it.
    package internal(set) var loweredCalls = 0

    /// Creates the state of a new instance.
    ///
    /// - Parameters:
    ///   - resources: The registry shared with the host and the other instances of the store.
    ///   - parent: The enclosing component instance, if this one is nested.
    package init(resources: ResourceRegistry, parent: ComponentInstanceState? = nil) {
        self.resources = resources
        self.parent = parent
    }

    /// Declares that this instance implements `type`, with an optional core destructor
    /// `(func (param i32))` run when an `own` handle is dropped.
    ///
    /// - Throws: ``ComponentTrap/Code/typeMismatch`` if the destructor has another core type.
    package func defineResource(_ type: ResourceType, destructor: Function? = nil) throws(ComponentTrap) {
        try resources.registerComponent(type, instance: self, destructor: destructor)
    }

    func markTrapped() { hasTrapped = true }

    /// The state just after instantiation: `handles`, enterable, not trapped
    /// (``ComponentInstance/resetForReuse()``).
    func reset(handles: HandleTable) {
        self.handles = handles
        mayEnter = true
        mayLeave = true
        hasTrapped = false
    }

    // MARK: Entering and leaving

    /// `may_enter_from` + `enter_from`: clears `may_enter` on this instance and every ancestor
    /// that `caller` is not inside.
    ///
    /// - Throws: ``ComponentTrap/Code/reentrance`` if one of them is already running or trapped.
    func enter(from caller: ComponentInstanceState?, for what: @autoclosure () -> String) throws(ComponentTrap) {
        var instance: ComponentInstanceState? = self
        while let current = instance, !current.isSelfOrAncestor(of: caller) {
            guard !current.hasTrapped else {
                throw ComponentTrap(.reentrance, "cannot call \(what()): the component instance trapped earlier")
            }
            guard current.mayEnter else {
                throw ComponentTrap(.reentrance, "cannot call \(what()): the component instance is already running (synchronous reentrance)")
            }
            instance = current.parent
        }
        instance = self
        while let current = instance, !current.isSelfOrAncestor(of: caller) {
            current.mayEnter = false
            instance = current.parent
        }
    }

    /// `leave_to`: sets `may_enter` again on the instances ``enter(from:for:)`` cleared.
    func leave(to caller: ComponentInstanceState?) {
        var instance: ComponentInstanceState? = self
        while let current = instance, !current.isSelfOrAncestor(of: caller) {
            current.mayEnter = true
            instance = current.parent
        }
    }

    /// Whether this instance is `other` or one of its ancestors.
    private func isSelfOrAncestor(of other: ComponentInstanceState?) -> Bool {
        var candidate = other
        while let current = candidate {
            if current === self { return true }
            candidate = current.parent
        }
        return false
    }

    /// `trap_if(not inst.may_leave)` before an import or a built-in.
    func checkMayLeave(for what: @autoclosure () -> String) throws(ComponentTrap) {
        guard mayLeave else {
            throw ComponentTrap(.reentrance, "\(what()) was called while realloc or post-return was running")
        }
    }

    /// Runs `body` with `may_leave` cleared (for `realloc` and `post-return`).
    func withoutLeaving<R>(_ body: () throws -> R) rethrows -> R {
        mayLeave = false
        defer { mayLeave = true }
        return try body()
    }
}
