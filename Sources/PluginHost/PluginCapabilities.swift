// What one tenant's plugin is given: its own directories, environment and limits, nothing else.
import CapStd
import CapWASI

/// Everything one tenant's plugin instance may reach.
///
/// The `Dir` values come from the embedder's single start-up spot that holds the
/// `AmbientAuthority`; the host itself never opens anything by path.
public struct PluginCapabilities: Sendable {
    /// The tenant's name, used in results and denial reports.
    public var tenant: String
    /// Always passed to the guest read-only, as `/config`.
    public var config: Dir
    /// Passed read-write, as `/output`.
    public var output: Dir
    /// More directories, as the embedder grants them.
    public var extraPreopens: [Preopen]
    public var arguments: [String]
    public var environment: [(String, String)]
    public var limits: WASILimits
    /// Bytes written and entries created in the tenant's writable directories.
    public var writeQuota: WriteQuota?

    public init(
        tenant: String, config: Dir, output: Dir, extraPreopens: [Preopen] = [], arguments: [String] = [],
        environment: [(String, String)] = [], limits: WASILimits = WASILimits(), writeQuota: WriteQuota? = nil
    ) {
        self.tenant = tenant
        self.config = config
        self.output = output
        self.extraPreopens = extraPreopens
        self.arguments = arguments
        self.environment = environment
        self.limits = limits
        self.writeQuota = writeQuota
    }

    /// The WASI configuration for one run: `/config` read-only, `/output` read-write, then the
    /// extra preopens; standard output and error captured.
    func configuration(programName: String) throws(CapStdError) -> WASIConfiguration {
        WASIConfiguration(
            arguments: [programName] + arguments, environment: environment,
            preopens: [
                try Preopen(guestPath: "/config", dir: config, access: .readOnly),
                try Preopen(guestPath: "/output", dir: output, access: .readWrite),
            ] + extraPreopens,
            stdin: .null, stdout: .capture, stderr: .capture, limits: limits, instanceName: tenant,
            writeQuota: writeQuota)
    }
}
