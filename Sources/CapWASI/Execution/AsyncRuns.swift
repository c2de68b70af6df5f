// The `async` forms of the runs: guest code on a GuestExecutor, the awaiting task suspended and cancellable.
import CapComponent
import Logging

extension WASIRunner {
    /// Runs `module` in a new instance, as ``run(_:entry:configuration:denialSink:interrupter:)``
    /// does, on one of `executor`'s threads; the awaiting task is suspended meanwhile and never
    /// runs guest code on Swift's cooperative pool.
    ///
    /// Cancelling the awaiting task stops the guest at its next check
    /// (``WASIRunError/cancelled``); a task cancelled before its run began never instantiates.
    public static func run(
        _ module: WASIModule, entry: ModuleEntry = .command, configuration: WASIConfiguration,
        denialSink: DenialSink? = Denial.logging(to: Logger(label: "capsule.wasi")), executor: GuestExecutor = .shared
    ) async throws(WASIRunError) -> WASIRunResult {
        let interrupter = Interrupter()
        return try await executor.run(cancelling: interrupter) { () throws(WASIRunError) in
            try run(module, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter)
        }
    }

    /// Runs a component in a new instance, as
    /// ``run(_:entry:configuration:denialSink:interrupter:)`` does, on one of `executor`'s
    /// threads; the awaiting task is suspended meanwhile, and cancelling it stops the guest
    /// (``WASIRunError/cancelled``).
    public static func run(
        _ component: WASIComponent, entry: ComponentEntry = .command, configuration: WASIConfiguration,
        denialSink: DenialSink? = Denial.logging(to: Logger(label: "capsule.wasi")), executor: GuestExecutor = .shared
    ) async throws(WASIRunError) -> WASIRunResult {
        let interrupter = Interrupter()
        return try await executor.run(cancelling: interrupter) { () throws(WASIRunError) in
            try run(component, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter)
        }
    }
}

extension WASIInstancePool {
    /// Runs the pool's entry in a warm or new instance, as ``run(_:owner:denialSink:interrupter:)``
    /// does, on one of `executor`'s threads; the awaiting task is suspended meanwhile, and
    /// cancelling it stops the guest (``WASIRunError/cancelled``) and discards the instance.
    public func run(
        _ configuration: WASIConfiguration, owner: String,
        denialSink: DenialSink? = Denial.logging(to: Logger(label: "capsule.wasi")), executor: GuestExecutor = .shared
    ) async throws(WASIRunError) -> WASIRunResult {
        let interrupter = Interrupter()
        return try await executor.run(cancelling: interrupter) { () throws(WASIRunError) in
            try self.run(configuration, owner: owner, denialSink: denialSink, interrupter: interrupter)
        }
    }
}

extension WASIComponentPool {
    /// Runs the pool's entry in a warm or new instance, as ``run(_:owner:denialSink:interrupter:)``
    /// does, on one of `executor`'s threads; the awaiting task is suspended meanwhile, and
    /// cancelling it stops the guest (``WASIRunError/cancelled``) and discards the instance.
    public func run(
        _ configuration: WASIConfiguration, owner: String,
        denialSink: DenialSink? = Denial.logging(to: Logger(label: "capsule.wasi")), executor: GuestExecutor = .shared
    ) async throws(WASIRunError) -> WASIRunResult {
        let interrupter = Interrupter()
        return try await executor.run(cancelling: interrupter) { () throws(WASIRunError) in
            try self.run(configuration, owner: owner, denialSink: denialSink, interrupter: interrupter)
        }
    }
}
