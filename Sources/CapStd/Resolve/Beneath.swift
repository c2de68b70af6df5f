// The one place that decides how a path is opened beneath a directory.
import SystemPackage

/// How a `Dir` was told to resolve, after `.automatic` has been settled.
enum ResolutionStrategy: Sendable {
    /// openat2, falling back to the userspace walk when the kernel cannot answer.
    case kernelWithFallback
    /// openat2 only; failures are reported, never worked around.
    case kernelOnly
    /// The userspace walk only.
    case userspace

    init(_ resolver: Resolver) throws(Errno) {
        switch resolver {
        case .automatic: self = KernelResolver.isAvailable ? .kernelWithFallback : .userspace
        case .kernel:
            guard KernelResolver.isAvailable else { throw .noFunction }
            self = .kernelOnly
        case .userspace: self = .userspace
        }
    }

    var resolver: Resolver { self == .userspace ? .userspace : .kernel }
}

enum Beneath {
    /// How often an `EAGAIN` from openat2 (a concurrent rename or mount seen during `..`) is retried
    /// before the call is handed to the userspace walk, which has no such window.
    static let maxKernelRetries = 4

    /// How often the kernel-only resolver retries an `EAGAIN`. It has no walk to hand the call to,
    /// and the kernel's check is global (a rename anywhere on the system during a `..` step), so a
    /// busy machine can fail several attempts in a row; past this bound `EAGAIN` is reported.
    static let maxKernelOnlyRetries = 64

    /// Opens `path` beneath `base`.
    ///
    /// - Parameters:
    ///   - path: the path's bytes; `path.baseAddress![path.count]` must be a NUL byte, and the
    ///     path must already be checked for interior NULs and length.
    ///   - flags: `open(2)` flags; `O_NOFOLLOW` means the final component must not be followed.
    /// - Returns: a descriptor the caller owns.
    static func open(
        _ base: Int32, _ path: UnsafeBufferPointer<UInt8>, flags: Int32, mode: Syscalls.Mode, strategy: ResolutionStrategy
    ) throws(Errno) -> Int32 {
        let cPath = UnsafeRawPointer(path.baseAddress!).assumingMemoryBound(to: CChar.self)
        switch strategy {
        case .userspace:
            return try userspace(base, path, flags: flags, mode: mode)
        case .kernelOnly:
            var attempts = 0
            while true {
                do {
                    return try KernelResolver.open(base, cPath, flags: flags, mode: mode)
                } catch .resourceTemporarilyUnavailable where attempts < maxKernelOnlyRetries {
                    attempts += 1
                }
            }
        case .kernelWithFallback:
            if !KernelResolver.isAvailable { return try userspace(base, path, flags: flags, mode: mode) }
            for _ in 0...maxKernelRetries {
                do {
                    return try KernelResolver.open(base, cPath, flags: flags, mode: mode)
                } catch {
                    switch error {
                    case .resourceTemporarilyUnavailable:
                        // The kernel saw a rename or mount during `..`; ask again.
                        continue
                    case .noFunction:
                        // No openat2 in this kernel (or a seccomp filter hides it): never ask again.
                        KernelResolver.markUnavailable()
                        return try userspace(base, path, flags: flags, mode: mode)
                    case .notPermitted, .argListTooLong:
                        // A seccomp filter refusing openat2, or a kernel that rejects this open_how:
                        // answer this call in userspace, where a real EPERM is reported as itself.
                        return try userspace(base, path, flags: flags, mode: mode)
                    default:
                        throw error
                    }
                }
            }
            // Renames kept racing with openat2: the userspace walk has no EAGAIN window.
            return try userspace(base, path, flags: flags, mode: mode)
        }
    }

    private static func userspace(
        _ base: Int32, _ path: UnsafeBufferPointer<UInt8>, flags: Int32, mode: Syscalls.Mode
    ) throws(Errno) -> Int32 {
        #if DEBUG
        FaultInjection.recordUserspaceCall()
        #endif
        return try UserspaceResolver.open(base, path, flags: flags, mode: mode)
    }
}
