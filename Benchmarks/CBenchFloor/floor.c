// The cost floor of a component-by-component walk: the system calls, with no logic around them.
#define _GNU_SOURCE
#include "CBenchFloor.h"
#include <errno.h>
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
