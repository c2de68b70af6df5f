// The constants Syscalls/ gives the rest of CapStd are the C library's own.
@testable import CapStd
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

@Suite("Syscalls constants")
struct SyscallConstantsTests {
    @Test("open flags, seek origins and file type bits equal the C library's")
    func constants() {
        #expect(Syscalls.openReadOnly == O_RDONLY)
        #expect(Syscalls.openWriteOnly == O_WRONLY)
        #expect(Syscalls.openReadWrite == O_RDWR)
        #expect(Syscalls.openCreate == O_CREAT)
        #expect(Syscalls.openExclusive == O_EXCL)
        #expect(Syscalls.openTruncate == O_TRUNC)
        #expect(Syscalls.openAppend == O_APPEND)
        #expect(Syscalls.openNonBlocking == O_NONBLOCK)
        #expect(Syscalls.seekStart == SEEK_SET)
        #expect(Syscalls.seekCurrent == SEEK_CUR)
        #expect(Syscalls.seekEnd == SEEK_END)
        #expect(Syscalls.fileTypeMask == Glibc.S_IFMT)
        #expect(Syscalls.typeDirectory == Glibc.S_IFDIR)
        #expect(Syscalls.typeSymlink == Glibc.S_IFLNK)
    }
}
