// The raw Linux file system calls CapStd needs that Swift cannot call or name directly.
// Every function returns the result on success and -errno on failure, so callers never read errno.
#ifndef CCAPSTD_SHIMS_H
#define CCAPSTD_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

extern const int CAPSULE_O_PATH;
extern const int CAPSULE_O_DIRECTORY;
extern const int CAPSULE_O_NOFOLLOW;
extern const int CAPSULE_O_CLOEXEC;
extern const int CAPSULE_O_SYNC;
extern const int CAPSULE_O_DSYNC;
extern const int CAPSULE_AT_EMPTY_PATH;
extern const int CAPSULE_AT_SYMLINK_NOFOLLOW;
extern const int CAPSULE_AT_REMOVEDIR;
extern const long CAPSULE_UTIME_NOW;
extern const long CAPSULE_UTIME_OMIT;
extern const uint64_t CAPSULE_RESOLVE_BENEATH;
extern const uint64_t CAPSULE_RESOLVE_NO_MAGICLINKS;
extern const unsigned CAPSULE_RENAME_NOREPLACE;
extern const unsigned CAPSULE_RENAME_EXCHANGE;
extern const long CAPSULE_PROC_SUPER_MAGIC;

/// openat2(2) with RESOLVE_* flags; glibc has no wrapper for it.
int capsule_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
int capsule_openat(int dirfd, const char *path, int flags, unsigned mode);
int capsule_close(int fd);
int capsule_dup(int fd);
int capsule_mkdirat(int dirfd, const char *path, unsigned mode);
int capsule_unlinkat(int dirfd, const char *path, int flags);
int capsule_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned flags);
int capsule_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
int capsule_symlinkat(const char *target, int dirfd, const char *path);
long capsule_readlinkat(int dirfd, const char *path, char *buffer, size_t size);
int capsule_fstat(int fd, struct stat *out);
int capsule_fstatat(int dirfd, const char *path, struct stat *out, int flags);
/// The file system magic number (statfs f_type) of the file behind fd.
long capsule_fstatfs_type(int fd);
int capsule_utimensat(int dirfd, const char *path, int64_t atimeSec, long atimeNsec,
                      int64_t mtimeSec, long mtimeNsec, int flags);
/// chmod of the file an O_PATH descriptor names: fchmodat2(2) with AT_EMPTY_PATH (Linux 6.6), or
/// chmod of the descriptor's /proc/self/fd entry on older kernels.
int capsule_fchmod_path_fd(int fd, unsigned mode);
int capsule_fchmod(int fd, unsigned mode);
long capsule_getdents64(int fd, void *buffer, size_t size);
long capsule_read(int fd, void *buffer, size_t size);
long capsule_write(int fd, const void *buffer, size_t size);
long capsule_pread(int fd, void *buffer, size_t size, int64_t offset);
long capsule_pwrite(int fd, const void *buffer, size_t size, int64_t offset);
/// A write at the end of the file whatever the descriptor's mode, moving its offset past it:
/// pwritev2(2) with RWF_APPEND at offset -1 (Linux 4.16), or an O_APPEND write on older kernels.
long capsule_write_appending(int fd, const void *buffer, size_t size);
int64_t capsule_lseek(int fd, int64_t offset, int whence);
int capsule_ftruncate(int fd, int64_t length);
int capsule_fsync(int fd);
int capsule_fdatasync(int fd);
/// copy_file_range(2) between the current offsets of two descriptors.
long capsule_copy_file_range(int in, int out, size_t length);

#endif
