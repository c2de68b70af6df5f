// Benchmark guest: the same file work under every host. Each phase is timed inside the guest
// (CLOCK_MONOTONIC) and printed as "<phase> <nanoseconds> <operations>", so instantiation is
// not counted. Rebuild with build.sh beside this file.
//
//   file-io files N      create+write, read, stat and delete N files of 100 bytes in /work/files
//   file-io stream MIB   write MIB MiB to /work/stream.bin in 64 KiB chunks, read it back, delete it
//   file-io calls N      N fd_fdstat_get(1) calls, then N clock_time_get calls
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static uint64_t now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void report(const char *phase, uint64_t start, long operations) {
    printf("%s %llu %ld\n", phase, (unsigned long long)(now() - start), operations);
}

static int fail(const char *what, const char *path) {
    perror(path);
    fprintf(stderr, "file-io: %s failed\n", what);
    return 1;
}

static int small_files(int count) {
    char path[64];
    char payload[100];
    char buffer[256];
    memset(payload, 'x', sizeof payload);
    if (mkdir("/work/files", 0755) != 0) return fail("mkdir", "/work/files");

    uint64_t start = now();
    for (int index = 0; index < count; index++) {
        snprintf(path, sizeof path, "/work/files/f%d", index);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, payload, sizeof payload) != sizeof payload) return fail("create", path);
        close(fd);
    }
    report("create+write", start, count);

    start = now();
    long total = 0;
    for (int index = 0; index < count; index++) {
        snprintf(path, sizeof path, "/work/files/f%d", index);
        int fd = open(path, O_RDONLY);
        if (fd < 0) return fail("open", path);
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got != sizeof payload) return fail("read", path);
        total += got;
        close(fd);
    }
    report("open+read", start, count);

    start = now();
    struct stat info;
    for (int index = 0; index < count; index++) {
        snprintf(path, sizeof path, "/work/files/f%d", index);
        if (stat(path, &info) != 0 || info.st_size != sizeof payload) return fail("stat", path);
    }
    report("stat", start, count);

    start = now();
    for (int index = 0; index < count; index++) {
        snprintf(path, sizeof path, "/work/files/f%d", index);
        if (unlink(path) != 0) return fail("unlink", path);
    }
    report("unlink", start, count);
    if (rmdir("/work/files") != 0) return fail("rmdir", "/work/files");
    return total == (long)count * (long)sizeof payload ? 0 : fail("byte count", "/work/files");
}

static int stream(int mebibytes) {
    enum { chunk = 64 * 1024 };
    static unsigned char buffer[chunk];
    const char *path = "/work/stream.bin";
    long chunks = (long)mebibytes * 1024 * 1024 / chunk;
    for (int index = 0; index < chunk; index++) buffer[index] = (unsigned char)index;

    uint64_t start = now();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return fail("create", path);
    for (long index = 0; index < chunks; index++) {
        if (write(fd, buffer, chunk) != chunk) return fail("write", path);
    }
    close(fd);
    report("stream-write", start, chunks);

    start = now();
    fd = open(path, O_RDONLY);
    if (fd < 0) return fail("open", path);
    unsigned long checksum = 0;
    long total = 0;
    ssize_t got;
    while ((got = read(fd, buffer, chunk)) > 0) {
        total += got;
        checksum += buffer[got - 1];
    }
    close(fd);
    report("stream-read", start, chunks);
    if (unlink(path) != 0) return fail("unlink", path);
    return total == chunks * chunk && checksum == (unsigned long)chunks * 255u ? 0 : fail("read back", path);
}

static int calls(long count) {
    __wasi_fdstat_t status;
    uint64_t start = now();
    for (long index = 0; index < count; index++) {
        if (__wasi_fd_fdstat_get(1, &status) != 0) return fail("fd_fdstat_get", "stdout");
    }
    report("fd_fdstat_get", start, count);

    __wasi_timestamp_t time;
    start = now();
    for (long index = 0; index < count; index++) {
        if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &time) != 0) return fail("clock_time_get", "clock");
    }
    report("clock_time_get", start, count);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: file-io files N | stream MIB | calls N\n");
        return 2;
    }
    long amount = atol(argv[2]);
    if (strcmp(argv[1], "files") == 0) return small_files((int)amount);
    if (strcmp(argv[1], "stream") == 0) return stream((int)amount);
    if (strcmp(argv[1], "calls") == 0) return calls(amount);
    fprintf(stderr, "file-io: unknown mode %s\n", argv[1]);
    return 2;
}
