// The raw Linux file system calls CapStd needs that Swift cannot call or name directly.
// Compiled with _GNU_SOURCE here, and only here: the header must not change how Swift's Glibc
// module sees the system headers.
#define _GNU_SOURCE
#include "CCapStdShims.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/openat2.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

const int CAPSULE_O_PATH = O_PATH;
const int CAPSULE_O_DIRECTORY = O_DIRECTORY;
const int CAPSULE_O_NOFOLLOW = O_NOFOLLOW;
const int CAPSULE_O_SYNC = O_SYNC;
const int CAPSULE_O_DSYNC = O_DSYNC;
const int CAPSULE_O_CLOEXEC = O_CLOEXEC;
const int CAPSULE_AT_EMPTY_PATH = AT_EMPTY_PATH;
const int CAPSULE_AT_SYMLINK_NOFOLLOW = AT_SYMLINK_NOFOLLOW;
const int CAPSULE_AT_REMOVEDIR = AT_REMOVEDIR;
const long CAPSULE_UTIME_NOW = UTIME_NOW;
const long CAPSULE_UTIME_OMIT = UTIME_OMIT;
const uint64_t CAPSULE_RESOLVE_BENEATH = RESOLVE_BENEATH;
const uint64_t CAPSULE_RESOLVE_NO_MAGICLINKS = RESOLVE_NO_MAGICLINKS;
const unsigned CAPSULE_RENAME_NOREPLACE = RENAME_NOREPLACE;
const unsigned CAPSULE_RENAME_EXCHANGE = RENAME_EXCHANGE;
const long CAPSULE_PROC_SUPER_MAGIC = 0x9fa0;

static int capsule_result(long r) { return r < 0 ? -errno : (int)r; }
static long capsule_result_long(long r) { return r < 0 ? -errno : r; }

/// openat2(2) with RESOLVE_* flags; glibc has no wrapper for it.
int capsule_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
    return capsule_result(syscall(SYS_openat2, dirfd, path, &how, sizeof how));
}
int capsule_openat(int dirfd, const char *path, int flags, unsigned mode) {
    return capsule_result(openat(dirfd, path, flags, (mode_t)mode));
}
int capsule_close(int fd) { return capsule_result(close(fd)); }
int capsule_dup(int fd) { return capsule_result(fcntl(fd, F_DUPFD_CLOEXEC, 0)); }
int capsule_mkdirat(int dirfd, const char *path, unsigned mode) {
    return capsule_result(mkdirat(dirfd, path, (mode_t)mode));
}
int capsule_unlinkat(int dirfd, const char *path, int flags) {
    return capsule_result(unlinkat(dirfd, path, flags));
}
int capsule_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags) {
    return capsule_result(syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags));
}
int capsule_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags) {
    return capsule_result(linkat(olddirfd, oldpath, newdirfd, newpath, flags));
}
int capsule_symlinkat(const char *target, int dirfd, const char *path) {
    return capsule_result(symlinkat(target, dirfd, path));
}
long capsule_readlinkat(int dirfd, const char *path, char *buffer, size_t size) {
    return capsule_result_long(readlinkat(dirfd, path, buffer, size));
}
int capsule_fstat(int fd, struct stat *out) { return capsule_result(fstat(fd, out)); }
int capsule_fstatat(int dirfd, const char *path, struct stat *out, int flags) {
    return capsule_result(fstatat(dirfd, path, out, flags));
}
/// The file system magic number (statfs f_type) of the file behind fd.
long capsule_fstatfs_type(int fd) {
    struct statfs s;
    long r = fstatfs(fd, &s);
    return r < 0 ? -errno : (long)s.f_type;
}
int capsule_utimensat(int dirfd, const char *path, int64_t atimeSec, long atimeNsec,
                                    int64_t mtimeSec, long mtimeNsec, int flags) {
    struct timespec times[2] = { { atimeSec, atimeNsec }, { mtimeSec, mtimeNsec } };
    return capsule_result(utimensat(dirfd, path, times, flags));
}
/// fchmodat2(2) (Linux 6.6) on the file an O_PATH descriptor names; on older kernels, chmod through
/// that descriptor's /proc/self/fd entry, which names the same inode and nothing else.
int capsule_fchmod_path_fd(int fd, unsigned mode) {
    long r = syscall(SYS_fchmodat2, fd, "", (mode_t)mode, AT_EMPTY_PATH);
    if (r == 0) return 0;
    if (errno != ENOSYS && errno != EINVAL) return -errno;
    char procPath[64];
    snprintf(procPath, sizeof procPath, "/proc/self/fd/%d", fd);
    return capsule_result(fchmodat(AT_FDCWD, procPath, (mode_t)mode, 0));
}
int capsule_fchmod(int fd, unsigned mode) { return capsule_result(fchmod(fd, (mode_t)mode)); }
long capsule_getdents64(int fd, void *buffer, size_t size) {
    return capsule_result_long(syscall(SYS_getdents64, fd, buffer, size));
}
long capsule_read(int fd, void *buffer, size_t size) { return capsule_result_long(read(fd, buffer, size)); }
long capsule_write(int fd, const void *buffer, size_t size) {
    return capsule_result_long(write(fd, buffer, size));
}
long capsule_pread(int fd, void *buffer, size_t size, int64_t offset) {
    return capsule_result_long(pread(fd, buffer, size, (off_t)offset));
}
long capsule_pwrite(int fd, const void *buffer, size_t size, int64_t offset) {
    return capsule_result_long(pwrite(fd, buffer, size, (off_t)offset));
}
long capsule_write_appending(int fd, const void *buffer, size_t size) {
    struct iovec vector = {(void *)buffer, size};
    ssize_t written = pwritev2(fd, &vector, 1, -1, RWF_APPEND);
    if (written >= 0 || (errno != ENOSYS && errno != EOPNOTSUPP)) return capsule_result_long(written);
    // Before Linux 4.16: switch the open file description to append mode for this one write.
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -errno;
    if (fcntl(fd, F_SETFL, flags | O_APPEND) < 0) return -errno;
    written = write(fd, buffer, size);
    int saved = errno;
    fcntl(fd, F_SETFL, flags);
    errno = saved;
    return capsule_result_long(written);
}
int64_t capsule_lseek(int fd, int64_t offset, int whence) {
    off_t r = lseek(fd, (off_t)offset, whence);
    return r < 0 ? -errno : (int64_t)r;
}
int capsule_ftruncate(int fd, int64_t length) { return capsule_result(ftruncate(fd, (off_t)length)); }
int capsule_fsync(int fd) { return capsule_result(fsync(fd)); }
int capsule_fdatasync(int fd) { return capsule_result(fdatasync(fd)); }
long capsule_copy_file_range(int in, int out, size_t length) {
    return capsule_result_long(copy_file_range(in, NULL, out, NULL, length, 0));
}

