// Dir.openRegularFile (never blocks, never returns anything but a regular file) and lending a
// File's descriptor to code that needs one.
import CapStd
import Foundation
import Glibc
import SystemPackage
import Testing

@Suite("Dir.openRegularFile and descriptor lending")
struct OpenRegularFileTests {
    @Test("regular files open, through symlinks inside too; directories and escapes do not", arguments: bothResolvers)
    func regularOnly(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver, tree: ["f=hello", "d/", "link -> f", "out -> $OUT/secret", "up -> ../canary"])
        let root = sandbox.root
        #expect(try root.openRegularFile("f").readToEnd() == Array("hello".utf8))
        #expect(try root.openRegularFile("link").readToEnd() == Array("hello".utf8))
        #expect(capStdError { _ = try root.openRegularFile("link", followSymlinks: false) }?.errno == .tooManySymbolicLinkLevels)
        #expect(capStdError { _ = try root.openRegularFile("d") }?.code == .notRegularFile)
        #expect(capStdError { _ = try root.openRegularFile(".") }?.code == .notRegularFile)
        #expect(capStdError { _ = try root.openRegularFile("out") }?.isEscape == true)
        #expect(capStdError { _ = try root.openRegularFile("up") }?.isEscape == true)
        #expect(capStdError { _ = try root.openRegularFile("missing") }?.errno == .noSuchFileOrDirectory)
        try sandbox.expectOutsideUntouched()
    }

    @Test("a FIFO with no writer is refused at once instead of blocking the open", arguments: bothResolvers)
    func fifoDoesNotBlock(_ resolver: Resolver) throws {
        let sandbox = try Sandbox(resolver: resolver)
        guard mkfifo(sandbox.path + "/root/pipe", 0o600) == 0 else { throw Errno(rawValue: errno) }
        // If the open blocked, this writer would release it after two seconds, and the time
        // check below would fail rather than the test hang.
        let path = sandbox.path + "/root/pipe"
        let releaser = Thread {
            Thread.sleep(forTimeInterval: 2)
            let fd = Glibc.open(path, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { Glibc.close(fd) }
        }
        let start = ContinuousClock.now
        releaser.start()
        #expect(capStdError { _ = try sandbox.root.openRegularFile("pipe") }?.code == .notRegularFile)
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test("a lent descriptor reads the same file and stays valid for the call; a duplicate outlives the File")
    func lending() throws {
        let sandbox = try Sandbox(resolver: .kernel, tree: ["f=lent bytes"])
        let file = try sandbox.root.openRegularFile("f")
        let viaLent = try file.withUnsafeDescriptor { descriptor in
            var buffer = [UInt8](repeating: 0, count: 4)
            let count = try buffer.withUnsafeMutableBytes { try descriptor.read(fromAbsoluteOffset: 5, into: $0) }
            return Array(buffer.prefix(count))
        }
        #expect(viaLent == Array("byte".utf8))
        let duplicate = try file.duplicateDescriptor()
        file.close()
        #expect(throws: CapStdError.self) { try file.withUnsafeDescriptor { _ in } }
        var buffer = [UInt8](repeating: 0, count: 4)
        let count = try buffer.withUnsafeMutableBytes { try duplicate.read(fromAbsoluteOffset: 0, into: $0) }
        #expect(Array(buffer.prefix(count)) == Array("lent".utf8))
        #expect(fcntl(duplicate.rawValue, F_GETFD) & FD_CLOEXEC != 0)
        try duplicate.close()
    }
}
