// Test guests for the canonical ABI: WAT modules sharing a bump-allocator module, and helpers.
import CapComponent
import Testing
import WAT
import WasmKit

fileprivate typealias ComponentOptions = CapComponent.CanonicalOptions
fileprivate typealias FunctionType = CapComponent.FunctionType

/// The allocator module every test guest links to: memory, a bump `cabi_realloc` counting its
/// calls, and nothing else, as libc's module is in a real component.
let allocatorWAT = """
    (module
      (memory (export "memory") 1 64)
      (global $bump (export "bump") (mut i32) (i32.const 4096))
      (global $reallocs (export "reallocs") (mut i32) (i32.const 0))
      (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
        (local $p i32)
        (global.set $reallocs (i32.add (global.get $reallocs) (i32.const 1)))
        (local.set $p (i32.and
          (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
          (i32.xor (i32.sub (local.get $align) (i32.const 1)) (i32.const -1))))
        (global.set $bump (i32.add (local.get $p) (local.get $size)))
        (block $done
          (loop $grow
            (br_if $done (i32.le_u (global.get $bump) (i32.shl (memory.size) (i32.const 16))))
            (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
            (br $grow)))
        (local.get $p)))
    """

/// One instantiated test guest: the allocator instance and the module under test.
struct Guest {
    let store: Store
    let allocator: Instance
    let instance: Instance
    let state: ComponentInstanceState
    let registry: ResourceRegistry

    var memory: Memory { allocator.exports[memory: "memory"]! }
    var realloc: Function { allocator.exports[function: "cabi_realloc"]! }
    func function(_ name: String) -> Function { instance.exports[function: name]! }

    /// The value of an exported `i32` global of the module under test (or of the allocator).
    func global(_ name: String) -> UInt32 {
        for candidate in [instance, allocator] {
            if case .global(let global)? = candidate.export(name), case .i32(let value) = global.value { return value }
        }
        return .max
    }

    /// Options with the guest's memory and realloc.
    func options(postReturn: Function? = nil) throws -> CapComponent.CanonicalOptions {
        try ComponentOptions(memory: memory, realloc: realloc, postReturn: postReturn)
    }

    /// Instantiates the allocator, then `body` (module fields) with the allocator's memory and
    /// realloc imported as `alloc.memory` / `$realloc`, and `imports` under `host`.
    static func make(
        _ body: String, registry: ResourceRegistry = ResourceRegistry(),
        imports: (Store, ComponentInstanceState, CapComponent.CanonicalOptions) throws -> [String: Function] = { _, _, _ in [:] }
    ) throws -> Guest {
        let store = Store(engine: Engine())
        let allocator = try parseWasm(bytes: try wat2wasm(allocatorWAT)).instantiate(store: store)
        let state = ComponentInstanceState(resources: registry)
        let options = try ComponentOptions(
            memory: allocator.exports[memory: "memory"]!, realloc: allocator.exports[function: "cabi_realloc"]!)
        var hostImports = Imports()
        hostImports.define(module: "alloc", name: "memory", allocator.exports[memory: "memory"]!)
        hostImports.define(module: "alloc", name: "cabi_realloc", allocator.exports[function: "cabi_realloc"]!)
        for (name, function) in try imports(store, state, options) {
            hostImports.define(module: "host", name: name, function)
        }
        let wat = """
            (module
              (import "alloc" "memory" (memory 1))
              (import "alloc" "cabi_realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
            \(body))
            """
        let instance = try parseWasm(bytes: try wat2wasm(wat)).instantiate(store: store, imports: hostImports)
        return Guest(store: store, allocator: allocator, instance: instance, state: state, registry: registry)
    }

    func write(_ bytes: [UInt8], at pointer: UInt32) {
        memory.withUnsafeMutableBufferPointer(offset: UInt(pointer), count: bytes.count) { buffer in
            buffer.copyBytes(from: bytes)
        }
    }
}

func watType(_ type: WasmKit.ValueType) -> String {
    switch type {
    case .i64: "i64"
    case .f32: "f32"
    case .f64: "f64"
    default: "i32"
    }
}

func watSignature(_ type: WasmTypes.FunctionType) -> String {
    let parameters = type.parameters.isEmpty ? "" : "(param \(type.parameters.map(watType).joined(separator: " ")))"
    let results = type.results.isEmpty ? "" : "(result \(type.results.map(watType).joined(separator: " ")))"
    return "\(parameters) \(results)"
}

/// The address of the scratch area forwarding guests pass as `retptr`.
let scratchPointer: UInt32 = 256

/// A guest that imports `host.f`, lowered from `implementation` with `type`, and exports
/// - `f`, of the lifted core type, which forwards its arguments to the import (passing a
///   scratch `retptr` and returning it when the result spills),
/// - `raw`, of the lowered core type, which forwards its core arguments unchanged, and
/// - `post`, a post-return function counting its calls in the global `post_returns`.
func forwardingGuest(
    _ type: CapComponent.FunctionType, registry: ResourceRegistry = ResourceRegistry(),
    implementation: @escaping ([ComponentValue]) throws -> ComponentValue?
) throws -> Guest {
    try forwardingGuest(type, registry: registry, lowering: .values(implementation))
}

/// A forwarding guest whose import reads its own arguments (``ComponentArguments``).
func forwardingGuest(
    _ type: CapComponent.FunctionType, reading: @escaping (inout ComponentArguments) throws -> ComponentValue?
) throws -> Guest {
    try forwardingGuest(type, registry: ResourceRegistry(), lowering: .reading(reading))
}

private func forwardingGuest(
    _ type: CapComponent.FunctionType, registry: ResourceRegistry, lowering: LoweredFunction.Implementation
) throws -> Guest {
    let lifted = try type.coreType(for: .lift)
    let lowered = try type.coreType(for: .lower)
    let throughRetptr = lowered.parameters.count > lifted.parameters.count
    let forwardArguments = (0..<lifted.parameters.count).map { "(local.get \($0))" }.joined(separator: " ")
    let forwardRaw = (0..<lowered.parameters.count).map { "(local.get \($0))" }.joined(separator: " ")
    let postParameters = lifted.results.isEmpty ? "" : "(param \(lifted.results.map(watType).joined(separator: " ")))"
    let body = """
          (import "host" "f" (func $imp \(watSignature(lowered))))
          (global $post_returns (export "post_returns") (mut i32) (i32.const 0))
          (func (export "f") \(watSignature(lifted))
            \(throughRetptr
                ? "(call $imp \(forwardArguments) (i32.const \(scratchPointer))) (i32.const \(scratchPointer))"
                : "(call $imp \(forwardArguments))"))
          (func (export "raw") \(watSignature(lowered))
            (call $imp \(forwardRaw)))
          (func (export "post") \(postParameters)
            (global.set $post_returns (i32.add (global.get $post_returns) (i32.const 1))))
        """
    return try Guest.make(body, registry: registry) { store, state, options in
        ["f": try LoweredFunction(store: store, type: type, options: options, instance: state, name: "host.f", lowering: lowering).function]
    }
}

/// The lifted export `f` of a forwarding guest, with post-return.
func liftedForwarder(_ guest: Guest, _ type: CapComponent.FunctionType) throws -> LiftedFunction {
    try LiftedFunction(
        guest.function("f"), type: type, options: try guest.options(postReturn: guest.function("post")),
        instance: guest.state, name: "f")
}

/// The ``ComponentTrap`` `body` throws, or `nil` (recording an issue) if it throws nothing or
/// something else.
func caughtTrap(_ body: () throws -> Void) -> ComponentTrap? {
    do {
        try body()
        Issue.record("expected a ComponentTrap, but nothing was thrown")
    } catch let trap as ComponentTrap {
        return trap
    } catch {
        Issue.record("expected a ComponentTrap, got \(error)")
    }
    return nil
}
