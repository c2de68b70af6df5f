// One instantiated WASI 0.2 component with its host: runs its entry once, or many times when pooled.
import CapComponent
import WasmKit

/// A component instantiated in its own store, with the WASI 0.2 host its imports are bound to:
/// the component counterpart of ``StartInstance``.
///
/// Used by one run at a time: a one-shot run owns it, and a pool hands it from run to run under
/// its lock (hence `@unchecked Sendable`: WasmKit's `Store` is not, but it is never touched by
/// two threads at once).
final class StartComponent: @unchecked Sendable {
    /// The store, its limits and how a run in it ends, as for a module.
    let run: RunStore
    let host: Preview2Host
    let component: Component
    private let linker: ComponentLinker
    /// The interrupter of the run in progress, which the core instances' interrupt points check.
    private let interruption: InterrupterSlot
    /// What every run calls, read once (an invocation's WAVE text, or its refusal).
    private let target: Result<WASIRunner.Target, WASIRunError>
    /// The instance, once ``instantiate()`` made it.
    private(set) var instance: ComponentInstance?
    /// The function `target` names and the arguments it is called with, found in the
    /// instance by the first run that got that far; later runs of a reused instance call it
    /// again without looking it up.
    private var prepared: (function: ComponentInstance.ExportedFunction, arguments: [ComponentValue])?
    /// The host resources instantiation made, as each later run remakes them; `nil` when one
    /// cannot be remade (the instance then runs once).
    private(set) var instantiationResources: [HostResource.Recipe?]?
    private var runs = 0

    /// A store and a host for `component`'s first run with `configuration`, bound but not yet
    /// instantiated, whose runs call `entry`.
    init(
        _ component: Component, entry: ComponentEntry, configuration: WASIConfiguration, denialSink: DenialSink?,
        interrupter: Interrupter, eager: Bool = false
    ) {
        self.component = component
        target = Result { () throws(WASIRunError) in try WASIRunner.Target(entry) }
        run = RunStore(limits: configuration.limits, interrupter: interrupter, eager: eager)
        host = Preview2Host(configuration: configuration, sink: denialSink, interrupter: interrupter)
        interruption = InterrupterSlot(interrupter)
        linker = ComponentLinker(engine: run.store.engine)
        host.bind(to: linker, for: component)
    }

    /// Instantiates the component: `nil` when it is ready to run, or how the run ended (a
    /// refusal, a stop, or a guest that exited from a start function).
    func instantiate() -> Result<GuestFinish, WASIRunError>? {
        do {
            try run.checkNotStopped()
            instance = try linker.instantiate(component, in: run.store, interrupterSlot: interruption)
            instantiationResources = host.resources.instantiationResources
            return nil
        } catch {
            return run.endInstantiation(error)
        }
    }

    /// Runs the entry with `configuration`, stopped by `interrupter`, instantiating first if
    /// that has not been done. A run after the first starts from a new resource table, policy
    /// and arguments; its core instances' state is the caller's to restore. The resources a run
    /// opened stay open until the next run or ``Preview2Host/closeAll()``.
    func run(
        configuration: WASIConfiguration, denialSink: DenialSink?, interrupter: Interrupter, startedAt start: ContinuousClock.Instant
    ) -> RunEnd {
        if runs > 0 {
            run.begin(limits: configuration.limits, interrupter: interrupter)
            host.begin(
                configuration: configuration, sink: denialSink, interrupter: interrupter, remaking: instantiationResources ?? [])
            interruption.interrupter = interrupter
        }
        runs += 1
        return end(call(), startedAt: start)
    }

    /// The end of a run that began at `start` and ended with `ending`, with its report.
    func end(_ ending: Result<GuestFinish, WASIRunError>, startedAt start: ContinuousClock.Instant) -> RunEnd {
        run.meter(from: start).end(
            ending, peakOpenDescriptors: host.resources.peakCount, denials: host.policy.denials, stdout: host.policy.capturedOutput,
            stderr: host.policy.capturedError)
    }

    /// Calls the entry: the exit code and what an invocation returned, or why the guest did not
    /// finish.
    private func call() -> Result<GuestFinish, WASIRunError> {
        let target: WASIRunner.Target
        switch self.target {
        case .success(let read): target = read
        case .failure(let refusal): return .failure(refusal)
        }
        if instance == nil, let ended = instantiate() { return ended }
        guard let instance else { return .failure(.instantiation("the component was not instantiated")) }
        do {
            try run.checkNotStopped()
            let (function, arguments) = try prepared ?? prepare(target, instance)
            prepared = (function, arguments)
            let returned = try function.call(arguments)
            guard case .call = target else {
                // A command's `run` returns `result`: `err` exits 1.
                if case .result(.failure)? = returned { return .success(GuestFinish(exitCode: 1)) }
                return .success(GuestFinish(exitCode: 0))
            }
            return .success(GuestFinish(exitCode: 0, returnedValues: [WAVE.text(returned: returned, of: function.type)]))
        } catch {
            return run.end(error)
        }
    }

    /// The function `target` names in `instance`, and the arguments a call reads for it.
    private func prepare(
        _ target: WASIRunner.Target, _ instance: ComponentInstance
    ) throws(WASIRunError) -> (ComponentInstance.ExportedFunction, [ComponentValue]) {
        let function = try WASIRunner.exported(target, instance)
        guard case .call(let invocation) = target else { return (function, []) }
        do { return (function, try invocation.values(for: function.type)) } catch {
            throw .invalidArguments("--invoke \(invocation.name): \(error)")
        }
    }
}
