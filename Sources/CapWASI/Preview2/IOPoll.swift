// wasi:io/poll: pollables for streams (always ready: every stream here is synchronous) and clocks.
import CapComponent

/// The host object behind a `pollable`.
enum Pollable {
    /// Streams over files and the standard streams never make the guest wait.
    case ready
    /// Ready once `CLOCK_MONOTONIC` reaches this many nanoseconds.
    case monotonic(UInt64)

    var isReady: Bool {
        switch self {
        case .ready: true
        case .monotonic(let instant): InstancePolicy.monotonicNow() >= instant
        }
    }

    var wakeTime: UInt64 {
        switch self {
        case .ready: 0
        case .monotonic(let instant): instant
        }
    }
}

extension Preview2Host {
    func bindPoll(to linker: ComponentLinker) {
        let poll = "wasi:io/poll"
        define(linker, poll, "[method]pollable.ready") { host, a in
            .bool(try host.pollable(try a.handle(0), a.function).isReady)
        }
        define(linker, poll, "[method]pollable.block") { host, a in
            let pollable = try host.pollable(try a.handle(0), a.function)
            if !pollable.isReady { try host.policy.sleep(untilMonotonic: pollable.wakeTime) }
            return nil
        }
        define(linker, poll, "poll") { host, a in
            guard case .list(let handles) = try a.value(0) else { throw Preview2Trap("\(a.function): argument 0 should be a list") }
            guard !handles.isEmpty else { throw Preview2Trap("\(a.function): the list of pollables is empty") }
            guard handles.count <= 1 << 16 else { throw Preview2Trap("\(a.function): more than 65,536 pollables") }
            var pollables: [Pollable] = []
            for handle in handles {
                guard case .borrow(let borrowed) = handle else { throw Preview2Trap("\(a.function): the list holds \(handle)") }
                pollables.append(try host.pollable(borrowed.representation, a.function))
            }
            var ready = pollables.indices.filter { pollables[$0].isReady }
            while ready.isEmpty, let earliest = pollables.map(\.wakeTime).min() {
                try host.policy.sleep(untilMonotonic: earliest)
                ready = pollables.indices.filter { pollables[$0].isReady }
            }
            return .list(ready.map { .u32(UInt32($0)) })
        }
    }
}
