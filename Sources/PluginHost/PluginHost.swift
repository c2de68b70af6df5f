// PluginHost: runs WASI plugins for many tenants, each confined to its own Dirs (issue #5).
import CapStd
import CapWASI

/// The multi-tenant plugin host. Its runtime arrives with issue #5.
public enum PluginHostInfo {
    /// Whether the host can run plugins yet; `capsule demo` says so plainly while it cannot.
    public static let isAvailable = false
}
