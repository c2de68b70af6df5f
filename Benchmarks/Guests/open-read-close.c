// Benchmark guest: opens, reads and closes /data/f0 ... /data/f<N-1> (N = argv[1], default
// 10000) and prints the number of bytes read. Rebuild with build.sh beside this file.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 10000;
    char path[64];
    char buffer[256];
    long total = 0;
    for (int index = 0; index < count; index++) {
        snprintf(path, sizeof path, "/data/f%d", index);
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            perror(path);
            return 1;
        }
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got < 0) {
            perror("read");
            return 1;
        }
        total += got;
        close(fd);
    }
    printf("%ld\n", total);
    return 0;
}
