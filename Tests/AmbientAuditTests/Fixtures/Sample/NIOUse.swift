import NIOCore
import NIOFileSystem
import NIOPosix

func nio(fileIO: NonBlockingFileIO) async throws {
    _ = try await fileIO.openFile(path: "/etc/passwd", mode: .read)
    _ = FileSystemError.remove(errno: 2, path: "x")
    let fs = FileSystem.shared
    _ = try await fs.info(forFileAt: "/etc")
}
