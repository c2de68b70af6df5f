// Running a WASI 0.2 component in a fresh, confined instance: the command world or a plain export.
import CapComponent
import Logging
import WasmKit

/// A parsed WASI 0.2 component, ready to be run any number of times.
public struct WASIComponent: Sendable {
    let component: Component

    /// Reads `bytes` (and validates every embedded core module, instrumented with interrupt
    /// points so that a deadline or a cancellation can stop any run: ``InterruptPoints``).
    ///
    /// - Throws: ``WASIRunError/invalidComponent(_:)`` naming what is wrong.
    public init(bytes: [UInt8]) throws(WASIRunError) {
        do { component = try Component(bytes: bytes) } catch { throw .invalidComponent(error.description) }
    }

    /// Whether the component exports a function named `name` directly (not through an
    /// interface), such as a plugin's `run`.
    public func exportsFunction(_ name: String) -> Bool {
        component.exports.contains { $0.name == name && $0.kind == .function }
    }

    /// Whether `bytes` start like a component rather than a core module: the same magic
    /// number, then version 0x0d and layer 1 instead of version 1 and layer 0.
    public static func isComponent(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 8 && bytes[0..<4] == [0x00, 0x61, 0x73, 0x6d] && bytes[4..<8] == [0x0d, 0x00, 0x01, 0x00]
    }
}

/// Which export of a component a run calls.
public enum ComponentEntry: Sendable, Hashable {
    /// `run` of `wasi:cli/run@0.2.x`, as `wasmtime run` calls it: `ok` is exit code 0, `err` 1.
    case command
    /// A function the component exports directly, such as the plain `run: func()` a plugin
    /// exports for its host; it takes no arguments and returns nothing or a `result` (`err`
    /// is exit code 1).
    case function(String)
    /// A call written as `wasmtime run --invoke` takes it, in WAVE (``WAVE``): `name(arguments)`,
    /// where `name` is a function the component exports, `interface.name`, or
    /// `namespace:package/interface.name@version`; a plain name not exported directly is looked
    /// for in every exported interface. The exit code is 0 whatever it returns, and what it
    /// returned is in ``WASIRunResult/returnedValues``.
    case invocation(String)
}

extension WASIRunner {
    /// Runs a component in a new instance with `configuration`, the same limits, preopens,
    /// quotas, stdio and denial reports as a preview 1 module gets. Every file and directory the
    /// instance opened is closed when this returns or throws; preopened `Dir`s stay the embedder's.
    ///
    /// - Parameters:
    ///   - entry: What to call: `wasi:cli/run` (the default) or a plain export.
    ///   - denialSink: Receives each refused operation as it happens; by default a `.notice`
    ///     line on the `capsule.wasi` logger.
    ///   - interrupter: Cancel it from any thread to stop the run (``WASIRunError/cancelled``);
    ///     its deadline, if it has one, applies as well as ``WASILimits/timeout``.
    /// - Returns: The exit code is 0 when the entry returns `ok` or nothing, 1 for `err`, and
    ///   the status given to `wasi:cli/exit` when the guest calls it.
    public static func run(
        _ component: WASIComponent, entry: ComponentEntry = .command, configuration: WASIConfiguration,
        denialSink: DenialSink? = Denial.logging(to: Logger(label: "capsule.wasi")), interrupter: Interrupter? = nil
    ) throws(WASIRunError) -> WASIRunResult {
        try runReporting(component, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter)
            .result.get()
    }

    /// ``run(_:entry:configuration:denialSink:interrupter:)``, with the report of a failed run too.
    package static func runReporting(
        _ component: WASIComponent, entry: ComponentEntry, configuration: WASIConfiguration, denialSink: DenialSink?,
        interrupter: Interrupter?
    ) -> RunEnd {
        let start = ContinuousClock.now
        let interrupter = Self.interrupter(for: configuration.limits, startingAt: start, following: interrupter)
        let instance = StartComponent(
            component.component, entry: entry, configuration: configuration, denialSink: denialSink, interrupter: interrupter)
        defer { instance.host.closeAll() }
        return instance.run(configuration: configuration, denialSink: denialSink, interrupter: interrupter, startedAt: start)
    }

    /// A ``ComponentEntry`` with its invocation read.
    enum Target {
        case command
        case function(String)
        case call(WAVE.Call)

        /// `entry`, an invocation read as WAVE; text that is not WAVE is refused before anything
        /// runs.
        init(_ entry: ComponentEntry) throws(WASIRunError) {
            switch entry {
            case .command: self = .command
            case .function(let name): self = .function(name)
            case .invocation(let text):
                do { self = .call(try WAVE.Call(text)) } catch { throw .invalidArguments("--invoke \(text): \(error)") }
            }
        }
    }

    /// The function `target` calls.
    ///
    /// - Throws: ``WASIRunError/missingExport(_:)`` listing what the component does export.
    static func exported(_ target: Target, _ instance: ComponentInstance) throws(WASIRunError) -> ComponentInstance.ExportedFunction {
        // Named only in a refusal: a run that finds its function does not build the list.
        var exports: String { instance.exportNames.isEmpty ? "nothing" : instance.exportNames.joined(separator: ", ") }
        switch target {
        case .command:
            let interface = instance.exportNames.first { $0.hasPrefix("wasi:cli/run@0.2.") }
            guard let function = interface.flatMap({ instance.function($0, "run") }) else {
                throw .missingExport("the component exports no wasi:cli/run@0.2 interface (it exports \(exports))")
            }
            return function
        case .function(let name):
            guard let function = instance.function(name) else {
                throw .missingExport("the component exports no function \(name) (it exports \(exports))")
            }
            return function
        case .call(let invocation):
            if let function = instance.function(invocation.name) { return function }
            let (interface, name) = invocation.qualified
            if let interface {
                guard let function = instance.function(interface, name) else {
                    throw .missingExport("the component exports no function \(name) in \(interface) (it exports \(exports))")
                }
                return function
            }
            // A plain name: the one function of that name among the exported interfaces.
            let found = instance.exportNames.compactMap { interface in instance.function(interface, name).map { (interface, $0) } }
            guard let (_, function) = found.first else {
                throw .missingExport("the component exports no function \(name) (it exports \(exports))")
            }
            guard found.count == 1 else {
                let names = found.map { "\($0.0).\(name)" }.joined(separator: ", ")
                throw .missingExport("more than one exported interface has a function \(name); name one: \(names)")
            }
            return function
        }
    }
}
