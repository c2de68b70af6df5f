// args_*, environ_*, clock_*, random_get.
import WasmKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension WASIHost {
    func defineArgsClocksRandom(into imports: inout Imports, store: Store) {
        function("args_sizes_get", [.i32, .i32], into: &imports, store: store) { host, memory, arguments_ throws(WASIErrno) in
            try memory.store(UInt32(host.encodedArguments.count), at: arguments_[0].u32)
            try memory.store(UInt32(host.encodedArguments.reduce(0) { $0 + $1.count }), at: arguments_[1].u32)
        }
        function("args_get", [.i32, .i32], into: &imports, store: store) { host, memory, arguments_ throws(WASIErrno) in
            try Self.storeStrings(host.encodedArguments, pointers: arguments_[0].u32, buffer: arguments_[1].u32, memory)
        }
        function("environ_sizes_get", [.i32, .i32], into: &imports, store: store) { host, memory, arguments_ throws(WASIErrno) in
            try memory.store(UInt32(host.encodedEnvironment.count), at: arguments_[0].u32)
            try memory.store(UInt32(host.encodedEnvironment.reduce(0) { $0 + $1.count }), at: arguments_[1].u32)
        }
        function("environ_get", [.i32, .i32], into: &imports, store: store) { host, memory, arguments_ throws(WASIErrno) in
            try Self.storeStrings(host.encodedEnvironment, pointers: arguments_[0].u32, buffer: arguments_[1].u32, memory)
        }

        function("clock_res_get", [.i32, .i32], into: &imports, store: store) { _, memory, arguments_ throws(WASIErrno) in
            var resolution = timespec()
            guard clock_getres(try Self.clock(arguments_[0].u32), &resolution) == 0 else { throw .invalid }
            try memory.store(UInt64(resolution.tv_sec) * 1_000_000_000 + UInt64(resolution.tv_nsec), at: arguments_[1].u32)
        }
        function("clock_time_get", [.i32, .i64, .i32], into: &imports, store: store) { _, memory, arguments_ throws(WASIErrno) in
            var now = timespec()
            guard clock_gettime(try Self.clock(arguments_[0].u32), &now) == 0 else { throw .invalid }
            try memory.store(UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec), at: arguments_[2].u32)
        }

        function("random_get", [.i32, .i32], into: &imports, store: store) { _, memory, arguments_ throws(WASIErrno) in
            try memory.withMutableBytes(at: arguments_[0].u32, count: arguments_[1].u32) { InstancePolicy.fillRandom($0) }
        }
    }

    /// Writes NUL-terminated strings into `buffer` and their addresses into `pointers`.
    private static func storeStrings(
        _ strings: [[UInt8]], pointers: UInt32, buffer: UInt32, _ memory: GuestMemory
    ) throws(WASIErrno) {
        var offset = buffer
        for (index, string) in strings.enumerated() {
            try memory.store(offset, at: pointers + UInt32(index) * 4)
            try memory.store(string, at: offset)
            offset += UInt32(string.count)
        }
    }

    /// The host clock for a WASI `clockid`.
    static func clock(_ id: UInt32) throws(WASIErrno) -> clockid_t {
        switch id {
        case 0: CLOCK_REALTIME
        case 1: CLOCK_MONOTONIC
        case 2: CLOCK_PROCESS_CPUTIME_ID
        case 3: CLOCK_THREAD_CPUTIME_ID
        default: throw .invalid
        }
    }
}
