// An instantiated component: its exports, callable with Swift values.

import WasmKit

/// A component instance made by ``ComponentLinker/instantiate(_:)``: its core instances live
/// in ``store``, and its exports are called with ``ComponentValue``s.
///
/// Each call runs to completion on the calling thread; the instance is not thread-safe. Keep the
/// instance as long as its exports are called: when it is released, its store and core instances
/// are freed, and a call through an ``ExportedFunction`` kept longer traps. After a
/// trap the instance cannot be entered again: later calls fail with ``ComponentError/Code/trap``.
/// `own` handles an export returns belong to the caller: pass them back or release them with
/// ``drop(_:)``.
public final class ComponentInstance {
    /// The WasmKit store holding every core instance of this component instance.
    public let store: Store
    private let registry: ResourceRegistry
    private let root: InstanceValue
    /// Keeps every nested instance's state alive: the resource registry holds them weakly.
    private let states: [ComponentInstanceState]
    private let lowered: [LoweredFunction]
    /// Every core instance of the component, nested components' included, in the order they
    /// were made; with the exports that reach each one's state in a reusable component
    /// (``Component/reusable()``).
    package let coreInstances: [CoreInstance]
    /// Each state's handles as instantiation left them.
    private let instantiatedHandles: [HandleTable]
    /// Whether a start function called a lowered function (the host's, or another instance's
    /// export) while the component was instantiated. When none did, instantiation depends on
    /// the component's bytes alone: every instance of the component begins with the same
    /// memories, tables and globals, whatever the host would have answered.
    package let instantiationMadeLoweredCalls: Bool

    /// Makes the instance enterable again after a run whose core state the caller put back:
    /// every handle table as instantiation left it (the handles its core code took then, such
    /// as the preview 1 adapter's preopens and standard streams, and which it keeps in its
    /// memory; the host makes their resources again for each run), and the reentrance and trap
    /// flags cleared. A run that ended by a host function throwing (a
    /// guest's `exit`) marks its instance trapped; once the memories, tables and globals of
    /// every core instance are back to their state after instantiation, nothing of that run
    /// is left to protect.
    ///
    /// - Returns: `false`, changing nothing, while a call into the instance is still running.
    package func resetForReuse() -> Bool {
        guard states.allSatisfy({ $0.mayEnter && $0.mayLeave }) else { return false }
        for (state, handles) in zip(states, instantiatedHandles) { state.reset(handles: handles) }
        return true
    }

    /// One core instance of a component instance.
    package struct CoreInstance {
        package let instance: Instance
        /// The exports reaching its memories, tables and mutable globals; nil unless the
        /// component was made reusable.
        package let state: StateExports?
    }

    init(
        store: Store, registry: ResourceRegistry, exports: InstanceValue, states: [ComponentInstanceState],
        lowered: [LoweredFunction], coreInstances: [CoreInstance]
    ) {
        self.store = store
        self.registry = registry
        self.root = exports
        self.states = states
        self.lowered = lowered
        self.coreInstances = coreInstances
        instantiatedHandles = states.map(\.handles)
        instantiationMadeLoweredCalls = states.contains { $0.loweredCalls > 0 }
    }

    /// The store's host functions refer to the instance's memories and functions, which refer
    /// to the store: releasing them lets the store, and every core instance in it, be freed.
    /// An ``ExportedFunction`` kept past this point traps when its core code calls an import.
    deinit {
        for function in lowered { function.release() }
        registry.removeAll()
    }

    /// An exported component function, bound to its instance.
    public struct ExportedFunction {
        private let function: ComponentFunction

        init(_ function: ComponentFunction) {
            self.function = function
        }

        /// The export path, such as `wasi:cli/run@0.2.0#run`.
        public var name: String { function.name }
        /// The function's component-level type.
        public var type: FunctionType { function.type }

        /// Calls the function.
        ///
        /// - Parameter arguments: One value per parameter, of the parameter's type.
        /// - Returns: The result, or `nil` if the type has none.
        /// - Throws: ``ComponentError/Code/typeMismatch`` if the arguments do not fit the type
        ///   (nothing runs then); ``ComponentError/Code/trap`` with the trap's message if core
        ///   code traps or a host import fails; ``ComponentError/Code/badHandle`` for a handle
        ///   the callee does not know.
        @discardableResult
        public func call(_ arguments: [ComponentValue] = []) throws(ComponentError) -> ComponentValue? {
            do {
                return try function.body(arguments, nil)
            } catch let error as ComponentError {
                throw error
            } catch let trap as ComponentTrap {
                throw ComponentError(trap, context: "calling \(name)")
            } catch {
                throw ComponentError(.trap, "calling \(name) failed: \(error)", cause: error)
            }
        }
    }

    /// The names of the top-level exports, in declaration order.
    public var exportNames: [String] { root.names }

    /// The names exported by the exported instance `interface`, or `nil` if there is none.
    public func exportNames(of interface: String) -> [String]? {
        guard case .instance(let instance)? = root[interface] else { return nil }
        return instance.names
    }

    /// A function exported directly, such as `run`, or `nil`.
    public func function(_ name: String) -> ExportedFunction? {
        guard case .function(let function)? = root[name] else { return nil }
        return ExportedFunction(function)
    }

    /// A function exported by an exported instance, such as (`wasi:cli/run@0.2.0`, `run`), or `nil`.
    public func function(_ interface: String, _ name: String) -> ExportedFunction? {
        guard case .instance(let instance)? = root[interface], case .function(let function)? = instance[name] else {
            return nil
        }
        return ExportedFunction(function)
    }

    /// A resource type exported directly (`interface` `nil`) or by an exported instance.
    public func resourceType(_ interface: String?, _ name: String) -> ResourceType? {
        let container: InstanceValue
        if let interface {
            guard case .instance(let instance)? = root[interface] else { return nil }
            container = instance
        } else {
            container = root
        }
        guard case .type(.resource(let type))? = container[name] else { return nil }
        return type
    }

    /// Calls a function exported directly.
    ///
    /// - Throws: ``ComponentError/Code/noSuchExport`` if there is none; otherwise as
    ///   ``ExportedFunction/call(_:)``.
    @discardableResult
    public func call(_ name: String, _ arguments: [ComponentValue] = []) throws(ComponentError) -> ComponentValue? {
        guard let function = function(name) else {
            throw ComponentError(.noSuchExport, "the component exports no function \"\(name)\"")
        }
        return try function.call(arguments)
    }

    /// Calls a function exported by an exported instance, such as
    /// `call("wasi:cli/run@0.2.0", "run", [])`.
    ///
    /// - Throws: ``ComponentError/Code/noSuchExport`` if there is none; otherwise as
    ///   ``ExportedFunction/call(_:)``.
    @discardableResult
    public func call(_ interface: String, _ name: String, _ arguments: [ComponentValue]) throws(ComponentError) -> ComponentValue? {
        guard let function = function(interface, name) else {
            throw ComponentError(.noSuchExport, "the component exports no function \"\(name)\" in \"\(interface)\"")
        }
        return try function.call(arguments)
    }

    /// Releases an `own` handle an export returned: runs its implementer's destructor (the
    /// guest's `dtor`, or the host's).
    ///
    /// - Throws: ``ComponentError/Code/badHandle`` if nobody implements the type;
    ///   ``ComponentError/Code/trap`` if the destructor traps.
    public func drop(_ handle: ResourceHandle) throws(ComponentError) {
        do {
            try registry.destroy(handle)
        } catch {
            throw ComponentError(error, context: "dropping \(handle.type) #\(handle.representation)")
        }
    }
}
