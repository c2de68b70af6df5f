// Which mechanism confines path resolution beneath a Dir.

/// How a `Dir` resolves paths beneath itself. Both resolvers give the same result for every path.
public enum Resolver: Sendable, Hashable, CustomStringConvertible {
    /// The kernel's `openat2(2)` with `RESOLVE_BENEATH` where the kernel has it (Linux 5.6 and
    /// later, and not blocked by a seccomp filter); the userspace walk otherwise.
    case automatic
    /// Always `openat2(2)`: opening a `Dir` fails with `ENOSYS` where the kernel lacks it. A call
    /// whose `..` steps keep racing with renames elsewhere on the system (the kernel's check is
    /// global) is retried, then fails with `EAGAIN`; `.automatic` answers it in userspace instead.
    case kernel
    /// Always the userspace walk: one component at a time with `O_NOFOLLOW`, `..` handled on a
    /// stack of held directories and never sent to the kernel, at most 40 symlinks expanded.
    case userspace

    public var description: String {
        switch self {
        case .automatic: "automatic"
        case .kernel: "kernel (openat2 RESOLVE_BENEATH)"
        case .userspace: "userspace"
        }
    }
}
