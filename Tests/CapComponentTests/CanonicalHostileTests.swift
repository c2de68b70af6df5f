// Hostile guests and hosts: every ABI violation is a thrown ComponentTrap naming it, never a crash.
import CapComponent
import Testing
import WAT
import WasmKit

fileprivate typealias ValueType = CapComponent.ValueType
fileprivate typealias FunctionType = CapComponent.FunctionType

/// A guest whose `raw` export passes its core arguments straight to a lowered `func(x: T)`.
private func rawGuest(_ parameter: ValueType, received: @escaping @Sendable (ComponentValue) -> Void = { _ in }) throws -> Guest {
    try forwardingGuest(FunctionType(parameters: [.init("x", parameter)], result: nil)) { arguments in
        received(arguments[0])
        return nil
    }
}

private func hostFunction(_ store: Store, _ type: WasmTypes.FunctionType, returning results: [Value]) -> Function {
    Function(store: store, type: type) { _, _ in results }
}

private let trappingReallocWAT = """
    (module (func (export "r") (param i32 i32 i32 i32) (result i32) unreachable))
    """

@Suite("Canonical ABI: hostile values")
struct CanonicalHostileTests {
    @Test("a string pointer outside memory is refused")
    func stringOutOfBounds() throws {
        let guest = try rawGuest(.string)
        let trap = caughtTrap { try guest.function("raw").invoke([.i32(0xFFFF_FFF0), .i32(100)]) }
        #expect(trap?.code == .outOfBounds)
        #expect(trap?.message.contains("outside memory") == true)
    }

    @Test("a string length beyond 2^28 - 1 is refused before any access")
    func stringTooLong() throws {
        let guest = try rawGuest(.string)
        #expect(caughtTrap { try guest.function("raw").invoke([.i32(0), .i32(0x7FFF_FFFF)]) }?.code == .tooLong)
    }

    @Test("a list whose element size times length overflows 32 bits is refused")
    func listLengthOverflow() throws {
        let guest = try rawGuest(.list(.u64))
        #expect(caughtTrap { try guest.function("raw").invoke([.i32(8), .i32(0x4000_0000)]) }?.code == .tooLong)
        #expect(caughtTrap { try guest.function("raw").invoke([.i32(8), .i32(0x10_0000)]) }?.code == .outOfBounds)
    }

    @Test("a misaligned list pointer is refused")
    func misalignedList() throws {
        let guest = try rawGuest(.list(.u32))
        let trap = caughtTrap { try guest.function("raw").invoke([.i32(1025), .i32(2)]) }
        #expect(trap?.code == .misaligned)
        #expect(trap?.message.contains("aligned to 4") == true)
    }

    @Test("invalid UTF-8 is refused")
    func invalidUTF8() throws {
        let guest = try rawGuest(.string)
        guest.write([0x61, 0xC3, 0x28] as [UInt8], at: 512)
        #expect(caughtTrap { try guest.function("raw").invoke([.i32(512), .i32(3)]) }?.code == .invalidUTF8)
    }

    @Test("surrogates and values above U+10FFFF are not chars", arguments: [UInt32(0xD800), 0xDFFF, 0x11_0000, 0xFFFF_FFFF])
    func invalidChar(_ code: UInt32) throws {
        let guest = try rawGuest(.char)
        #expect(caughtTrap { try guest.function("raw").invoke([.i32(code)]) }?.code == .invalidChar)
    }

    @Test("a discriminant naming no case is refused, flat and in memory")
    func wrongDiscriminant() throws {
        let flat = try rawGuest(.option(.u8))
        #expect(caughtTrap { try flat.function("raw").invoke([.i32(2), .i32(0)]) }?.code == .invalidDiscriminant)
        let inMemory = try rawGuest(.list(.result(ok: .u8, error: nil)))
        inMemory.write([0, 5, 7, 0] as [UInt8], at: 600)
        #expect(caughtTrap { try inMemory.function("raw").invoke([.i32(600), .i32(2)]) }?.code == .invalidDiscriminant)
    }

    @Test("any nonzero bool is true, unknown flag bits are ignored, integers wrap as definitions.py does")
    func lenientScalars() throws {
        nonisolated(unsafe) var seen: [ComponentValue] = []
        let record = ValueType.record([.init("b", .bool), .init("f", .flags(["a", "b"])), .init("s", .s8), .init("u", .u16)])
        let guest = try rawGuest(record) { seen.append($0) }
        try guest.function("raw").invoke([.i32(7), .i32(0xFF), .i32(0x1FF), .i32(0xFFFF_0001)])
        #expect(seen == [.record([.bool(true), .flags(["a", "b"]), .s8(-1), .u16(1)])])
    }

    @Test("a lifted result pointer outside memory or misaligned is refused")
    func badResultPointer() throws {
        let store = Store(engine: Engine())
        let memory = try Memory(store: store, type: MemoryType(min: 1))
        let type = FunctionType(parameters: [], result: .string)
        let options = try CapComponent.CanonicalOptions(memory: memory)
        for (pointer, code) in [(UInt32(0xFFFF_FFFC), ComponentTrap.Code.outOfBounds), (65532, .outOfBounds), (2, .misaligned)] {
            let core = hostFunction(store, WasmTypes.FunctionType(parameters: [], results: [.i32]), returning: [.i32(pointer)])
            let lifted = try LiftedFunction(core, type: type, options: options, instance: ComponentInstanceState(resources: ResourceRegistry()))
            #expect(caughtTrap { _ = try lifted.call([]) }?.code == code)
        }
    }

    @Test("realloc returning an out-of-bounds, misaligned or trapping result is refused")
    func hostileRealloc() throws {
        let store = Store(engine: Engine())
        let memory = try Memory(store: store, type: MemoryType(min: 1))
        let reallocType = WasmTypes.FunctionType(parameters: [.i32, .i32, .i32, .i32], results: [.i32])
        let type = FunctionType(parameters: [.init("x", .list(.u32))], result: nil)
        let core = hostFunction(store, WasmTypes.FunctionType(parameters: [.i32, .i32], results: []), returning: [])
        let reallocs = [
            hostFunction(store, reallocType, returning: [.i32(0xFFFF_FF00)]),
            hostFunction(store, reallocType, returning: [.i32(65530)]),
            hostFunction(store, reallocType, returning: [.i32(3)]),
            try parseWasm(bytes: try wat2wasm(trappingReallocWAT)).instantiate(store: store).exports[function: "r"]!,
        ]
        for realloc in reallocs {
            let options = try CapComponent.CanonicalOptions(memory: memory, realloc: realloc)
            let lifted = try LiftedFunction(core, type: type, options: options, instance: ComponentInstanceState(resources: ResourceRegistry()))
            let trap = caughtTrap { _ = try lifted.call([.list([.u32(1), .u32(2), .u32(3)])]) }
            #expect(trap?.code == .reallocFailed)
            #expect(trap?.message.contains("realloc") == true)
        }
    }

    @Test("an error thrown by the host implementation leaves the guest call as a trap")
    func hostThrows() throws {
        struct Refused: Error {}
        let type = FunctionType(parameters: [.init("x", .u32)], result: .u32)
        let guest = try forwardingGuest(type) { _ in throw Refused() }
        let trap = caughtTrap { _ = try liftedForwarder(guest, type).call([.u32(1)]) }
        #expect(trap?.code == .hostError)
        #expect(trap?.underlying is Refused)
        #expect(trap?.message.contains("host.f") == true)
    }

    @Test("a host result of the wrong type is refused")
    func hostWrongResult() throws {
        let type = FunctionType(parameters: [], result: .tuple([.u32, .string]))
        let guest = try forwardingGuest(type) { _ in .tuple([.u32(1), .u32(2)]) }
        #expect(caughtTrap { _ = try liftedForwarder(guest, type).call([]) }?.code == .typeMismatch)
    }

    @Test("arguments of the wrong type are refused before the instance is entered")
    func wrongArguments() throws {
        let type = FunctionType(parameters: [.init("x", .option(.string))], result: .option(.string))
        let guest = try forwardingGuest(type) { $0.first ?? nil }
        let lifted = try liftedForwarder(guest, type)
        #expect(caughtTrap { _ = try lifted.call([.option(.u8(1))]) }?.code == .typeMismatch)
        #expect(caughtTrap { _ = try lifted.call([]) }?.code == .typeMismatch)
        #expect(guest.global("reallocs") == 0)
        #expect(try lifted.call([.option(.string("ok"))]) == .option(.string("ok")))
    }

    @Test("calling back into the running instance is refused, and a trapped instance stays closed")
    func reentrance() throws {
        let type = FunctionType(parameters: [.init("x", .u32)], result: .u32)
        nonisolated(unsafe) var lifted: LiftedFunction?
        let guest = try forwardingGuest(type) { arguments in try lifted!.call(arguments) }
        lifted = try liftedForwarder(guest, type)
        let trap = caughtTrap { _ = try lifted!.call([.u32(1)]) }
        #expect(trap?.code == .reentrance)
        #expect(trap?.message.contains("already running") == true)
        #expect(guest.state.hasTrapped)
        #expect(caughtTrap { _ = try lifted!.call([.u32(1)]) }?.message.contains("trapped earlier") == true)
    }

    @Test("options are checked: utf16 refused, realloc and memory required where the type needs them")
    func optionValidation() throws {
        let store = Store(engine: Engine())
        let memory = try Memory(store: store, type: MemoryType(min: 1))
        #expect(caughtTrap { _ = try CapComponent.CanonicalOptions(memory: memory, stringEncoding: .utf16) }?.code == .unsupported)
        #expect(caughtTrap { _ = try CapComponent.CanonicalOptions(memory: memory, stringEncoding: .latin1UTF16) }?.code == .unsupported)
        let badRealloc = hostFunction(store, WasmTypes.FunctionType(parameters: [.i32], results: [.i32]), returning: [.i32(0)])
        #expect(caughtTrap { _ = try CapComponent.CanonicalOptions(memory: memory, realloc: badRealloc) }?.code == .typeMismatch)
        let core = hostFunction(store, WasmTypes.FunctionType(parameters: [.i32, .i32], results: []), returning: [])
        let state = ComponentInstanceState(resources: ResourceRegistry())
        let takesString = FunctionType(parameters: [.init("s", .string)], result: nil)
        #expect(caughtTrap {
            _ = try LiftedFunction(core, type: takesString, options: try CapComponent.CanonicalOptions(memory: memory), instance: state)
        }?.code == .invalidOptions)
        #expect(caughtTrap {
            _ = try LoweredFunction(store: store, type: takesString, options: .none, instance: state) { _ in nil }
        }?.code == .invalidOptions)
        #expect(caughtTrap {
            _ = try LiftedFunction(core, type: FunctionType(parameters: [.init("x", .u64)], result: nil), options: .none, instance: state)
        }?.code == .typeMismatch)
        #expect(caughtTrap { _ = try FunctionType(parameters: [], result: .record([])).coreType(for: .lift) }?.code == .invalidType)
    }
}

@Suite("Canonical ABI layouts")
struct CanonicalLayoutTests {
    /// Sizes, alignments and flat types computed by definitions.py (component-model 6d28164).
    @Test("layouts match definitions.py")
    func layouts() throws {
        let cases: [(ValueType, UInt32, UInt32, [WasmKit.ValueType])] = [
            (.record([.init("a", .u8), .init("b", .u64), .init("c", .u16)]), 24, 8, [.i32, .i64, .i32]),
            (.tuple([.u8, .string, .char]), 16, 4, [.i32, .i32, .i32, .i32]),
            (.option(.f32), 8, 4, [.i32, .f32]),
            (.result(ok: .u64, error: .f32), 16, 8, [.i32, .i64]),
            (.variant([.init("a", .f32), .init("b", .u8), .init("c"), .init("d", .f64)]), 16, 8, [.i32, .i64]),
            (.variant([.init("a", .tuple([.f32, .u32])), .init("b", .tuple([.u64]))]), 16, 8, [.i32, .i64, .i32]),
            (.enum((0..<300).map { "\($0)" }), 2, 2, [.i32]),
            (.flags((0..<9).map { "\($0)" }), 2, 2, [.i32]),
            (.flags((0..<20).map { "\($0)" }), 4, 4, [.i32]),
            (.list(.u16), 8, 4, [.i32, .i32]),
            (.result(ok: .string, error: nil), 12, 4, [.i32, .i32, .i32]),
            (.option(.option(.u8)), 3, 1, [.i32, .i32, .i32]),
        ]
        for (type, size, alignment, flat) in cases {
            #expect(try type.byteSize() == size, "\(type)")
            #expect(try type.byteAlignment() == alignment, "\(type)")
            #expect(try type.flatTypes() == flat, "\(type)")
        }
    }
}
