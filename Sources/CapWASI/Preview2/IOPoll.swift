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
        define(linker, poll, "[method]pollable.ready") { (_, pollable: Pollable) in
            .bool(pollable.isReady)
        }
        define(linker, poll, "[method]pollable.block") { (host, pollable: Pollable) in
            if !pollable.isReady { try host.policy.sleep(untilMonotonic: pollable.wakeTime) }
            return nil
        }
        define(linker, poll, "poll") { (host, pollables: [Pollable]) in
            guard !pollables.isEmpty else { throw Preview2Trap("the list of pollables is empty") }
            guard pollables.count <= 1 << 16 else { throw Preview2Trap("more than 65,536 pollables") }
            var ready = pollables.indices.filter { pollables[$0].isReady }
            while ready.isEmpty, let earliest = pollables.map(\.wakeTime).min() {
                try host.policy.sleep(untilMonotonic: earliest)
                ready = pollables.indices.filter { pollables[$0].isReady }
            }
            return .list(ready.map { .u32(UInt32($0)) })
        }
    }
}

extension Pollable: HostResourceArgument {
    static func extract(_ resource: HostResource) -> Pollable? {
        guard case .pollable(let pollable) = resource else { return nil }
        return pollable
    }
    static var witName: String { "a pollable" }
}
