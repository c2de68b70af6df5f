// Copying a file's contents between Dirs.
import SystemPackage

extension Dir {
    /// Copies the contents and permission bits of the file at `source` to `destination` in
    /// `destinationDir`, creating it or replacing its contents.
    ///
    /// - Returns: the number of bytes copied.
    ///
    /// The corresponding system call is `copy_file_range(2)`, with `read`/`write` where the file
    /// systems cannot copy in the kernel.
    @discardableResult
    public func copy(_ source: RawPath, to destination: RawPath, in destinationDir: Dir) throws(CapStdError) -> Int64 {
        try destinationDir.requireWritable("copy", destination)
        let input = try openDescriptor("copy", source, flags: Syscalls.openReadOnly)
        defer { Syscalls.close(input) }
        let permissions: Syscalls.Mode
        do throws(Errno) {
            let info = try Syscalls.fstat(input)
            if info.st_mode & Syscalls.fileTypeMask == Syscalls.typeDirectory { throw Errno.isDirectory }
            permissions = info.st_mode & 0o7777
        } catch {
            throw CapStdError("copy", source, error)
        }
        let output = try destinationDir.openDescriptor(
            "copy", destination, flags: Syscalls.openWriteOnly | Syscalls.openCreate | Syscalls.openTruncate, mode: permissions)
        defer { Syscalls.close(output) }
        do {
            try Syscalls.fchmod(output, mode: permissions)
            return try Self.copyContents(from: input, to: output)
        } catch {
            throw CapStdError("copy", destination, error)
        }
    }

    private static func copyContents(from input: Int32, to output: Int32) throws(Errno) -> Int64 {
        var total: Int64 = 0
        while true {
            let copied: Int
            do {
                copied = try Syscalls.copyFileRange(from: input, to: output, length: 1 << 30)
            } catch where [.improperLink, .noFunction, .invalidArgument, .notSupported].contains(error) && total == 0 {
                return try copyByReading(from: input, to: output)
            }
            if copied == 0 { return total }
            total += Int64(copied)
        }
    }

    private static func copyByReading(from input: Int32, to output: Int32) throws(Errno) -> Int64 {
        var total: Int64 = 0
        try withUnsafeTemporaryAllocation(byteCount: 64 * 1024, alignment: 16) { (buffer) throws(Errno) in
            while true {
                let got = try Syscalls.read(input, into: buffer)
                if got == 0 { return }
                var written = 0
                while written < got {
                    written += try Syscalls.write(output, from: UnsafeRawBufferPointer(rebasing: buffer[written..<got]))
                }
                total += Int64(got)
            }
        }
        return total
    }
}
