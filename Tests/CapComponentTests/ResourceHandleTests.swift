// own/borrow handles, resource.new/rep/drop, destructors, and the handle traps of the canonical ABI.
import CapComponent
import Testing
import WasmKit

fileprivate typealias FunctionType = CapComponent.FunctionType

/// A guest with resource built-ins for a host type `H` and its own type `G`.
private struct ResourceGuest {
    let guest: Guest
    let host: ResourceType
    let own: ResourceType

    static func make(
        destroyed: @escaping @Sendable (UInt32) -> Void = { _ in },
        lend: @escaping ([ComponentValue]) throws -> ComponentValue? = { _ in nil }
    ) throws -> ResourceGuest {
        let host = ResourceType(name: "H")
        let own = ResourceType(name: "G")
        let registry = ResourceRegistry()
        registry.registerHost(host, destructor: destroyed)
        let body = """
              (import "host" "dropH" (func $dropH (param i32)))
              (import "host" "dropG" (func $dropG (param i32)))
              (import "host" "newG" (func $newG (param i32) (result i32)))
              (import "host" "repG" (func $repG (param i32) (result i32)))
              (import "host" "both" (func $both (param i32 i32)))
              (import "host" "lendH" (func $lendH (param i32)))
              (global $last_dtor (export "last_dtor") (mut i32) (i32.const 0))
              (func (export "dropH") (param i32) (call $dropH (local.get 0)))
              (func (export "dropH_twice") (param i32) (call $dropH (local.get 0)) (call $dropH (local.get 0)))
              (func (export "dropG") (param i32) (call $dropG (local.get 0)))
              (func (export "keep") (param i32))
              (func (export "identity") (param i32) (result i32) (local.get 0))
              (func (export "makeG") (param i32) (result i32) (call $newG (local.get 0)))
              (func (export "repG") (param i32) (result i32) (call $repG (local.get 0)))
              (func (export "lend") (param i32) (call $lendH (local.get 0)) (call $dropH (local.get 0)))
              (func (export "pass_twice") (param i32) (call $both (local.get 0) (local.get 0)))
              (func (export "dtor") (param i32) (global.set $last_dtor (local.get 0)))
              (func (export "bad_post") (param i32) (drop (call $newG (i32.const 1))))
            """
        let guest = try Guest.make(body, registry: registry) { store, state, options in
            [
                "dropH": state.makeResourceDrop(store: store, type: host),
                "dropG": state.makeResourceDrop(store: store, type: own),
                "newG": state.makeResourceNew(store: store, type: own),
                "repG": state.makeResourceRep(store: store, type: own),
                "both": try LoweredFunction(
                    store: store,
                    type: FunctionType(parameters: [.init("b", .borrow(host)), .init("o", .own(host))], result: nil),
                    options: options, instance: state, name: "host.both", implementation: { _ in nil }
                ).function,
                "lendH": try LoweredFunction(
                    store: store, type: FunctionType(parameters: [.init("b", .borrow(host))], result: nil),
                    options: options, instance: state, name: "host.lendH", implementation: lend
                ).function,
            ]
        }
        try guest.state.defineResource(own, destructor: guest.function("dtor"))
        return ResourceGuest(guest: guest, host: host, own: own)
    }

    func lift(_ export: String, _ type: FunctionType, postReturn: String? = nil) throws -> LiftedFunction {
        try LiftedFunction(
            guest.function(export), type: type, options: try guest.options(postReturn: postReturn.map(guest.function)),
            instance: guest.state, name: export)
    }
}

@Suite("Resource handles")
struct ResourceHandleTests {
    @Test("an own handle passed in and dropped by the guest runs the host destructor once")
    func ownDropRunsHostDestructor() throws {
        nonisolated(unsafe) var destroyed: [UInt32] = []
        let r = try ResourceGuest.make(destroyed: { destroyed.append($0) })
        let consume = try r.lift("dropH", FunctionType(parameters: [.init("h", .own(r.host))], result: nil))
        _ = try consume.call([.own(ResourceHandle(type: r.host, representation: 7))])
        #expect(destroyed == [7])
        #expect(r.guest.state.handles.count == 0)
    }

    @Test("dropping a borrow ends it without running the destructor")
    func borrowDrop() throws {
        nonisolated(unsafe) var destroyed: [UInt32] = []
        let r = try ResourceGuest.make(destroyed: { destroyed.append($0) })
        let use = try r.lift("dropH", FunctionType(parameters: [.init("h", .borrow(r.host))], result: nil))
        _ = try use.call([.borrow(ResourceHandle(type: r.host, representation: 3))])
        _ = try use.call([.borrow(ResourceHandle(type: r.host, representation: 3))])
        #expect(destroyed.isEmpty)
    }

    @Test("a borrow not dropped before the call returns traps")
    func borrowOutlivesCall() throws {
        let r = try ResourceGuest.make()
        let keep = try r.lift("keep", FunctionType(parameters: [.init("h", .borrow(r.host))], result: nil))
        let trap = caughtTrap { _ = try keep.call([.borrow(ResourceHandle(type: r.host, representation: 3))]) }
        #expect(trap?.code == .borrowOutlivesCall)
    }

    @Test("an unknown handle index and a double drop trap")
    func badIndexAndDoubleDrop() throws {
        nonisolated(unsafe) var destroyed: [UInt32] = []
        let r = try ResourceGuest.make(destroyed: { destroyed.append($0) })
        #expect(caughtTrap { try r.guest.function("dropH").invoke([.i32(42)]) }?.code == .badHandle)
        #expect(caughtTrap { try r.guest.function("dropH").invoke([.i32(0)]) }?.code == .badHandle)
        let twice = try r.lift("dropH_twice", FunctionType(parameters: [.init("h", .own(r.host))], result: nil))
        let trap = caughtTrap { _ = try twice.call([.own(ResourceHandle(type: r.host, representation: 9))]) }
        #expect(trap?.code == .badHandle)
        #expect(destroyed == [9])
    }

    @Test("a handle dropped as another resource type traps")
    func wrongType() throws {
        let r = try ResourceGuest.make()
        let wrong = try r.lift("dropG", FunctionType(parameters: [.init("h", .own(r.host))], result: nil))
        let trap = caughtTrap { _ = try wrong.call([.own(ResourceHandle(type: r.host, representation: 1))]) }
        #expect(trap?.code == .wrongResourceType)
        #expect(trap?.message.contains("H") == true)
    }

    @Test("resource.new and resource.rep make a guest resource; dropping it runs the guest destructor")
    func guestResource() throws {
        let r = try ResourceGuest.make()
        let make = try r.lift("makeG", FunctionType(parameters: [.init("rep", .u32)], result: .own(r.own)))
        let made = try make.call([.u32(42)])
        #expect(made == .own(ResourceHandle(type: r.own, representation: 42)))
        let index = try r.guest.function("makeG").invoke([.i32(77)])
        #expect(try r.guest.function("repG").invoke(index) == [.i32(77)])
        #expect(caughtTrap { try r.guest.function("repG").invoke([.i32(99)]) }?.code == .badHandle)
        let identity = try r.lift("identity", FunctionType(parameters: [.init("g", .borrow(r.own))], result: .u32))
        #expect(try identity.call([.borrow(ResourceHandle(type: r.own, representation: 42))]) == .u32(42))
        try r.guest.registry.destroy(ResourceHandle(type: r.own, representation: 42))
        #expect(r.guest.global("last_dtor") == 42)
    }

    @Test("an own handle lent to the same call cannot be moved, nor dropped by the host while lent")
    func lentHandles() throws {
        let first = try ResourceGuest.make()
        let passTwice = try first.lift("pass_twice", FunctionType(parameters: [.init("h", .own(first.host))], result: nil))
        let trap = caughtTrap { _ = try passTwice.call([.own(ResourceHandle(type: first.host, representation: 5))]) }
        #expect(trap?.code == .handleLent)

        nonisolated(unsafe) var state: ComponentInstanceState?
        nonisolated(unsafe) var hostType: ResourceType?
        nonisolated(unsafe) var lentRep: ComponentValue?
        let second = try ResourceGuest.make(lend: { arguments in
            lentRep = arguments[0]
            try state!.resourceDrop(hostType!, handle: 1)
            return nil
        })
        state = second.guest.state
        hostType = second.host
        let lend = try second.lift("lend", FunctionType(parameters: [.init("h", .own(second.host))], result: nil))
        let trap2 = caughtTrap { _ = try lend.call([.own(ResourceHandle(type: second.host, representation: 6))]) }
        #expect(trap2?.code == .handleLent)
        #expect(lentRep == .borrow(ResourceHandle(type: second.host, representation: 6)))
    }

    @Test("an own handle moves host → guest → host import → guest → host, leaving no handle behind")
    func ownRoundTrip() throws {
        let resource = ResourceType(name: "file")
        let type = FunctionType(parameters: [.init("x", .own(resource))], result: .own(resource))
        nonisolated(unsafe) var received: [ComponentValue] = []
        let guest = try forwardingGuest(type) { arguments in
            received = arguments
            return .own(ResourceHandle(type: resource, representation: 11))
        }
        let result = try liftedForwarder(guest, type).call([.own(ResourceHandle(type: resource, representation: 10))])
        #expect(received == [.own(ResourceHandle(type: resource, representation: 10))])
        #expect(result == .own(ResourceHandle(type: resource, representation: 11)))
        #expect(guest.state.handles.count == 0)
        let other = ResourceType(name: "file")
        let trap = caughtTrap { _ = try liftedForwarder(guest, type).call([.own(ResourceHandle(type: other, representation: 1))]) }
        #expect(trap?.code == .typeMismatch)
    }

    @Test("post-return may not call resource built-ins")
    func postReturnMayNotLeave() throws {
        let r = try ResourceGuest.make()
        let lifted = try r.lift("identity", FunctionType(parameters: [.init("x", .u32)], result: .u32), postReturn: "bad_post")
        let trap = caughtTrap { _ = try lifted.call([.u32(1)]) }
        #expect(trap?.code == .reentrance)
        #expect(trap?.message.contains("post-return") == true)
    }
}
