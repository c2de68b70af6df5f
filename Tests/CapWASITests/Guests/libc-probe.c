// A WASI guest built with wasi-libc that exercises the file system through ordinary libc calls
// and prints one line per operation: "name: ok" or "name: <errno name>".
// Run with /config (read-only) and /output (read-write) preopened; see build.sh to rebuild.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *errno_name(int value) {
    switch (value) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EEXIST: return "EEXIST";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EROFS: return "EROFS";
    default: return "EOTHER";
    }
}

static void report(const char *name, int succeeded) {
    printf("%s: %s\n", name, succeeded ? "ok" : errno_name(errno));
}

/// Reads a whole small file into `buffer`; returns 1 on success.
static int read_file(const char *path, char *buffer, size_t size) {
    FILE *file = fopen(path, "r");
    if (!file) return 0;
    size_t count = fread(buffer, 1, size - 1, file);
    buffer[count] = 0;
    fclose(file);
    return 1;
}

static int write_file(const char *path, const char *text) {
    FILE *file = fopen(path, "w");
    if (!file) return 0;
    size_t length = strlen(text);
    int written = fwrite(text, 1, length, file) == length;
    return fclose(file) == 0 && written;
}

int main(void) {
    char buffer[256];

    // The design document's expected-behaviour table, row by row.
    int read_ok = read_file("/config/settings.toml", buffer, sizeof buffer);
    report("read /config/settings.toml", read_ok && strcmp(buffer, "mode = \"fast\"\n") == 0);
    report("open /config/../../etc/passwd", read_file("/config/../../etc/passwd", buffer, sizeof buffer));
    report("open /etc/passwd", read_file("/etc/passwd", buffer, sizeof buffer));
    report("follow /config/alias.toml (inside)", read_file("/config/alias.toml", buffer, sizeof buffer));
    report("follow /config/leak (outside)", read_file("/config/leak", buffer, sizeof buffer));
    report("write /config/modified.toml", write_file("/config/modified.toml", "x"));
    report("write /output/report.txt", write_file("/output/report.txt", "report from libc\n"));
    report("write /output/../config/settings.toml", write_file("/output/../config/settings.toml", "pwned"));
    report("open /tmp/other", write_file("/tmp/other", "x"));

    // Ordinary libc file system calls.
    struct stat info;
    report("stat /output/report.txt", stat("/output/report.txt", &info) == 0 && info.st_size == 17 && S_ISREG(info.st_mode));
    report("mkdir /output/sub", mkdir("/output/sub", 0755) == 0);
    report("mkdir /output/sub again", mkdir("/output/sub", 0755) == 0);
    report("rename report.txt to sub/moved.txt", rename("/output/report.txt", "/output/sub/moved.txt") == 0);
    report("symlink sub/moved.txt as /output/link", symlink("sub/moved.txt", "/output/link") == 0);
    ssize_t length = readlink("/output/link", buffer, sizeof buffer - 1);
    if (length >= 0) buffer[length] = 0;
    report("readlink /output/link", length >= 0 && strcmp(buffer, "sub/moved.txt") == 0);
    report("read through /output/link", read_file("/output/link", buffer, sizeof buffer) && strcmp(buffer, "report from libc\n") == 0);
    report("symlink to /etc/passwd", symlink("/etc/passwd", "/output/abs") == 0);
    report("rmdir non-empty /output/sub", rmdir("/output/sub") == 0);
    report("open sub/moved.txt/ (trailing slash)", open("/output/sub/moved.txt/", O_RDONLY) >= 0);

    DIR *directory = opendir("/output");
    int entries = 0, saw_dot = 0, saw_sub = 0, saw_link = 0;
    if (directory) {
        struct dirent *entry;
        while ((entry = readdir(directory)) != NULL) {
            entries++;
            if (strcmp(entry->d_name, ".") == 0) saw_dot = 1;
            if (strcmp(entry->d_name, "sub") == 0 && entry->d_type == DT_DIR) saw_sub = 1;
            if (strcmp(entry->d_name, "link") == 0 && entry->d_type == DT_LNK) saw_link = 1;
        }
        closedir(directory);
    }
    report("readdir /output", directory && entries == 4 && saw_dot && saw_sub && saw_link);

    report("unlink /output/link", unlink("/output/link") == 0);
    report("unlink /output/sub/moved.txt", unlink("/output/sub/moved.txt") == 0);
    report("rmdir /output/sub", rmdir("/output/sub") == 0);
    report("stat /output/link after unlink", stat("/output/link", &info) == 0);
    return 0;
}
