// The automatic resolver's decisions, proved by injecting openat2 failures (debug builds only).
#if DEBUG
@testable import CapStd
import SystemPackage
import Testing

@Suite("Automatic resolver fallback")
struct FallbackTests {
    private func automaticSandbox() throws -> (Sandbox, Dir) {
        let sandbox = try Sandbox(resolver: .kernel, tree: standardTree)
        let automatic = try sandbox.openRoot(resolver: .automatic)
        return (sandbox, automatic)
    }

    @Test("automatic uses openat2 on this kernel")
    func automaticPrefersKernel() throws {
        let (sandbox, dir) = try automaticSandbox()
        defer { withExtendedLifetime(sandbox) {} }
        #expect(dir.resolver == .kernel)
        let plan = FaultInjection(openat2Failures: [])
        try FaultInjection.$current.withValue(plan) { () throws in
            #expect(try dir.readString("f") == "hello")
        }
        #expect(plan.kernelCalls == 1)
        #expect(plan.userspaceCalls == 0)
    }

    @Test("EAGAIN from a concurrent rename is retried in the kernel")
    func eagainIsRetried() throws {
        let (sandbox, dir) = try automaticSandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let plan = FaultInjection(openat2Failures: [.resourceTemporarilyUnavailable, .resourceTemporarilyUnavailable])
        try FaultInjection.$current.withValue(plan) { () throws in
            #expect(try dir.readString("d/g") == "inner")
        }
        #expect(plan.kernelCalls == 3)
        #expect(plan.userspaceCalls == 0)
    }

    @Test("EAGAIN that persists falls back to userspace for that call, with the same answer")
    func persistentEagainFallsBack() throws {
        let (sandbox, dir) = try automaticSandbox()
        let failures = Array(repeating: Errno.resourceTemporarilyUnavailable, count: Beneath.maxKernelRetries + 1)
        let plan = FaultInjection(openat2Failures: failures)
        try FaultInjection.$current.withValue(plan) { () throws in
            let error = capStdError { _ = try dir.read("d/../../outside/secret") }
            #expect(error?.isEscape == true)
        }
        #expect(plan.kernelCalls == Beneath.maxKernelRetries + 1)
        #expect(plan.userspaceCalls == 1)
        try sandbox.expectOutsideUntouched()
    }

    @Test("the kernel-only resolver reports EAGAIN after its retries instead of falling back")
    func kernelOnlyReportsEagain() throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: standardTree)
        let failures = Array(repeating: Errno.resourceTemporarilyUnavailable, count: Beneath.maxKernelOnlyRetries + 1)
        let plan = FaultInjection(openat2Failures: failures)
        FaultInjection.$current.withValue(plan) {
            let error = capStdError { _ = try sandbox.root.read("f") }
            #expect(error?.errno == .resourceTemporarilyUnavailable)
        }
        #expect(plan.kernelCalls == Beneath.maxKernelOnlyRetries + 1)
        #expect(plan.userspaceCalls == 0)
    }

    @Test("seccomp-style EPERM and E2BIG fall back for that call only", arguments: [Errno.notPermitted, .argListTooLong])
    func refusalFallsBackOnce(_ refusal: Errno) throws {
        let (sandbox, dir) = try automaticSandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let plan = FaultInjection(openat2Failures: [refusal])
        try FaultInjection.$current.withValue(plan) { () throws in
            #expect(try dir.readString("link-d/g") == "inner")
            #expect(try dir.readString("f") == "hello")
        }
        #expect(plan.kernelCalls == 2)
        #expect(plan.userspaceCalls == 1)
    }

    @Test("ENOSYS switches to userspace for good, and escapes are still refused")
    func enosysIsRemembered() throws {
        let (sandbox, dir) = try automaticSandbox()
        let plan = FaultInjection(openat2Failures: [.noFunction])
        try FaultInjection.$current.withValue(plan) { () throws in
            #expect(try dir.readString("f") == "hello")
            #expect(try dir.readString("chain1") == "hello")
            #expect(capStdError { _ = try dir.read("esc-rel") }?.isEscape == true)
            #expect(capStdError { _ = try dir.read("../canary") }?.isEscape == true)
        }
        #expect(plan.kernelCalls == 1)
        #expect(plan.userspaceCalls == 4)
        try sandbox.expectOutsideUntouched()
    }

    @Test("a real error from openat2 is reported, not retried in userspace")
    func realErrorsAreReported() throws {
        let (sandbox, dir) = try automaticSandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let plan = FaultInjection(openat2Failures: [])
        FaultInjection.$current.withValue(plan) {
            #expect(capStdError { _ = try dir.read("nope") }?.errno == .noSuchFileOrDirectory)
        }
        #expect(plan.kernelCalls == 1)
        #expect(plan.userspaceCalls == 0)
    }
}
#endif
