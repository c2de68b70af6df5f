// wasi:clocks/monotonic-clock: CLOCK_MONOTONIC in nanoseconds, and pollables that wait on it.
import CapComponent

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Preview2Host {
    func bindMonotonicClock(to linker: ComponentLinker) {
        let clock = "wasi:clocks/monotonic-clock"
        define(linker, clock, "now") { _ in .u64(InstancePolicy.monotonicNow()) }
        define(linker, clock, "resolution") { _ in
            var resolution = timespec()
            clock_getres(CLOCK_MONOTONIC, &resolution)
            return .u64(UInt64(resolution.tv_sec) * 1_000_000_000 + UInt64(resolution.tv_nsec))
        }
        define(linker, clock, "subscribe-instant") { (host, instant: UInt64) in
            try host.own(.pollable(.monotonic(instant)), host.types.pollable)
        }
        define(linker, clock, "subscribe-duration") { (host, duration: UInt64) in
            let (instant, overflow) = InstancePolicy.monotonicNow().addingReportingOverflow(duration)
            return try host.own(.pollable(.monotonic(overflow ? .max : instant)), host.types.pollable)
        }
    }
}
