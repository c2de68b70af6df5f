// Who implements each resource type: the host (with a Swift destructor) or a component instance.
import WasmKit

/// The implementers of resource types, shared by every component instance that can see them.
///
/// A resource type is implemented either by the host, which chooses representations itself and
/// may give a destructor closure, or by a component instance, which makes handles with
/// `canon resource.new` and may name a core destructor `(func (param i32))`. Dropping an `own`
/// handle runs the implementer's destructor; a type nobody registered cannot be dropped.
///
/// The registry holds component instances weakly. Not thread-safe; use it from the thread that
/// runs the instances.
package final class ResourceRegistry {
    /// The implementer of one resource type.
    enum Implementer {
        case host(destructor: ((UInt32) throws -> Void)?)
        case component(Weak, destructor: Function?)
    }

    struct Weak {
        weak var instance: ComponentInstanceState?
    }

    private var implementers: [ResourceType: Implementer] = [:]

    package init() {}

    /// Declares that the host implements `type`.
    ///
    /// - Parameters:
    ///   - type: The resource type; registering a type twice replaces its destructor.
    ///   - destructor: Called with the representation when the last `own` handle is dropped.
    package func registerHost(_ type: ResourceType, destructor: ((UInt32) throws -> Void)? = nil) {
        implementers[type] = .host(destructor: destructor)
    }

    /// Declares that `instance` implements `type` (a `(type (resource (rep i32) (dtor ...)))`).
    ///
    /// - Throws: ``ComponentTrap/Code/typeMismatch`` if `destructor` is not `(func (param i32))`.
    func registerComponent(_ type: ResourceType, instance: ComponentInstanceState, destructor: Function?) throws(ComponentTrap) {
        if let destructor {
            guard destructor.type == WasmTypes.FunctionType(parameters: [.i32], results: []) else {
                throw ComponentTrap(.typeMismatch, "the destructor of resource \(type) has core type \(destructor.type), expected (i32) -> ()")
            }
        }
        implementers[type] = .component(Weak(instance: instance), destructor: destructor)
    }

    func implementer(of type: ResourceType) -> Implementer? { implementers[type] }

    /// Forgets every implementer: their destructors (core functions and host closures) refer to
    /// the store, whose built-ins refer to this registry.
    func removeAll() {
        implementers.removeAll()
    }

    /// Whether `instance` is the component instance that implements `type`.
    func isImplemented(_ type: ResourceType, by instance: ComponentInstanceState) -> Bool {
        guard case .component(let weak, _) = implementers[type] else { return false }
        return weak.instance === instance
    }

    /// Runs the destructor of `handle`'s type for its representation, as dropping the last `own`
    /// handle does. The host calls this for `own` handles it received and no longer needs.
    ///
    /// - Parameters:
    ///   - handle: An owned resource; it must not be used afterwards.
    ///   - caller: The component instance dropping it, or `nil` for the host.
    /// - Throws: ``ComponentTrap/Code/unknownResource`` if nobody registered the type (or its
    ///   instance is gone); ``ComponentTrap/Code/reentrance`` if the implementing instance is
    ///   running; the destructor's own failure as ``ComponentTrap/Code/guestTrap`` or
    ///   ``ComponentTrap/Code/hostError``.
    package func destroy(_ handle: ResourceHandle, caller: ComponentInstanceState? = nil) throws(ComponentTrap) {
        switch implementers[handle.type] {
        case nil:
            throw ComponentTrap(.unknownResource, "no implementation of resource \(handle.type) is registered")
        case .host(let destructor)?:
            guard let destructor else { return }
            do {
                try destructor(handle.representation)
            } catch {
                throw ComponentTrap.wrapping(error, .hostError, "the host destructor of resource \(handle.type) failed")
            }
        case .component(let weak, let destructor)?:
            guard let instance = weak.instance else {
                throw ComponentTrap(.unknownResource, "the component instance implementing resource \(handle.type) no longer exists")
            }
            guard let destructor else { return }
            try instance.enter(from: caller, for: "the destructor of resource \(handle.type)")
            defer { instance.leave(to: caller) }
            do {
                try destructor.invoke([.i32(handle.representation)])
            } catch {
                instance.markTrapped()
                throw ComponentTrap.wrapping(error, .guestTrap, "the destructor of resource \(handle.type) trapped")
            }
        }
    }
}
