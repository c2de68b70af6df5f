// `canon lower`: a Swift implementation of a component function, callable by core code.
import WasmKit

/// A component function implemented in Swift, made callable by a component instance's core
/// code as a WasmKit host function (`canon lower`).
///
/// Each call follows `canon_lower` for synchronous functions: it refuses calls made during
/// `realloc` or `post-return`, lifts the core arguments (from the spilled tuple when there are
/// more than 16 flat values), lends any borrowed handles for the duration of the call, calls
/// the implementation, and lowers its result (through `realloc` for strings and lists, into
/// the caller's `retptr` when it spills).
///
/// Every failure — an ABI violation by the guest, a result of the wrong type, an error thrown by
/// the implementation — leaves the guest call as a thrown ``ComponentTrap`` that names it.
/// The signature's layouts and flat types are computed once, when the function is made.
package struct LoweredFunction {
    /// The component-level type.
    package let type: FunctionType
    /// The core function to give the instance as its import: of type `type.coreType(for: .lower)`.
    package let function: Function

    /// Lowers `implementation`.
    ///
    /// - Parameters:
    ///   - store: The store of the instance that will import the function.
    ///   - type: The component function type.
    ///   - options: The `canon lower` options (the importing instance's memory and realloc).
    ///   - instance: The component instance that will import the function.
    ///   - name: How messages refer to the function.
    ///   - implementation: Receives one value per parameter and returns the result (`nil` if
    ///     the type has none). `borrow` arguments are valid only until it returns; to call a
    ///     lifted export of another instance, pass `instance` as the `caller`.
    /// - Throws: ``ComponentTrap/Code/invalidOptions`` if an option the type needs is missing
    ///   or `post-return` is given; ``ComponentTrap/Code/invalidType`` if the type cannot be
    ///   lowered.
    package init(
        store: Store, type: FunctionType, options: CanonicalOptions, instance: ComponentInstanceState,
        name: String = "the lowered function",
        implementation: @escaping ([ComponentValue]) throws -> ComponentValue?
    ) throws(ComponentTrap) {
        try self.init(store: store, type: type, options: options, instance: instance, name: name, lowering: .values(implementation))
    }

    /// Lowers `implementation`, which may read its arguments itself (``ComponentArguments``),
    /// each lifted straight from the core values and guest memory to the Swift type it wants.
    package init(
        store: Store, type: FunctionType, options: CanonicalOptions, instance: ComponentInstanceState, name: String,
        lowering implementation: Implementation
    ) throws(ComponentTrap) {
        let signature = try CanonicalSignature(type, direction: .lower)
        try signature.validate(options)
        self.type = type
        let binding = LoweredBinding(
            LoweredCallee(signature: signature, name: name, options: options, instance: instance, implementation: implementation))
        self.binding = binding
        function = Function(
            store: store, parameters: signature.coreType.parameters, results: signature.coreType.results,
            raw: { _, arguments, results in
                guard let callee = binding.callee else {
                    throw ComponentTrap(.reentrance, "\(name) was called after its component instance was released")
                }
                try callee.invoke(arguments, results)
            })
    }

    /// How the implementation takes its arguments.
    package enum Implementation {
        /// Lifted into ``ComponentValue``s first.
        case values(([ComponentValue]) throws -> ComponentValue?)
        /// Read by the implementation itself.
        case reading((inout ComponentArguments) throws -> ComponentValue?)
    }

    /// What the core function's closure calls. The store keeps the closure, and the options'
    /// memory and realloc keep the store: ``release()`` breaks that cycle when the instance
    /// that owns the store goes away.
    let binding: LoweredBinding

    /// Makes later calls trap instead of running, and lets the store be freed.
    package func release() {
        binding.callee = nil
    }
}

/// Everything a lowered function needs at each call, in one object so that a call takes one
/// reference to it.
final class LoweredCallee {
    let signature: CanonicalSignature
    let name: String
    let options: CanonicalOptions
    let instance: ComponentInstanceState
    let implementation: LoweredFunction.Implementation
    let shape: ArgumentShape

    init(
        signature: CanonicalSignature, name: String, options: CanonicalOptions, instance: ComponentInstanceState,
        implementation: LoweredFunction.Implementation
    ) {
        self.signature = signature
        self.name = name
        self.options = options
        self.instance = instance
        self.implementation = implementation
        shape = ArgumentShape(layouts: signature.parameters, function: name)
    }

    /// `canon_lower`'s call: lift (or let the implementation read), call, lower the result.
    func invoke(_ arguments: UnsafeBufferPointer<Value>, _ results: UnsafeMutableBufferPointer<Value>) throws {
        try instance.checkMayLeave(for: name)
        instance.loweredCalls &+= 1
        var reader = FlatReader(arguments)
        let result: ComponentValue?
        switch implementation {
        case .reading(let body) where !signature.spillsParameters:
            result = try CanonicalCall.withMemoryView(options.memory) { view in
                var reading = ComponentArguments(flat: reader, view, instance: instance, shape: shape)
                // The lends made while reading end when the implementation returns.
                defer { reading.lends.end(in: instance) }
                do {
                    return try body(&reading)
                } catch {
                    throw ComponentTrap.wrapping(error, .hostError, "\(name) failed")
                }
            }
            reader.index = signature.flatParameterCount
        case .reading(let body):
            // Spilled parameters are read from the tuple in memory, then from their values.
            var call = CanonicalCall(options: options, instance: instance, borrowScope: nil)
            defer { call.endLends() }
            let values = try liftParameters(&call, &reader)
            var reading = ComponentArguments(values: values, shape: shape)
            do {
                result = try body(&reading)
            } catch {
                throw ComponentTrap.wrapping(error, .hostError, "\(name) failed")
            }
        case .values(let body):
            var call = CanonicalCall(options: options, instance: instance, borrowScope: nil)
            defer { call.endLends() }
            let values = try liftParameters(&call, &reader)
            do {
                result = try body(values)
            } catch {
                throw ComponentTrap.wrapping(error, .hostError, "\(name) failed")
            }
        }
        guard let layout = signature.result else {
            guard result == nil else {
                throw ComponentTrap(.typeMismatch, "\(name) returned \(result!.kindDescription), but its type has no result")
            }
            return
        }
        guard let result else {
            throw ComponentTrap(.typeMismatch, "\(name) returned no value, but its type has result \(layout.type)")
        }
        let call = CanonicalCall(options: options, instance: instance, borrowScope: nil)
        do {
            if signature.spillsResult {
                let pointer = try reader.nextI32()
                try call.checkRange(pointer, UInt64(layout.size), alignment: layout.alignment, "the result pointer of \(name)")
                try call.store(result, layout, at: pointer)
            } else {
                var writer = FlatWriter(results)
                try call.lowerFlat(result, layout, into: &writer)
            }
        } catch let trap as ComponentTrap where trap.code == .typeMismatch {
            throw ComponentTrap(.typeMismatch, "the result of \(name): \(trap.message)")
        }
    }

    /// `lift_flat_values` of the parameters, their lends recorded in `call`.
    private func liftParameters(_ call: inout CanonicalCall, _ reader: inout FlatReader) throws -> [ComponentValue] {
        try CanonicalCall.withMemoryView(options.memory) { view in
            try call.liftValues(
                signature.parameters, tuple: signature.parameterTuple, from: &reader, view,
                what: "the spilled arguments of \(name)")
        }
    }
}

/// The lowered function's callee, held by its core function's closure. The store keeps the
/// closure, and the options' memory and realloc keep the store: ``LoweredFunction/release()``
/// breaks that cycle when the instance that owns the store goes away.
final class LoweredBinding {
    var callee: LoweredCallee?

    init(_ callee: LoweredCallee) {
        self.callee = callee
    }
}
