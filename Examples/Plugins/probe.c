// The example probe plugin: performs every row of the design document's expected-behaviour table
// and prints "row|result" per row, where result is "ok" or the errno's name.
// Run with /config (read-only) and /output (read-write); rebuild with build.sh beside this file.
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *outcome(int succeeded) {
    if (succeeded) return "ok";
    switch (errno) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case ENOTDIR: return "ENOTDIR";
    case ELOOP: return "ELOOP";
    default: return "EOTHER";
    }
}

static int can_read(const char *path) {
    FILE *file = fopen(path, "r");
    if (!file) return 0;
    char buffer[64];
    fread(buffer, 1, sizeof buffer, file);
    fclose(file);
    return 1;
}

static int can_write(const char *path) {
    FILE *file = fopen(path, "w");
    if (!file) return 0;
    fputs("probe\n", file);
    return fclose(file) == 0;
}

int main(void) {
    printf("read /config/settings.toml|%s\n", outcome(can_read("/config/settings.toml")));
    printf("open /config/../../etc/passwd|%s\n", outcome(can_read("/config/../../etc/passwd")));
    printf("open /etc/passwd|%s\n", outcome(can_read("/etc/passwd")));
    printf("follow /config/alias.toml (inside)|%s\n", outcome(can_read("/config/alias.toml")));
    printf("follow /config/other-tenant (outside)|%s\n", outcome(can_read("/config/other-tenant")));
    printf("write /config/modified.toml|%s\n", outcome(can_write("/config/modified.toml")));
    printf("write /output/report.txt|%s\n", outcome(can_write("/output/report.txt")));
    printf("write /output/../config/settings.toml|%s\n", outcome(can_write("/output/../config/settings.toml")));
    printf("open /var/lib/other|%s\n", outcome(can_read("/var/lib/other")));
    return 0;
}
