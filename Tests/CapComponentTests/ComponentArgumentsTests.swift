// Host functions that read their own arguments: the same values as lifting, the same traps.
import CapComponent
import Testing
import WasmKit

fileprivate typealias ValueType = CapComponent.ValueType
fileprivate typealias FunctionType = CapComponent.FunctionType

/// What a reading host function saw of one call.
private struct Read: Equatable {
    var text = ""
    var numbers: [UInt32] = []
    var bytes: [UInt8] = []
    var wide: UInt64 = 0
    var narrow: UInt8 = 0
    var flags: UInt32 = 0
    var choice = 0
}

private let flagLabels = ["read", "write", "mutate"]

/// string, list<u32>, list<u8>, u64, u8, flags, enum: one of each reader.
private let mixed = FunctionType(
    parameters: [
        .init("s", .string), .init("l", .list(.u32)), .init("b", .list(.u8)), .init("n", .u64), .init("k", .u8),
        .init("f", .flags(flagLabels)), .init("e", .enum(["x", "y", "z"])),
    ], result: nil)

private let mixedValues: [ComponentValue] = [
    .string("héllo, wörld"), .list([1, 2, 0xFFFF_FFFF].map { .u32($0) }), .bytes([0, 255, 7]), .u64(.max - 1), .u8(200),
    .flags(["read", "mutate"]), .enum(case: 2),
]

private let mixedRead = Read(
    text: "héllo, wörld", numbers: [1, 2, 0xFFFF_FFFF], bytes: [0, 255, 7], wide: .max - 1, narrow: 200, flags: 0b101, choice: 2)

/// Reads `mixed`; `inPlace` takes the string and the list<u32> where they lie.
private func readMixed(_ arguments: inout ComponentArguments, inPlace: Bool = false) throws -> Read {
    var read = Read()
    read.text = try inPlace ? arguments.withUTF8 { String(decoding: $0, as: UTF8.self) } : arguments.string()
    read.numbers = try inPlace ? arguments.withU32List { Array($0) } : arguments.u32List()
    read.bytes = Array(try arguments.bytesInPlace())
    read.wide = try arguments.u64()
    read.narrow = try arguments.u8()
    read.flags = try arguments.flags()
    read.choice = try arguments.enumCase()
    return read
}

@Suite("Host functions reading their own arguments")
struct ComponentArgumentsTests {
    @Test("each reader gives what lifting gives, from flat values and from spilled ones", arguments: [false, true])
    func readersMatchLifting(inPlace: Bool) throws {
        nonisolated(unsafe) var reads: [Read] = []
        let guest = try forwardingGuest(mixed) { arguments in
            reads.append(try readMixed(&arguments, inPlace: inPlace))
            try arguments.finish()
            return nil
        }
        _ = try liftedForwarder(guest, mixed).call(mixedValues)
        #expect(reads == [mixedRead])

        // Nine more strings make 29 flat values: past 16 they travel through memory.
        let spilled = FunctionType(
            parameters: mixed.parameters + (0..<9).map { .init("t\($0)", .string) }, result: nil)
        #expect(try spilled.coreType(for: .lower).parameters.count == 1)
        nonisolated(unsafe) var rest: [String] = []
        let spilling = try forwardingGuest(spilled) { arguments in
            reads.append(try readMixed(&arguments, inPlace: inPlace))
            rest = try (0..<9).map { _ in try arguments.string() }
            try arguments.finish()
            return nil
        }
        _ = try liftedForwarder(spilling, spilled).call(mixedValues + (0..<9).map { .string("t\($0)") })
        #expect(reads == [mixedRead, mixedRead])
        #expect(rest == (0..<9).map { "t\($0)" })
    }

    @Test("reading an argument as another type, or past the last, traps naming the function and the argument")
    func mismatchTraps() throws {
        let type = FunctionType(parameters: [.init("n", .u64)], result: nil)
        let asString = try forwardingGuest(type) { arguments in _ = try arguments.string(); return nil }
        let trap = caughtTrap { _ = try liftedForwarder(asString, type).call([.u64(1)]) }
        #expect(trap?.code == .typeMismatch)
        #expect(trap?.message.contains("argument 0 of host.f is u64, but its host function reads a string") == true)

        let tooMany = try forwardingGuest(type) { arguments in
            _ = try arguments.u64()
            _ = try arguments.u64()
            return nil
        }
        #expect(caughtTrap { _ = try liftedForwarder(tooMany, type).call([.u64(1)]) }?.message.contains("takes 1 arguments") == true)

        let tooFew = try forwardingGuest(type) { arguments in try arguments.finish(); return nil }
        #expect(caughtTrap { _ = try liftedForwarder(tooFew, type).call([.u64(1)]) }?.message.contains("read 0") == true)
    }

    @Test("the checks of lifting hold: bounds, alignment, UTF-8, discriminants")
    func hostileCoreValues() throws {
        func raw(_ type: ValueType, _ read: @escaping (inout ComponentArguments) throws -> Void) throws -> Function {
            try forwardingGuest(FunctionType(parameters: [.init("x", type)], result: nil)) { arguments in
                try read(&arguments)
                return nil
            }.function("raw")
        }
        let bytes = try raw(.list(.u8)) { _ = try $0.bytesInPlace() }
        #expect(caughtTrap { try bytes.invoke([.i32(0xFFFF_FFF0), .i32(100)]) }?.code == .outOfBounds)
        #expect(caughtTrap { try bytes.invoke([.i32(0), .i32(0x7FFF_FFFF)]) }?.code == .tooLong)
        for numbers in [try raw(.list(.u32)) { _ = try $0.u32List() }, try raw(.list(.u32)) { _ = try $0.withU32List { $0.count } }] {
            #expect(caughtTrap { try numbers.invoke([.i32(1025), .i32(2)]) }?.code == .misaligned)
            #expect(caughtTrap { try numbers.invoke([.i32(8), .i32(0x10_0000)]) }?.code == .outOfBounds)
            #expect(caughtTrap { try numbers.invoke([.i32(0), .i32(0x4000_0000)]) }?.code == .tooLong)
        }
        for inPlace in [false, true] {
            let text = try forwardingGuest(FunctionType(parameters: [.init("x", .string)], result: nil)) { arguments in
                _ = try inPlace ? arguments.withUTF8 { $0.count } : arguments.string().utf8.count
                return nil
            }
            // An overlong "/" (C0 AF), a surrogate (ED A0 80), a sequence cut short (E2 82).
            text.write([0xC0, 0xAF, 0x41, 0xED, 0xA0, 0x80, 0xE2, 0x82], at: 512)
            for (start, length) in [(512, 3), (515, 3), (518, 2)] {
                #expect(caughtTrap { try text.function("raw").invoke([.i32(UInt32(start)), .i32(UInt32(length))]) }?.code == .invalidUTF8)
            }
            #expect(caughtTrap { try text.function("raw").invoke([.i32(0xFFFF_FFF0), .i32(100)]) }?.code == .outOfBounds)
            try text.function("raw").invoke([.i32(514), .i32(1)])
        }
        let choice = try raw(.enum(["a", "b"])) { _ = try $0.enumCase() }
        #expect(caughtTrap { try choice.invoke([.i32(2)]) }?.code == .invalidDiscriminant)
        // Bits past the last label are ignored, as `unpack_flags_from_int` does.
        nonisolated(unsafe) var bits: UInt32 = 0
        let flags = try raw(.flags(flagLabels)) { bits = try $0.flags() }
        try flags.invoke([.i32(0xFFFF_FFFF)])
        #expect(bits == 0b111)
    }

    @Test("a list<u8> read in place is the guest's own memory, not a copy")
    func bytesInPlace() throws {
        let type = FunctionType(parameters: [.init("b", .list(.u8))], result: nil)
        nonisolated(unsafe) var address: UInt = 0
        nonisolated(unsafe) var seen: [UInt8] = []
        let guest = try forwardingGuest(type) { arguments in
            let buffer = try arguments.bytesInPlace()
            address = UInt(bitPattern: buffer.baseAddress)
            seen = Array(buffer)
            return nil
        }
        guest.write([9, 8, 7], at: 700)
        try guest.function("raw").invoke([.i32(700), .i32(3)])
        let memoryStart = guest.memory.withUnsafeBufferPointer(offset: 0, count: 1) { UInt(bitPattern: $0.baseAddress) }
        #expect(seen == [9, 8, 7])
        #expect(address == memoryStart + 700)
    }
}
