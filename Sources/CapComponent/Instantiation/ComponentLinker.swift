// The embedder's side of instantiation: host functions and host resources by interface and name.

import WasmKit

/// Host definitions for the imports of components, and the way to instantiate them.
///
/// Functions and resources are defined by the interface the component imports them through
/// (such as `wasi:cli/stdout@0.2.0`, the full name with its version) and their name inside it;
/// a function or resource the component imports directly, not through an instance, is defined
/// with a `nil` interface. Their types come from the component's own import declarations:
/// a host function receives one ``ComponentValue`` per declared parameter and must return a
/// value of the declared result type (checked when the guest call returns), or `nil` if there
/// is none.
///
/// Versions match as semver allows: a definition for `wasi:cli/stdout@0.2.0` serves a
/// component importing `wasi:cli/stdout@0.2.9` and the other way round (as in Wasmtime), so
/// one host serves components built against any `0.2.x`. Defining a second compatible version
/// of the same name replaces the first.
///
/// Definitions the component does not import are ignored; an import without a definition
/// makes ``instantiate(_:)`` throw ``ComponentError/Code/missingImport`` naming it.
///
/// Not thread-safe. An instance made by a linker runs on the calling thread.
public final class ComponentLinker {
    /// A host function: receives the arguments, returns the result (or `nil` for none).
    public typealias HostFunction = ([ComponentValue]) throws -> ComponentValue?

    /// A host function that reads its arguments itself, each as the Swift type it wants.
    public typealias ReadingHostFunction = (inout ComponentArguments) throws -> ComponentValue?

    private enum FunctionBody {
        case values(HostFunction)
        case reading(ReadingHostFunction)
    }

    private struct FunctionDefinition {
        let type: FunctionType?
        let body: FunctionBody
    }

    private struct ResourceDefinition {
        let type: ResourceType
        let destructor: ((UInt32) throws -> Void)?
    }

    /// The engine every instance's store is made with.
    public let engine: Engine
    private var functions: [String: FunctionDefinition] = [:]
    private var resources: [String: ResourceDefinition] = [:]

    /// Creates an empty linker.
    ///
    /// - Parameter engine: The WasmKit engine for the instances' stores; a default one if `nil`.
    public init(engine: Engine? = nil) {
        self.engine = engine ?? Engine()
    }

    private static func key(_ interface: String?, _ name: String) -> String {
        interface.map { "\(compatibleInterface($0))#\(name)" } ?? name
    }

    private static func display(_ interface: String?, _ name: String) -> String {
        interface.map { "\($0)#\(name)" } ?? name
    }

    /// The name under which every semver-compatible version of `interface` is defined:
    /// `wasi:cli/stdout@0.2.9` and `@0.2.0` both become `wasi:cli/stdout@0.2`, `a:b/c@1.4.2`
    /// becomes `a:b/c@1`. Versions `0.0.z`, pre-releases and build metadata stay exact.
    static func compatibleInterface(_ interface: String) -> String {
        guard let at = interface.lastIndex(of: "@") else { return interface }
        let version = interface[interface.index(after: at)...]
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let major = UInt64(parts[0]), let minor = UInt64(parts[1]), UInt64(parts[2]) != nil else {
            return interface
        }
        let base = interface[..<at]
        if major > 0 { return "\(base)@\(major)" }
        if minor > 0 { return "\(base)@0.\(minor)" }
        return interface
    }

    /// Defines a host function.
    ///
    /// - Parameters:
    ///   - interface: The imported instance's name, such as `wasi:cli/stdout@0.2.0`, or `nil`
    ///     for a function imported directly.
    ///   - name: The function's name, such as `get-stdout` or `[method]output-stream.write`.
    ///   - type: If given, instantiation fails with ``ComponentError/Code/typeMismatch`` unless
    ///     the component imports the function with exactly this type.
    ///   - body: The implementation. `borrow` arguments are valid only until it returns; an
    ///     error it throws traps the calling guest, and the error reaches the embedder's
    ///     ``ComponentInstance/call(_:_:)`` as a ``ComponentError/Code/trap`` naming it.
    public func define(_ interface: String?, _ name: String, type: FunctionType? = nil, _ body: @escaping HostFunction) {
        functions[Self.key(interface, name)] = FunctionDefinition(type: type, body: .values(body))
    }

    /// Defines a host function that reads its own arguments (``ComponentArguments``): each is
    /// lifted straight from the guest's core values and memory to the Swift type the function
    /// asks for (a `list<u8>` seen in place, flags as bits), with no ``ComponentValue`` made.
    /// Otherwise as ``define(_:_:type:_:)``: reading an argument as another type than the
    /// component declares traps the guest, naming the function and the argument.
    public func defineReading(_ interface: String?, _ name: String, type: FunctionType? = nil, _ body: @escaping ReadingHostFunction) {
        functions[Self.key(interface, name)] = FunctionDefinition(type: type, body: .reading(body))
    }

    /// Defines a host resource type. Give its handles to guests as
    /// `.own(ResourceHandle(type: type, representation: rep))`, with any representation.
    ///
    /// - Parameters:
    ///   - interface: The imported instance that declares it, or `nil` for a direct import.
    ///   - name: The resource's name, such as `output-stream`.
    ///   - destructor: Called with the representation when a guest drops an `own` handle.
    /// - Returns: The resource type, the same object each time this name is defined.
    @discardableResult
    public func defineResource(_ interface: String?, _ name: String, destructor: ((UInt32) throws -> Void)? = nil) -> ResourceType {
        let key = Self.key(interface, name)
        let type = resources[key]?.type ?? ResourceType(name: name)
        resources[key] = ResourceDefinition(type: type, destructor: destructor)
        return type
    }

    /// The resource type defined for `interface` and `name`, if any.
    public func resourceType(_ interface: String?, _ name: String) -> ResourceType? {
        resources[Self.key(interface, name)]?.type
    }

    /// Instantiates a component: runs its core modules' start functions and nested
    /// instantiations, in `store` or a new WasmKit store made with ``engine``.
    ///
    /// - Parameters:
    ///   - store: Where the core instances live; pass one to set fuel or a resource limiter
    ///     before any core code (start functions included) runs.
    ///   - interrupter: What the instance's core code checks at its interrupt points
    ///     (``InterruptPoints``), from instantiation on; `nil` for checks that never stop it.
    /// - Returns: The instance, whose exports can be called.
    /// - Throws: ``ComponentError/Code/missingImport`` naming the first import the linker
    ///   does not define; ``ComponentError/Code/typeMismatch`` if a definition or an
    ///   argument has the wrong type; ``ComponentError/Code/trap`` if a core module fails to
    ///   instantiate or its start function traps; ``ComponentError/Code/invalid`` for
    ///   definitions that do not fit together.
    public func instantiate(
        _ component: Component, in store: Store? = nil, interrupter: Interrupter? = nil
    ) throws(ComponentError) -> ComponentInstance {
        try instantiate(component, in: store, interrupterSlot: InterrupterSlot(interrupter))
    }

    /// ``instantiate(_:in:interrupter:)`` for an instance reused for many runs: its interrupt
    /// points consult whatever interrupter `interrupterSlot` holds at the time.
    package func instantiate(
        _ component: Component, in store: Store?, interrupterSlot: InterrupterSlot
    ) throws(ComponentError) -> ComponentInstance {
        let store = store ?? Store(engine: engine)
        let registry = ResourceRegistry()
        for definition in resources.values {
            registry.registerHost(definition.type, destructor: definition.destructor)
        }
        var instantiator = Instantiator(store: store, registry: registry, interrupterSlot: interrupterSlot)
        let root = try instantiator.instantiate(
            ComponentClosure(ast: component.ast, outer: nil), parentState: nil, imports: .host(self))
        return ComponentInstance(
            store: store, registry: registry, exports: root.exports, states: instantiator.states, lowered: instantiator.lowered,
            coreInstances: instantiator.coreInstances)
    }

    // MARK: Resolving imports

    func hostResource(_ interface: String?, _ name: String) throws(ComponentError) -> ResourceType {
        guard let definition = resources[Self.key(interface, name)] else {
            throw ComponentError(.missingImport, "the component imports resource \(Self.display(interface, name)), which the linker does not define")
        }
        return definition.type
    }

    func hostFunction(_ interface: String?, _ name: String, type: FunctionType) throws(ComponentError) -> ComponentFunction {
        let key = Self.display(interface, name)
        guard let definition = functions[Self.key(interface, name)] else {
            throw ComponentError(.missingImport, "the component imports function \(key), which the linker does not define")
        }
        if let declared = definition.type, declared != type {
            throw ComponentError(.typeMismatch, "the component imports \(key) as \(type), but the linker defines it as \(declared)")
        }
        switch definition.body {
        case .values(let body):
            return ComponentFunction(name: key, type: type) { arguments, _ in try body(arguments) }
        case .reading(let body):
            // `canon lower` calls `reading` with a shape of its own. Called through values
            // instead (by the embedder), it reads them by the same layouts, worked out on the
            // first such call rather than at every instantiation.
            let shape = LazyArgumentShape(type: type, function: key)
            return ComponentFunction(
                name: key, type: type,
                body: { arguments, _ in
                    var reading = ComponentArguments(values: arguments, shape: try shape.get())
                    return try body(&reading)
                }, reading: body)
        }
    }

    func hostInstance(_ name: String, _ shape: InstanceShape) throws(ComponentError) -> InstanceValue {
        let instance = InstanceValue()
        for resource in shape.resources {
            try instance.add(resource.name, .type(.resource(resource.type)))
        }
        for type in shape.types {
            try instance.add(type.name, .type(type.type))
        }
        for function in shape.functions {
            try instance.add(function.name, .function(try hostFunction(name, function.name, type: function.type)))
        }
        for nested in shape.instances {
            try instance.add(nested.name, .instance(try hostInstance(nested.name, nested.shape)))
        }
        return instance
    }
}
