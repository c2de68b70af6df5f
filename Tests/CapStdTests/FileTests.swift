// File: reads, writes, positional I/O, seeking, length, sync and times on an open descriptor.
import CapStd
import SystemPackage
import Testing

@Suite("File")
struct FileTests {
    @Test("sequential and positional reads and writes")
    func readWrite() throws {
        let sandbox = try Sandbox(resolver: .kernel)
        let file = try sandbox.root.open("f", options: OpenOptions(read: true, write: true, create: true))
        try file.writeAll(Array("hello world".utf8))
        #expect(try file.offset() == 11)
        try file.seek(to: 0)
        #expect(try file.read(upTo: 5) == Array("hello".utf8))
        #expect(try file.readToEnd() == Array(" world".utf8))
        #expect(try file.read(upTo: 10).isEmpty)
        let written = try Array("HELLO".utf8).withUnsafeBytes { bytes in try file.write(bytes, at: 0) }
        #expect(written == 5)
        var buffer = [UInt8](repeating: 0, count: 5)
        let got = try buffer.withUnsafeMutableBytes { bytes in try file.read(into: bytes, at: 6) }
        #expect(got == 5)
        #expect(buffer == Array("world".utf8))
        #expect(try file.offset() == 11)
        #expect(try file.seek(to: -5, from: .end) == 6)
        #expect(try file.seek(to: 1, from: .current) == 7)
        try file.sync()
        try file.syncData()
        #expect(try sandbox.root.readString("f") == "HELLO world")
    }

    @Test("append writes at the end whatever the offset, without O_APPEND, and moves the offset")
    func append() throws {
        let sandbox = try Sandbox(resolver: .kernel)
        let file = try sandbox.root.open("f", options: OpenOptions(read: true, write: true, create: true))
        try file.writeAll(Array("0123".utf8))
        try file.seek(to: 1)
        let appended = try Array("ab".utf8).withUnsafeBytes { bytes in try file.append(bytes) }
        #expect(appended == 2)
        #expect(try file.offset() == 6)
        try file.seek(to: 0)
        try file.writeAll(Array("X".utf8))
        #expect(try sandbox.root.readString("f") == "X123ab")
        #expect(try Self.statusFlags(of: "\(sandbox.path)/root/f") & 0o2000 == 0)
        file.close()
    }

    @Test("synchronization opens with O_DSYNC or O_SYNC", arguments: [
        (OpenOptions.Synchronization.none, 0), (.data, 0o10000), (.file, 0o4010000),
    ])
    func synchronization(_ mode: OpenOptions.Synchronization, _ flags: Int) throws {
        let sandbox = try Sandbox(resolver: .kernel)
        let file = try sandbox.root.open("f", options: OpenOptions(write: true, create: true, synchronization: mode))
        #expect(try Self.statusFlags(of: "\(sandbox.path)/root/f") & 0o4010000 == flags)
        file.close()
    }

    /// The status flags (`O_*`) of the one descriptor this process holds on `path`, from procfs.
    static func statusFlags(of path: String) throws -> Int {
        let descriptors = try Dir.openAmbient("/proc/self/fd", ambientAuthority())
        let info = try Dir.openAmbient("/proc/self/fdinfo", ambientAuthority())
        let matching = try descriptors.entries().filter { (try? descriptors.readLinkContents($0.name).description) == path }
        #expect(matching.count == 1)
        let text = try info.readString(try #require(matching.first).name)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("flags:") })
        return try #require(Int(line.dropFirst("flags:".count).trimmingPrefix(while: \.isWhitespace), radix: 8))
    }

    @Test("setLength, metadata, setTimes and setPermissions on the descriptor")
    func lengthAndMetadata() throws {
        let sandbox = try Sandbox(resolver: .kernel)
        let file = try sandbox.root.create("f")
        try file.setLength(4096)
        #expect(try file.metadata().size == 4096)
        try file.setLength(3)
        #expect(try sandbox.root.read("f") == [0, 0, 0])
        let time = FileTimestamp(seconds: 42, nanoseconds: 7)
        try file.setTimes(accessed: .at(time), modified: .at(time))
        #expect(try file.metadata().modified == time)
        try file.setPermissions(.ownerRead)
        #expect(try file.metadata().permissions == .ownerRead)
    }

    @Test("a closed File refuses every call with a clear error, and close is idempotent")
    func closed() throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: ["f=x"])
        let file = try sandbox.root.open("f")
        file.close()
        file.close()
        let error = capStdError { _ = try file.readToEnd() }
        #expect(error?.code == .closed)
        #expect(error?.description == #"read "f": the handle is closed (EBADF)"#)
        #expect(capStdError { _ = try file.metadata() }?.code == .closed)
    }
}
