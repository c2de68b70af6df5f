// The process's standard streams, as a host that hands them to a guest describes them.

/// The process's own descriptors 0, 1 and 2, which a WASI host passes to a guest that inherits
/// them.
///
/// Asking about a descriptor the process already holds names no path: no ambient authority is
/// involved, so no ``AmbientAuthority`` token is needed.
public enum StandardStreams {
    /// Whether the process's standard input (0), output (1) or error (2) is a terminal, as
    /// `isatty` says: a pipe, a file or `/dev/null` is not. False for any other descriptor.
    ///
    /// Syscalls: `isatty` (an `ioctl(TCGETS)`).
    public static func isTerminal(_ fd: Int32) -> Bool {
        (0...2).contains(fd) && Syscalls.isTerminal(fd)
    }
}
