// `canon lift`: a core function called as a component function, with values lowered and lifted.
import WasmKit

/// A core function of a component instance seen as a component function (`canon lift`).
///
/// Each ``call(_:caller:)`` follows `canon_lift` for synchronous functions: it enters the
/// instance (refusing reentrance), lowers the arguments into the callee (through `realloc`
/// when they contain strings or lists or spill beyond 16 flat values), calls the core function,
/// lifts its result (from the returned pointer when it spills), checks that every borrow lent
/// to the call was dropped, and calls `post-return`.
///
/// The signature's layouts and flat types are computed once, when the function is made.
/// Not thread-safe: call it from the thread that runs the instance's store.
package final class LiftedFunction {
    /// The component-level type.
    package let type: FunctionType
    /// The core function being lifted.
    package let core: Function
    package let options: CanonicalOptions
    /// The instance the core function belongs to.
    package let instance: ComponentInstanceState
    /// A name for messages, such as `"wasi:cli/run#run"`.
    package let name: String
    let signature: CanonicalSignature

    /// Lifts `core`.
    ///
    /// - Parameters:
    ///   - core: A core function of type `type.coreType(for: .lift)`.
    ///   - type: The component function type.
    ///   - options: The `canon lift` options.
    ///   - instance: The component instance `core` belongs to.
    ///   - name: How messages refer to the function.
    /// - Throws: ``ComponentTrap/Code/typeMismatch`` if `core` or `post-return` has the wrong
    ///   core type; ``ComponentTrap/Code/invalidOptions`` if an option the type needs is
    ///   missing; ``ComponentTrap/Code/invalidType`` if the type cannot be lifted.
    package init(
        _ core: Function, type: FunctionType, options: CanonicalOptions, instance: ComponentInstanceState,
        name: String = "the lifted function"
    ) throws(ComponentTrap) {
        let signature = try CanonicalSignature(type, direction: .lift)
        try signature.validate(options)
        guard core.type == signature.coreType else {
            throw ComponentTrap(
                .typeMismatch, "\(name) has core type \(core.type), but lifting it as \(type) requires \(signature.coreType)")
        }
        self.type = type
        self.core = core
        self.options = options
        self.instance = instance
        self.name = name
        self.signature = signature
    }

    /// Calls the function.
    ///
    /// - Parameters:
    ///   - arguments: One value per parameter, of the parameter's type.
    ///   - caller: The component instance making the call (for a lowered import that forwards
    ///     here), or `nil` for the host.
    /// - Returns: The result, or `nil` if the type has none.
    /// - Throws: ``ComponentTrap/Code/typeMismatch`` (before anything runs) if the arguments do
    ///   not fit the type; ``ComponentTrap/Code/reentrance`` if the instance is running or
    ///   trapped earlier; any other ``ComponentTrap`` from lowering, the core call, lifting,
    ///   the borrow check or `post-return`, after which the instance is poisoned.
    package func call(_ arguments: [ComponentValue], caller: ComponentInstanceState? = nil) throws(ComponentTrap) -> ComponentValue? {
        guard arguments.count == signature.parameters.count else {
            throw ComponentTrap(.typeMismatch, "\(name) takes \(signature.parameters.count) arguments, got \(arguments.count)")
        }
        for (index, (argument, layout)) in zip(arguments, signature.parameters).enumerated() {
            do {
                try layout.check(argument)
            } catch {
                throw ComponentTrap(.typeMismatch, "argument \(index) (\(type.parameters[index].name)) of \(name): \(error.message)")
            }
        }
        try instance.enter(from: caller, for: name)
        defer { instance.leave(to: caller) }
        do {
            return try callEntered(arguments)
        } catch {
            instance.markTrapped()
            throw ComponentTrap.wrapping(error, .guestTrap, "\(name) trapped")
        }
    }

    private func callEntered(_ arguments: [ComponentValue]) throws -> ComponentValue? {
        let scope = signature.containsBorrowParameter ? BorrowScope() : nil
        var call = CanonicalCall(options: options, instance: instance, borrowScope: scope)
        var flatArguments = [Value](repeating: .i32(0), count: signature.coreType.parameters.count)
        try flatArguments.withUnsafeMutableBufferPointer { buffer in
            var writer = FlatWriter(buffer)
            try call.lowerArguments(arguments, signature, into: &writer)
        }
        let flatResults = try core.invoke(flatArguments)
        var result: ComponentValue?
        if let layout = signature.result {
            let spills = signature.spillsResult
            result = try flatResults.withUnsafeBufferPointer { buffer in
                var reader = FlatReader(buffer)
                return try CanonicalCall.withMemoryView(options.memory) { view in
                    guard spills else { return try call.liftFlat(layout, from: &reader, view) }
                    let pointer = try reader.nextI32()
                    try call.checkRange(pointer, UInt64(layout.size), alignment: layout.alignment, "the result of \(name)")
                    return try call.load(layout, at: UInt64(pointer), view)
                }
            }
        }
        if let scope, scope.outstanding > 0 {
            throw ComponentTrap(
                .borrowOutlivesCall, "\(name) returned without dropping \(scope.outstanding) borrowed handle(s) lent to it")
        }
        if let postReturn = options.postReturn {
            do {
                try instance.withoutLeaving { _ = try postReturn.invoke(flatResults) }
            } catch {
                throw ComponentTrap.wrapping(error, .guestTrap, "post-return of \(name) trapped")
            }
        }
        return result
    }
}
