// Resolution beneath a directory by the kernel: openat2(2) with RESOLVE_BENEATH.
import SystemPackage

import Synchronization

/// `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`: the kernel refuses absolute paths, `..`
/// above the base and symlinks that leave it with `EXDEV`, magic links with `ELOOP`, and reports
/// `EAGAIN` when a concurrent rename or mount could have made a `..` step unsafe.
enum KernelResolver {
    /// Whether this kernel has `openat2`, probed once without touching the file system.
    static var isAvailable: Bool {
        #if DEBUG
        if FaultInjection.current?.kernelMarkedUnavailable == true { return false }
        #endif
        switch availability.load(ordering: .relaxed) {
        case 1: return true
        case 2: return false
        default:
            // An invalid descriptor with an empty path: EBADF says the call exists.
            let result: Bool
            do {
                _ = try Syscalls.openat2(-1, "", flags: 0, mode: 0)
                result = true
            } catch {
                result = error != .noFunction && error != .notPermitted
            }
            availability.store(result ? 1 : 2, ordering: .relaxed)
            return result
        }
    }

    /// Records that the kernel refused `openat2` as missing (`ENOSYS`), so later calls skip it.
    static func markUnavailable() {
        #if DEBUG
        // An injected ENOSYS must not switch the whole test process to userspace.
        if let plan = FaultInjection.current {
            plan.markKernelUnavailable()
            return
        }
        #endif
        availability.store(2, ordering: .relaxed)
    }

    /// 0: not probed yet; 1: available; 2: missing.
    private static let availability = Atomic<Int>(0)

    static func open(_ base: Int32, _ path: UnsafePointer<CChar>, flags: Int32, mode: Syscalls.Mode) throws(Errno) -> Int32 {
        #if DEBUG
        if let injected = FaultInjection.nextOpenat2Failure() { throw injected }
        #endif
        // openat2, unlike openat, refuses a mode without O_CREAT (EINVAL); CapStd never uses O_TMPFILE.
        return try Syscalls.openat2(base, path, flags: flags, mode: flags & Syscalls.openCreate != 0 ? mode : 0)
    }
}
