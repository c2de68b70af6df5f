// poll_oneoff, proc_exit, proc_raise, sched_yield and the socket functions of preview 1.
import WasmKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension WASIHost {
    func definePollAndProcess(into imports: inout Imports, store: Store) {
        imports.define(
            module: Self.moduleName, name: "proc_exit",
            Function(store: store, parameters: [.i32], results: []) { _, arguments in
                throw GuestStop.exit(arguments[0].u32)
            })
        function("proc_raise", [.i32], into: &imports, store: store) { _, _, _ throws(WASIErrno) in
            // Signals do not exist in a WASI sandbox; preview 1 hosts refuse them.
            throw .notSupported
        }
        function("sched_yield", [], into: &imports, store: store) { _, _, _ throws(WASIErrno) in
            sched_yield()
        }
        function("poll_oneoff", [.i32, .i32, .i32, .i32], into: &imports, store: store) { host, memory, a throws(WASIErrno) in
            let count = try host.poll(memory, subscriptions: a[0].u32, events: a[1].u32, count: a[2].u32)
            try memory.store(count, at: a[3].u32)
        }
        function("sock_accept", [.i32, .i32, .i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            _ = try host.table.get(a[0].u32)
            throw .notSocket
        }
        function("sock_recv", [.i32, .i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            _ = try host.table.get(a[0].u32)
            throw .notSocket
        }
        function("sock_send", [.i32, .i32, .i32, .i32, .i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            _ = try host.table.get(a[0].u32)
            throw .notSocket
        }
        function("sock_shutdown", [.i32, .i32], into: &imports, store: store) { host, _, a throws(WASIErrno) in
            _ = try host.table.get(a[0].u32)
            throw .notSocket
        }
    }

    /// Waits for the earliest clock subscription, or not at all if a descriptor subscription is
    /// ready (files and standard streams always are), then reports what happened. A sleep never
    /// outlasts the instance's deadline.
    func poll(_ memory: GuestMemory, subscriptions: UInt32, events: UInt32, count: UInt32) throws(WASIErrno) -> UInt32 {
        guard count > 0 else { throw .invalid }
        _ = try memory.checked(subscriptions, UInt64(count) * 48)
        _ = try memory.checked(events, UInt64(count) * 32)
        struct Ready {
            let userdata: UInt64
            let error: WASIErrno
            let type: UInt8
        }
        var ready: [Ready] = []
        var clocks: [(userdata: UInt64, wake: UInt64)] = []
        let now = InstancePolicy.monotonicNow()
        for index in 0..<count {
            let base = subscriptions + index * 48
            let userdata = try memory.load(UInt64.self, at: base)
            let tag = try memory.load(UInt8.self, at: base + 8)
            switch tag {
            case 0:
                let clockID = try memory.load(UInt32.self, at: base + 16)
                let timeout = try memory.load(UInt64.self, at: base + 24)
                let absolute = try memory.load(UInt16.self, at: base + 40) & 1 != 0
                guard (try? Self.clock(clockID)) != nil else {
                    ready.append(Ready(userdata: userdata, error: .invalid, type: 0))
                    continue
                }
                var clockNow = timespec()
                clock_gettime(try Self.clock(clockID), &clockNow)
                let current = UInt64(clockNow.tv_sec) * 1_000_000_000 + UInt64(clockNow.tv_nsec)
                let remaining = absolute ? (timeout > current ? timeout - current : 0) : timeout
                clocks.append((userdata, now &+ remaining))
            case 1, 2:
                let fd = try memory.load(UInt32.self, at: base + 16)
                let error: WASIErrno
                do {
                    _ = try descriptor(fd, .pollFdReadwrite, "poll_oneoff")
                    error = .success
                } catch {
                    ready.append(Ready(userdata: userdata, error: error, type: tag))
                    continue
                }
                ready.append(Ready(userdata: userdata, error: error, type: tag))
            default:
                throw .invalid
            }
        }
        if ready.isEmpty, let earliest = clocks.map(\.wake).min() {
            // An interrupted sleep returns early; the check after this call ends the run.
            try? policy.sleep(untilMonotonic: earliest)
            let after = InstancePolicy.monotonicNow()
            for clock in clocks where clock.wake <= after {
                ready.append(Ready(userdata: clock.userdata, error: .success, type: 0))
            }
        }
        for (index, event) in ready.enumerated() {
            let base = events + UInt32(index) * 32
            try memory.withMutableBytes(at: base, count: 32) { buffer in buffer.initializeMemory(as: UInt8.self, repeating: 0) }
            try memory.store(event.userdata, at: base)
            try memory.store(event.error.rawValue, at: base + 8)
            try memory.store(event.type, at: base + 10)
        }
        return UInt32(ready.count)
    }
}
