// wasi:clocks/wall-clock: CLOCK_REALTIME as a datetime record.
import CapComponent

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension Preview2Host {
    /// A `datetime` record: seconds and nanoseconds.
    static func datetime(seconds: UInt64, nanoseconds: UInt32) -> ComponentValue {
        .record([.u64(seconds), .u32(nanoseconds)])
    }

    func bindWallClock(to linker: ComponentLinker) {
        let clock = "wasi:clocks/wall-clock"
        define(linker, clock, "now") { _ in
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            return Self.datetime(seconds: UInt64(max(0, now.tv_sec)), nanoseconds: UInt32(now.tv_nsec))
        }
        define(linker, clock, "resolution") { _ in
            var resolution = timespec()
            clock_getres(CLOCK_REALTIME, &resolution)
            return Self.datetime(seconds: UInt64(resolution.tv_sec), nanoseconds: UInt32(resolution.tv_nsec))
        }
    }
}
