// The typed WASI 0.2 boundary: arguments decode by the Swift type of each parameter, or are refused.
import CapComponent
@testable import CapWASI
import Testing

@Suite("WASI 0.2 host arguments, decoded by type")
struct HostArgumentsTests {
    let host = Preview2Host(configuration: WASIConfiguration(arguments: []), sink: nil, interrupter: Interrupter())

    @Test("flags decode by the WIT's names into option sets and back; an unknown name is refused")
    func flags() {
        let flags = DescriptorFlags.decode(.flags(["read", "mutate-directory"]), in: host)
        #expect(flags == [.read, .mutateDirectory])
        #expect(flags?.value == .flags(["read", "mutate-directory"]))
        #expect(OpenFlags.decode(.flags(["create", "truncate"]), in: host) == [.create, .truncate])
        #expect(OpenFlags.decode(.flags([]), in: host) == [])
        #expect(PathFlags.decode(.flags(["symlink-follow", "append"]), in: host) == nil)
        #expect(PathFlags.decode(.u32(1), in: host) == nil)
        // Every name has its own bit, in the WIT's order.
        for (bit, name) in DescriptorFlags.names.enumerated() {
            #expect(DescriptorFlags.decode(.flags([name]), in: host)?.rawValue == 1 << bit)
        }
    }

    @Test("enums and variants decode by case; a case past the WIT's is refused")
    func enumsAndVariants() {
        #expect(Advice.decode(.enum(case: 5), in: host) == .noReuse)
        #expect(Advice.decode(.enum(case: 6), in: host) == nil)
        #expect(DescriptorType.directory.value == .enum(case: 3))
        guard case .timestamp(7, 9)? = NewTimestamp.decode(.variant(case: 2, payload: .record([.u64(7), .u32(9)])), in: host) else {
            Issue.record("a datetime did not decode")
            return
        }
        guard case .now? = NewTimestamp.decode(.variant(case: 1, payload: nil), in: host) else {
            Issue.record("now did not decode")
            return
        }
        #expect(NewTimestamp.decode(.variant(case: 2, payload: nil), in: host) == nil)
        #expect(NewTimestamp.decode(.variant(case: 3, payload: nil), in: host) == nil)
        #expect(throws: FilesystemErrorCode.invalid) { try NewTimestamp.timestamp(seconds: 0, nanoseconds: 1_000_000_000).update() }
        #expect(ExitStatus.decode(.result(.success(nil)), in: host)?.isSuccess == true)
        #expect(ExitStatus.decode(.result(.failure(.init(nil))), in: host)?.isSuccess == false)
        #expect(ExitStatus.decode(.result(.success(.u8(1))), in: host) == nil)
    }

    @Test("lists decode element by element; list<u8> as bytes or as u8 values")
    func lists() {
        #expect([UInt8].decode(.bytes([1, 2, 3]), in: host) == [1, 2, 3])
        #expect([UInt8].decode(.list([.u8(1), .u8(2)]), in: host) == [1, 2])
        #expect([UInt8].decode(.list([.u8(1), .u32(2)]), in: host) == nil)
        #expect([UInt64].decode(.bytes([1]), in: host) == nil)
        #expect(String.decode(.string("a"), in: host) == "a")
        #expect(UInt64.decode(.u32(1), in: host) == nil)
    }

    @Test("a handle decodes to its host object only if it is one of that kind")
    func resources() throws {
        let type = ResourceType(name: "pollable")
        guard case .own(let handle) = try host.own(.pollable(.ready), type) else {
            Issue.record("no handle")
            return
        }
        #expect(Pollable.decode(.borrow(handle), in: host) != nil)
        #expect(InputStream.decode(.borrow(handle), in: host) == nil)
        #expect(Pollable.decode(.borrow(ResourceHandle(type: type, representation: handle.representation + 1)), in: host) == nil)
    }
}
