// Cost floors written in plain C for comparison: a path resolved one component at a time, a plugin's file system calls.
#ifndef CBENCH_FLOOR_H
#define CBENCH_FLOOR_H

/// Opens `path` beneath `base` the way any userspace resolver must at least: one
/// openat(O_PATH | O_DIRECTORY | O_NOFOLLOW) per directory, then the file, then closes them all.
/// No symlink or `..` handling: it measures the system calls alone. Returns 0, or -errno.
int bench_floor_component_walk(int base, const char *path);

/// The file system calls of the example report plugin's run (`Examples/Plugins/report.c`), with
/// no guest around them: reads `settings.toml` beneath `config`, then writes `report.txt`
/// beneath `output` (created or truncated) and closes it. Returns 0, or -errno.
int bench_floor_report(int config, int output, const char *tenant);

#endif
