// The host process's own standard streams, for guests configured to inherit them.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads and writes the host's descriptors 0, 1 and 2: already open, no path involved.
enum HostStreams {
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        var written = 0
        while written < bytes.count {
            let result = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                break
            }
            written += result
        }
        return written
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let result = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if result < 0 && errno == EINTR { continue }
            return max(result, 0)
        }
    }
}
