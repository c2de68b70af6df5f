// The WASI 0.2 host of one component instance: its resources, policy, and how it binds to a linker.
import CapComponent
import CapStd

/// The `wasi:cli/command` host of one component instance, its file system CapStd. Holds the
/// same ``InstancePolicy`` as the preview 1 host: denials, write quota, standard streams and
/// deadline. Confined to the thread running the instance.
///
/// The functions bound into the linker look up everything a run may see (configuration,
/// resources, quotas, denials) through the host at call time, so a reused instance gets each
/// run's state from ``begin(configuration:sink:interrupter:)``.
final class Preview2Host {
    private(set) var policy: InstancePolicy
    private(set) var resources: HostResourceTable
    var configuration: WASIConfiguration { policy.configuration }

    /// The host resource types, made when the host is bound to a linker.
    private(set) var types = ResourceTypes()

    struct ResourceTypes {
        var descriptor = ResourceType(name: "descriptor")
        var directoryEntryStream = ResourceType(name: "directory-entry-stream")
        var inputStream = ResourceType(name: "input-stream")
        var outputStream = ResourceType(name: "output-stream")
        var pollable = ResourceType(name: "pollable")
        var error = ResourceType(name: "error")
        var terminalInput = ResourceType(name: "terminal-input")
        var terminalOutput = ResourceType(name: "terminal-output")
        var network = ResourceType(name: "network")
    }

    init(configuration: WASIConfiguration, sink: DenialSink?, interrupter: Interrupter) {
        policy = InstancePolicy(configuration: configuration, version: .preview2, sink: sink, interrupter: interrupter)
        resources = HostResourceTable(limit: configuration.limits.maxDescriptors)
    }

    /// Closes every file and directory the instance opened; preopened `Dir`s stay open.
    func closeAll() {
        resources.closeAll()
    }

    /// Starts another run in the same instance: the previous run's resources are closed and
    /// its configuration, streams, quotas, interrupter and denials replaced by new ones. The
    /// resources the instance's instantiation made (`remaking`, whose handles the guest keeps)
    /// are made again for `configuration`, at the same representations.
    ///
    /// - Returns: `false` when `configuration` lacks a preopen one of them names; the table is
    ///   empty then.
    @discardableResult
    func begin(
        configuration: WASIConfiguration, sink: DenialSink?, interrupter: Interrupter, remaking recipes: [HostResource.Recipe?] = []
    ) -> Bool {
        closeAll()
        policy = InstancePolicy(configuration: configuration, version: .preview2, sink: sink, interrupter: interrupter)
        let limit = configuration.limits.maxDescriptors
        guard let remade = HostResourceTable(limit: limit, remaking: recipes, for: configuration) else {
            resources = HostResourceTable(limit: limit)
            return false
        }
        resources = remade
        return true
    }

    /// Ends a run of a reused instance: its resources are closed and its configuration,
    /// captured output and denials let go, so an idle instance holds nothing of the run.
    func finish() {
        begin(configuration: WASIConfiguration(arguments: []), sink: nil, interrupter: Interrupter())
    }

    // MARK: Binding

    /// The version every interface is defined under; the linker serves every `0.2.x`.
    static let version = "0.2.0"

    static func interface(_ name: String) -> String { "\(name)@\(version)" }

    /// Defines every function and resource of the `wasi:cli/command` world in `linker`, plus
    /// refusing definitions of whatever `component` imports from `wasi:sockets`.
    func bind(to linker: ComponentLinker, for component: Component) {
        types.error = resource(linker, "wasi:io/error", "error")
        types.pollable = resource(linker, "wasi:io/poll", "pollable")
        types.inputStream = resource(linker, "wasi:io/streams", "input-stream")
        types.outputStream = resource(linker, "wasi:io/streams", "output-stream")
        types.descriptor = resource(linker, "wasi:filesystem/types", "descriptor")
        types.directoryEntryStream = resource(linker, "wasi:filesystem/types", "directory-entry-stream")
        types.terminalInput = resource(linker, "wasi:cli/terminal-input", "terminal-input")
        types.terminalOutput = resource(linker, "wasi:cli/terminal-output", "terminal-output")
        types.network = resource(linker, "wasi:sockets/network", "network")
        bindError(to: linker)
        bindPoll(to: linker)
        bindStreams(to: linker)
        bindTypes(to: linker)
        bindPreopens(to: linker)
        bindEnvironment(to: linker)
        bindExit(to: linker)
        bindStdio(to: linker)
        bindTerminals(to: linker)
        bindMonotonicClock(to: linker)
        bindWallClock(to: linker)
        bindRandom(to: linker)
        bindInsecureRandom(to: linker)
        bindInsecureSeed(to: linker)
        bindSockets(to: linker, for: component)
    }

    private func resource(_ linker: ComponentLinker, _ interface: String, _ name: String) -> ResourceType {
        linker.defineResource(Self.interface(interface), name) { [unowned self] representation in
            self.resources.remove(representation)
        }
    }

    // MARK: Resources

    /// Stores a new host object and returns the `own` handle the guest receives.
    func own(_ resource: HostResource, _ type: ResourceType) throws(DescriptorLimitReached) -> ComponentValue {
        .own(ResourceHandle(type: type, representation: try resources.insert(resource)))
    }
}
