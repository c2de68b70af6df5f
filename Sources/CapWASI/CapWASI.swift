// CapWASI: the WASI preview 1 host whose file system is CapStd (built in issue #4).
import CapStd

/// The WASI preview 1 host for Capsule. Its functions arrive with issue #4; until then the module
/// only fixes its place in the architecture: it sees the file system through `Dir` alone.
public enum CapWASI {
    /// The WASI version this module implements.
    public static let wasiVersion = "wasi_snapshot_preview1"
}
