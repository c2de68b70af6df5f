// Cost floors: a component-by-component walk, the report plugin's calls; system calls with no logic around them.
#define _GNU_SOURCE
#include "CBenchFloor.h"
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int bench_floor_component_walk(int base, const char *path) {
    int held[64];
    int depth = 0;
    int current = base;
    char name[256];
    const char *cursor = path;
    for (;;) {
        const char *slash = strchr(cursor, '/');
        size_t length = slash ? (size_t)(slash - cursor) : strlen(cursor);
        memcpy(name, cursor, length);
        name[length] = 0;
        int flags = slash ? (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : (O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        int fd = openat(current, name, flags);
        if (fd < 0) {
            int error = errno;
            while (depth > 0) close(held[--depth]);
            return -error;
        }
        if (!slash) {
            close(fd);
            break;
        }
        held[depth++] = fd;
        current = fd;
        cursor = slash + 1;
    }
    while (depth > 0) close(held[--depth]);
    return 0;
}

int bench_floor_report(int config, int output, const char *tenant) {
    char settings[512];
    int input = openat(config, "settings.toml", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (input < 0) return -errno;
    ssize_t length = read(input, settings, sizeof settings - 1);
    close(input);
    if (length < 0) return -errno;
    char report[1024];
    int size = snprintf(report, sizeof report, "report for %s\nsettings: %zd bytes\n%.*s", tenant, length, (int)length, settings);
    int file = openat(output, "report.txt", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (file < 0) return -errno;
    ssize_t written = write(file, report, (size_t)size);
    int error = written < 0 ? errno : 0;
    if (close(file) != 0 && error == 0) error = errno;
    return -error;
}
