// Every value type through both directions: host → lifted export → lowered import → host and back.
import CapComponent
import Testing
import WasmKit

fileprivate typealias ValueType = CapComponent.ValueType
fileprivate typealias FunctionType = CapComponent.FunctionType

/// One round-trip case: a type, a value, and what comes back if not the value itself.
struct CanonicalRoundTrip: Sendable, CustomTestStringConvertible {
    let type: CapComponent.ValueType
    let value: ComponentValue
    let expected: ComponentValue

    init(_ type: CapComponent.ValueType, _ value: ComponentValue, expected: ComponentValue? = nil) {
        self.type = type
        self.value = value
        self.expected = expected ?? value
    }

    var testDescription: String { String("\(type) = \(value)".prefix(80)) }
}

private let pair = ValueType.record([.init("a", .u8), .init("b", .u64)])
private let mixed = ValueType.variant([.init("a", .f32), .init("b", .u8), .init("c"), .init("d", .f64), .init("e", .string)])
private let manyCases = ValueType.enum((0..<300).map { "c\($0)" })
private let threeFlags = ValueType.flags(["read", "write", "exec"])
private let twentyFlags = ValueType.flags((0..<20).map { "f\($0)" })
private let fortyFlags = ValueType.flags((0..<40).map { "g\($0)" })

private let roundTrips: [CanonicalRoundTrip] = [
    CanonicalRoundTrip(.bool, .bool(true)),
    CanonicalRoundTrip(.bool, .bool(false)),
    CanonicalRoundTrip(.s8, .s8(-5)),
    CanonicalRoundTrip(.u8, .u8(200)),
    CanonicalRoundTrip(.s16, .s16(-300)),
    CanonicalRoundTrip(.u16, .u16(60000)),
    CanonicalRoundTrip(.s32, .s32(-70000)),
    CanonicalRoundTrip(.u32, .u32(4_000_000_000)),
    CanonicalRoundTrip(.s64, .s64(.min)),
    CanonicalRoundTrip(.u64, .u64(.max)),
    CanonicalRoundTrip(.f32, .f32(1.5)),
    CanonicalRoundTrip(.f32, .f32(-.infinity)),
    CanonicalRoundTrip(.f32, .f32(Float(bitPattern: 0xffc0_1234)), expected: .f32(Float(bitPattern: 0x7fc0_0000))),
    CanonicalRoundTrip(.f64, .f64(-2.25e300)),
    CanonicalRoundTrip(.f64, .f64(Double(bitPattern: 0x7ff0_0000_0000_0001)), expected: .f64(Double(bitPattern: 0x7ff8_0000_0000_0000))),
    CanonicalRoundTrip(.char, .char("€")),
    CanonicalRoundTrip(.char, .char("😀")),
    CanonicalRoundTrip(.string, .string("")),
    CanonicalRoundTrip(.string, .string("héllo, wörld 😀")),
    CanonicalRoundTrip(.list(.u8), .list([])),
    CanonicalRoundTrip(.list(.u8), .list((0..<300).map { .u8(UInt8($0 % 256)) })),
    CanonicalRoundTrip(.list(.s16), .list([.s16(-1), .s16(2), .s16(.max)])),
    CanonicalRoundTrip(.list(.string), .list([.string("a"), .string(""), .string("ccc")])),
    CanonicalRoundTrip(.list(pair), .list([.record([.u8(1), .u64(2)]), .record([.u8(3), .u64(.max)])])),
    CanonicalRoundTrip(.list(.list(.char)), .list([.list([.char("x")]), .list([])])),
    CanonicalRoundTrip(.record([.init("s", .string), .init("n", .u32), .init("c", .char)]), .record([.string("hi"), .u32(7), .char("z")])),
    CanonicalRoundTrip(pair, .record([.u8(9), .u64(1 << 40)])),
    CanonicalRoundTrip(.tuple([.u8, .string, .char]), .tuple([.u8(1), .string("two"), .char("3")])),
    CanonicalRoundTrip(.tuple([.f32, .f64, .s64]), .tuple([.f32(0.5), .f64(0.25), .s64(-1)])),
    CanonicalRoundTrip(mixed, .variant(case: 0, payload: .f32(3.5))),
    CanonicalRoundTrip(mixed, .variant(case: 1, payload: .u8(77))),
    CanonicalRoundTrip(mixed, .variant(case: 2, payload: nil)),
    CanonicalRoundTrip(mixed, .variant(case: 3, payload: .f64(-0.125))),
    CanonicalRoundTrip(mixed, .variant(case: 4, payload: .string("payload"))),
    CanonicalRoundTrip(manyCases, .enum(case: 299)),
    CanonicalRoundTrip(.enum(["a", "b"]), .enum(case: 1)),
    CanonicalRoundTrip(.option(.string), .option(.string("some"))),
    CanonicalRoundTrip(.option(.string), .option(nil)),
    CanonicalRoundTrip(.option(.option(.u8)), .option(.option(nil))),
    CanonicalRoundTrip(.option(.option(.u8)), .option(.option(.u8(4)))),
    CanonicalRoundTrip(.result(ok: .u64, error: .f32), .result(.success(.u64(12)))),
    CanonicalRoundTrip(.result(ok: .u64, error: .f32), .result(.failure(.init(.f32(-1))))),
    CanonicalRoundTrip(.result(ok: nil, error: .string), .result(.failure(.init(.string("bad"))))),
    CanonicalRoundTrip(.result(ok: nil, error: .string), .result(.success(nil))),
    CanonicalRoundTrip(.result(ok: nil, error: nil), .result(.failure(.init(nil)))),
    CanonicalRoundTrip(threeFlags, .flags(["read", "exec"])),
    CanonicalRoundTrip(threeFlags, .flags([])),
    CanonicalRoundTrip(twentyFlags, .flags(["f0", "f19"])),
    CanonicalRoundTrip(fortyFlags, .flags(["g1", "g33", "g39"])),
    CanonicalRoundTrip(.list(.option(mixed)), .list([.option(nil), .option(.variant(case: 4, payload: .string("deep")))])),
]

@Suite("Canonical ABI round trips")
struct CanonicalRoundTripTests {
    @Test("a value crosses host → lifted export → lowered import → host unchanged", arguments: roundTrips)
    func roundTrip(_ trip: CanonicalRoundTrip) throws {
        let type = FunctionType(parameters: [.init("x", trip.type)], result: trip.type)
        nonisolated(unsafe) var received: [ComponentValue] = []
        let guest = try forwardingGuest(type) { arguments in
            received = arguments
            return arguments[0]
        }
        let lifted = try liftedForwarder(guest, type)
        let result = try lifted.call([trip.value])
        #expect(received == [trip.expected])
        #expect(result == trip.expected)
        #expect(guest.global("post_returns") == 1)
    }

    @Test("a list<u8> arrives as one byte array, in either form it was given")
    func bytesLists() throws {
        let type = FunctionType(parameters: [.init("x", .list(.u8))], result: .list(.u8))
        nonisolated(unsafe) var received: [ComponentValue] = []
        let guest = try forwardingGuest(type) { arguments in
            received = arguments
            return arguments[0]
        }
        let lifted = try liftedForwarder(guest, type)
        let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for given in [ComponentValue.bytes(bytes), .list(bytes.map { .u8($0) })] {
            let result = try lifted.call([given])
            guard case .bytes(let arrived)? = received.first, case .bytes(let returned)? = result else {
                Issue.record("expected .bytes, received \(String(describing: received.first).prefix(60))")
                continue
            }
            #expect(arrived == bytes)
            #expect(returned == bytes)
        }
        #expect(ComponentValue.bytes([1, 2]) == .list([.u8(1), .u8(2)]))
        #expect(ComponentValue.bytes([1, 2]) != .list([.u8(1), .u8(3)]))
        #expect(ComponentValue.bytes([1]).hashValue == ComponentValue.list([.u8(1)]).hashValue)
    }

    @Test("bytes given for a list of another element type trap as a type mismatch")
    func bytesForWiderList() throws {
        let type = FunctionType(parameters: [.init("x", .list(.u32))], result: nil)
        let guest = try forwardingGuest(type) { _ in nil }
        let trap = #expect(throws: ComponentTrap.self) { try liftedForwarder(guest, type).call([.bytes([1, 2, 3])]) }
        #expect(trap?.code == .typeMismatch)
    }

    @Test("more than 16 flat parameters spill into a tuple allocated with realloc")
    func spilledParameters() throws {
        let parameters = (0..<17).map { ValueType.Field("p\($0)", .u32) } + [.init("s", .string)]
        let type = FunctionType(parameters: parameters, result: .u32)
        #expect(try type.coreType(for: .lift) == WasmTypes.FunctionType(parameters: [.i32], results: [.i32]))
        #expect(try type.coreType(for: .lower) == WasmTypes.FunctionType(parameters: [.i32], results: [.i32]))
        let guest = try forwardingGuest(type) { arguments in
            #expect(arguments.count == 18)
            #expect(arguments[17] == .string("tail"))
            return .u32(arguments[0..<17].reduce(0) { sum, value in
                guard case .u32(let n) = value else { return sum }
                return sum + n
            })
        }
        let arguments = (0..<17).map { ComponentValue.u32(UInt32($0)) } + [.string("tail")]
        #expect(try liftedForwarder(guest, type).call(arguments) == .u32(136))
    }

    @Test("a result of more than one flat value returns through memory (lift) and retptr (lower)")
    func retptrResults() throws {
        let type = FunctionType(parameters: [], result: .tuple([.string, .u64]))
        #expect(try type.coreType(for: .lift) == WasmTypes.FunctionType(parameters: [], results: [.i32]))
        #expect(try type.coreType(for: .lower) == WasmTypes.FunctionType(parameters: [.i32], results: []))
        let guest = try forwardingGuest(type) { _ in .tuple([.string("out"), .u64(99)]) }
        #expect(try liftedForwarder(guest, type).call([]) == .tuple([.string("out"), .u64(99)]))
    }

    @Test("a function without parameters or result calls through and runs post-return")
    func unitFunction() throws {
        let type = FunctionType(parameters: [], result: nil)
        nonisolated(unsafe) var calls = 0
        let guest = try forwardingGuest(type) { _ in
            calls += 1
            return nil
        }
        let lifted = try liftedForwarder(guest, type)
        #expect(try lifted.call([]) == nil)
        #expect(try lifted.call([]) == nil)
        #expect(calls == 2)
        #expect(guest.global("post_returns") == 2)
    }
}
