// The cost floor of resolving a path one component at a time, written in plain C for comparison.
#ifndef CBENCH_FLOOR_H
#define CBENCH_FLOOR_H

/// Opens `path` beneath `base` the way any userspace resolver must at least: one
/// openat(O_PATH | O_DIRECTORY | O_NOFOLLOW) per directory, then the file, then closes them all.
/// No symlink or `..` handling: it measures the system calls alone. Returns 0, or -errno.
int bench_floor_component_walk(int base, const char *path);

#endif
