// Checking a caller's path once, and splitting it into parent and final name, for every operation.
import SystemPackage

/// Linux's PATH_MAX, counting the terminating NUL: longer paths fail with `ENAMETOOLONG` in both
/// resolvers, as the kernel's own path copy does.
let pathMax = 4096

/// Where the final component of a path lies, and what kind of name it is.
struct FinalComponent {
    enum Kind { case normal, dot, dotDot }

    /// Byte offsets of the name; `parentLength` bytes before `start` name its directory (0: the base).
    let start: Int
    let stop: Int
    let kind: Kind
    /// `name/`: the name must be a directory, and lookups follow it if it is a symlink.
    let hasTrailingSlash: Bool
    var parentLength: Int { start }
}

extension RawPath {
    /// Refuses a NUL byte or an over-long path, then calls `body` with the path's bytes in a
    /// temporary buffer followed by a NUL (the buffer's `count` excludes it).
    func withCheckedBytes<R>(
        _ operation: String, _ body: (UnsafeMutableBufferPointer<UInt8>) throws(Errno) -> R
    ) throws(CapStdError) -> R {
        if bytes.contains(0) { throw CapStdError(operation, self, .invalidArgument, code: .containsNUL) }
        if bytes.count >= pathMax { throw CapStdError(operation, self, .fileNameTooLong) }
        let count = bytes.count
        do {
            return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 1) {
                (buffer) throws(Errno) -> R in
                _ = buffer.initialize(from: bytes)
                buffer[count] = 0
                return try body(UnsafeMutableBufferPointer(rebasing: buffer[..<count]))
            }
        } catch {
            throw CapStdError(operation, self, error)
        }
    }
}

enum PathSplit {
    private static let slash = UInt8(ascii: "/")
    private static let dot = UInt8(ascii: ".")

    /// Finds the final component of a checked path: `a/b/` gives `b` with a trailing slash.
    /// An empty path is `ENOENT` and an absolute one an escape, as in both resolvers.
    static func finalComponent(of path: UnsafeMutableBufferPointer<UInt8>) throws(Errno) -> FinalComponent {
        if path.isEmpty { throw .noSuchFileOrDirectory }
        if path[0] == slash { throw .improperLink }
        var stop = path.count
        while stop > 0 && path[stop - 1] == slash { stop -= 1 }
        var start = stop
        while start > 0 && path[start - 1] != slash { start -= 1 }
        let length = stop - start
        let kind: FinalComponent.Kind =
            if length == 1 && path[start] == dot { .dot }
            else if length == 2 && path[start] == dot && path[start + 1] == dot { .dotDot }
            else { .normal }
        return FinalComponent(start: start, stop: stop, kind: kind, hasTrailingSlash: stop < path.count)
    }
}
