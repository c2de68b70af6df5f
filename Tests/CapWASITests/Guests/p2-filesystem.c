// A WASI 0.2 component (C, wasi-libc, the preview 1 adapter) that calls every function of
// wasi:filesystem/types and wasi:filesystem/preopens directly and prints one line per check:
// "name: ok", "name: <error-code>", or "name: unexpected <what it got>".
// Run with /config (read-only) and /output (read-write, empty) preopened, as
// ComponentFilesystemTests sets up; see build-components.sh to rebuild.
#ifndef CAPSULE_COMPONENT
#error "build this guest with build-components.sh: it is a component, not a preview 1 command"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// MARK: The imports, in their canonical ABI core signatures

#define TYPES(name) __attribute__((import_module("wasi:filesystem/types@0.2.0"), import_name(name)))
#define PREOPENS(name) __attribute__((import_module("wasi:filesystem/preopens@0.2.0"), import_name(name)))
#define STREAMS(name) __attribute__((import_module("wasi:io/streams@0.2.0"), import_name(name)))
#define IO_ERROR(name) __attribute__((import_module("wasi:io/error@0.2.0"), import_name(name)))

typedef int32_t handle;

// Every `result` and `option` below is written to a return area, the last parameter.
TYPES("[method]descriptor.read-via-stream") void descriptor_read_via_stream(handle, int64_t, uint8_t *);
TYPES("[method]descriptor.write-via-stream") void descriptor_write_via_stream(handle, int64_t, uint8_t *);
TYPES("[method]descriptor.append-via-stream") void descriptor_append_via_stream(handle, uint8_t *);
TYPES("[method]descriptor.advise") void descriptor_advise(handle, int64_t, int64_t, int32_t, uint8_t *);
TYPES("[method]descriptor.sync-data") void descriptor_sync_data(handle, uint8_t *);
TYPES("[method]descriptor.get-flags") void descriptor_get_flags(handle, uint8_t *);
TYPES("[method]descriptor.get-type") void descriptor_get_type(handle, uint8_t *);
TYPES("[method]descriptor.set-size") void descriptor_set_size(handle, int64_t, uint8_t *);
// A new-timestamp flattens to (case, seconds, nanoseconds).
TYPES("[method]descriptor.set-times")
void descriptor_set_times(handle, int32_t, int64_t, int32_t, int32_t, int64_t, int32_t, uint8_t *);
TYPES("[method]descriptor.read") void descriptor_read(handle, int64_t, int64_t, uint8_t *);
TYPES("[method]descriptor.write") void descriptor_write(handle, const void *, size_t, int64_t, uint8_t *);
TYPES("[method]descriptor.read-directory") void descriptor_read_directory(handle, uint8_t *);
TYPES("[method]descriptor.sync") void descriptor_sync(handle, uint8_t *);
TYPES("[method]descriptor.create-directory-at") void descriptor_create_directory_at(handle, const char *, size_t, uint8_t *);
TYPES("[method]descriptor.stat") void descriptor_stat(handle, uint8_t *);
TYPES("[method]descriptor.stat-at") void descriptor_stat_at(handle, int32_t, const char *, size_t, uint8_t *);
TYPES("[method]descriptor.set-times-at")
void descriptor_set_times_at(
    handle, int32_t, const char *, size_t, int32_t, int64_t, int32_t, int32_t, int64_t, int32_t, uint8_t *);
TYPES("[method]descriptor.link-at")
void descriptor_link_at(handle, int32_t, const char *, size_t, handle, const char *, size_t, uint8_t *);
TYPES("[method]descriptor.open-at")
void descriptor_open_at(handle, int32_t, const char *, size_t, int32_t, int32_t, uint8_t *);
TYPES("[method]descriptor.readlink-at") void descriptor_readlink_at(handle, const char *, size_t, uint8_t *);
TYPES("[method]descriptor.remove-directory-at") void descriptor_remove_directory_at(handle, const char *, size_t, uint8_t *);
TYPES("[method]descriptor.rename-at")
void descriptor_rename_at(handle, const char *, size_t, handle, const char *, size_t, uint8_t *);
TYPES("[method]descriptor.symlink-at")
void descriptor_symlink_at(handle, const char *, size_t, const char *, size_t, uint8_t *);
TYPES("[method]descriptor.unlink-file-at") void descriptor_unlink_file_at(handle, const char *, size_t, uint8_t *);
TYPES("[method]descriptor.is-same-object") int32_t descriptor_is_same_object(handle, handle);
TYPES("[method]descriptor.metadata-hash") void descriptor_metadata_hash(handle, uint8_t *);
TYPES("[method]descriptor.metadata-hash-at") void descriptor_metadata_hash_at(handle, int32_t, const char *, size_t, uint8_t *);
TYPES("[method]directory-entry-stream.read-directory-entry") void directory_entry_stream_read(handle, uint8_t *);
TYPES("filesystem-error-code") void filesystem_error_code(handle, uint8_t *);
TYPES("[resource-drop]descriptor") void descriptor_drop(handle);
TYPES("[resource-drop]directory-entry-stream") void directory_entry_stream_drop(handle);
PREOPENS("get-directories") void get_directories(uint8_t *);
STREAMS("[method]input-stream.blocking-read") void input_stream_blocking_read(handle, int64_t, uint8_t *);
STREAMS("[method]output-stream.blocking-write-and-flush")
void output_stream_blocking_write_and_flush(handle, const void *, size_t, uint8_t *);
STREAMS("[resource-drop]input-stream") void input_stream_drop(handle);
STREAMS("[resource-drop]output-stream") void output_stream_drop(handle);
IO_ERROR("[resource-drop]error") void error_drop(handle);

/// Where the host puts lists and strings it returns (readlink-at, read, directory entries).
/// Empty lists get a real allocation too, so every returned pointer can be freed.
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    (void)old_size;
    (void)align;
    void *memory = realloc(old, new_size ? new_size : 1);
    if (!memory) abort();
    return memory;
}

// MARK: The WIT values

enum { PATH_FOLLOW = 1 };
enum { OPEN_CREATE = 1, OPEN_DIRECTORY = 2, OPEN_EXCLUSIVE = 4, OPEN_TRUNCATE = 8 };
enum { READ = 1, WRITE = 2, FILE_SYNC = 4, DATA_SYNC = 8, REQUESTED_SYNC = 16, MUTATE = 32 };
enum { NO_CHANGE = 0, NOW = 1, TIMESTAMP = 2 };
enum { TYPE_DIRECTORY = 3, TYPE_SYMLINK = 5, TYPE_REGULAR = 6 };

static const char *const error_names[] = {
    "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist",
    "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io",
    "is-directory", "loop", "too-many-links", "message-size", "name-too-long", "no-device", "no-entry",
    "no-lock", "insufficient-memory", "insufficient-space", "not-directory", "not-empty",
    "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow", "not-permitted", "pipe",
    "read-only", "invalid-seek", "text-file-busy", "cross-device",
};
static const char *const type_names[] = {
    "unknown", "block-device", "character-device", "directory", "fifo", "symbolic-link", "regular-file", "socket",
};
static const char *const flag_names[] = {
    "read", "write", "file-integrity-sync", "data-integrity-sync", "requested-write-sync", "mutate-directory",
};

/// A result's outcome: `OK`, or an error-code case.
enum { OK = -1 };

typedef struct {
    uint8_t type;
    uint64_t links, size;
    int has_access, has_modification;
    uint64_t access_seconds, modification_seconds;
    uint32_t access_nanoseconds, modification_nanoseconds;
} stat_value;

typedef struct {
    uint64_t lower, upper;
} hash_value;

#define RETURN_AREA _Alignas(8) uint8_t r[112] = {0}
static uint32_t u32_at(const uint8_t *r, int offset) { uint32_t v; memcpy(&v, r + offset, 4); return v; }
static uint64_t u64_at(const uint8_t *r, int offset) { uint64_t v; memcpy(&v, r + offset, 8); return v; }
/// `result<_, error-code>` and `result<small, error-code>`: the error sits right after the tag.
static int unit_result(const uint8_t *r) { return r[0] ? r[1] : OK; }
/// A result whose ok payload is 4-aligned (handles, strings, lists): the error is at 4.
static int result4(const uint8_t *r) { return r[0] ? r[4] : OK; }
/// A result whose ok payload is 8-aligned (u64, records of them): the error is at 8.
static int result8(const uint8_t *r) { return r[0] ? r[8] : OK; }

// MARK: Calls, each returning OK or an error code

static int open_at(handle dir, int32_t path_flags, const char *path, int32_t open_flags, int32_t flags, handle *out) {
    RETURN_AREA;
    descriptor_open_at(dir, path_flags, path, strlen(path), open_flags, flags, r);
    if (!r[0] && out) *out = (handle)u32_at(r, 4);
    else if (!r[0]) descriptor_drop((handle)u32_at(r, 4));
    return result4(r);
}

/// A `result<descriptor-stat, error-code>`: the record at 8 holds the type, link count and size,
/// then three `option<datetime>` of 24 bytes each (tag, seconds at +8, nanoseconds at +16).
static int stat_result(const uint8_t *r, stat_value *out) {
    if (!r[0] && out)
        *out = (stat_value){r[8], u64_at(r, 16), u64_at(r, 24), r[32], r[56], u64_at(r, 40), u64_at(r, 64), u32_at(r, 48), u32_at(r, 72)};
    return result8(r);
}

static int stat_of(handle descriptor, stat_value *out) {
    RETURN_AREA;
    descriptor_stat(descriptor, r);
    return stat_result(r, out);
}

static int stat_at(handle dir, int32_t path_flags, const char *path, stat_value *out) {
    RETURN_AREA;
    descriptor_stat_at(dir, path_flags, path, strlen(path), r);
    return stat_result(r, out);
}

static int get_type(handle descriptor, int *out) {
    RETURN_AREA;
    descriptor_get_type(descriptor, r);
    *out = r[1];
    return unit_result(r);
}

static int get_flags(handle descriptor, int *out) {
    RETURN_AREA;
    descriptor_get_flags(descriptor, r);
    *out = r[1];
    return unit_result(r);
}

/// `read` into `out` (NUL-terminated, at most `size - 1` bytes); `eof` is the returned bool.
static int read_at(handle file, uint64_t length, uint64_t offset, char *out, size_t size, int *eof) {
    RETURN_AREA;
    descriptor_read(file, (int64_t)length, (int64_t)offset, r);
    if (r[0]) return r[4];
    uint8_t *bytes = (uint8_t *)u32_at(r, 4);
    size_t count = u32_at(r, 8);
    if (count >= size) count = size - 1;
    memcpy(out, bytes, count);
    out[count] = 0;
    free(bytes);
    if (eof) *eof = r[12];
    return OK;
}

static int write_at(handle file, const char *text, uint64_t offset, uint64_t *written) {
    RETURN_AREA;
    descriptor_write(file, text, strlen(text), (int64_t)offset, r);
    if (!r[0] && written) *written = u64_at(r, 8);
    return result8(r);
}

static int set_size(handle file, uint64_t size) {
    RETURN_AREA;
    descriptor_set_size(file, (int64_t)size, r);
    return unit_result(r);
}

static int set_times(handle descriptor, int access, uint64_t access_seconds, int modification, uint64_t modification_seconds) {
    RETURN_AREA;
    descriptor_set_times(descriptor, access, (int64_t)access_seconds, 0, modification, (int64_t)modification_seconds, 0, r);
    return unit_result(r);
}

static int set_times_at(handle dir, int32_t path_flags, const char *path, uint64_t access_seconds, uint32_t nanoseconds, uint64_t modification_seconds) {
    RETURN_AREA;
    descriptor_set_times_at(
        dir, path_flags, path, strlen(path), TIMESTAMP, (int64_t)access_seconds, (int32_t)nanoseconds, TIMESTAMP,
        (int64_t)modification_seconds, 0, r);
    return unit_result(r);
}

static int create_directory_at(handle dir, const char *path) {
    RETURN_AREA;
    descriptor_create_directory_at(dir, path, strlen(path), r);
    return unit_result(r);
}

static int remove_directory_at(handle dir, const char *path) {
    RETURN_AREA;
    descriptor_remove_directory_at(dir, path, strlen(path), r);
    return unit_result(r);
}

static int unlink_file_at(handle dir, const char *path) {
    RETURN_AREA;
    descriptor_unlink_file_at(dir, path, strlen(path), r);
    return unit_result(r);
}

static int symlink_at(handle dir, const char *target, const char *path) {
    RETURN_AREA;
    descriptor_symlink_at(dir, target, strlen(target), path, strlen(path), r);
    return unit_result(r);
}

static int link_at(handle dir, int32_t path_flags, const char *path, handle new_dir, const char *new_path) {
    RETURN_AREA;
    descriptor_link_at(dir, path_flags, path, strlen(path), new_dir, new_path, strlen(new_path), r);
    return unit_result(r);
}

static int rename_at(handle dir, const char *path, handle new_dir, const char *new_path) {
    RETURN_AREA;
    descriptor_rename_at(dir, path, strlen(path), new_dir, new_path, strlen(new_path), r);
    return unit_result(r);
}

/// `readlink-at` into `out` (NUL-terminated).
static int readlink_at(handle dir, const char *path, char *out, size_t size) {
    RETURN_AREA;
    descriptor_readlink_at(dir, path, strlen(path), r);
    if (r[0]) return r[4];
    char *text = (char *)u32_at(r, 4);
    size_t count = u32_at(r, 8);
    if (count >= size) count = size - 1;
    memcpy(out, text, count);
    out[count] = 0;
    free(text);
    return OK;
}

static int metadata_hash(handle descriptor, hash_value *out) {
    RETURN_AREA;
    descriptor_metadata_hash(descriptor, r);
    if (!r[0]) *out = (hash_value){u64_at(r, 8), u64_at(r, 16)};
    return result8(r);
}

static int metadata_hash_at(handle dir, int32_t path_flags, const char *path, hash_value *out) {
    RETURN_AREA;
    descriptor_metadata_hash_at(dir, path_flags, path, strlen(path), r);
    if (!r[0] && out) *out = (hash_value){u64_at(r, 8), u64_at(r, 16)};
    return result8(r);
}

static int sync_data(handle descriptor) {
    RETURN_AREA;
    descriptor_sync_data(descriptor, r);
    return unit_result(r);
}

static int sync_all(handle descriptor) {
    RETURN_AREA;
    descriptor_sync(descriptor, r);
    return unit_result(r);
}

static int advise(handle descriptor, int advice) {
    RETURN_AREA;
    descriptor_advise(descriptor, 0, 0, advice, r);
    return unit_result(r);
}

static int read_via_stream(handle file, uint64_t offset, handle *out) {
    RETURN_AREA;
    descriptor_read_via_stream(file, (int64_t)offset, r);
    if (!r[0] && out) *out = (handle)u32_at(r, 4);
    else if (!r[0]) input_stream_drop((handle)u32_at(r, 4));
    return result4(r);
}

static int write_via_stream(handle file, uint64_t offset, handle *out) {
    RETURN_AREA;
    descriptor_write_via_stream(file, (int64_t)offset, r);
    if (!r[0] && out) *out = (handle)u32_at(r, 4);
    else if (!r[0]) output_stream_drop((handle)u32_at(r, 4));
    return result4(r);
}

static int append_via_stream(handle file, handle *out) {
    RETURN_AREA;
    descriptor_append_via_stream(file, r);
    if (!r[0] && out) *out = (handle)u32_at(r, 4);
    else if (!r[0]) output_stream_drop((handle)u32_at(r, 4));
    return result4(r);
}

/// A stream failure as text: "closed", the error's `filesystem-error-code`, or "no error code".
static const char *stream_failure(const uint8_t *failure) {
    if (failure[4] == 1) return "closed";
    handle error = (handle)u32_at(failure, 8);
    RETURN_AREA;
    filesystem_error_code(error, r);
    error_drop(error);
    return r[0] ? error_names[r[1]] : "no error code";
}

/// One `blocking-read` of up to `size - 1` bytes into `out`; NULL, or how it failed.
static const char *stream_read(handle stream, char *out, size_t size) {
    RETURN_AREA;
    input_stream_blocking_read(stream, (int64_t)(size - 1), r);
    if (r[0]) return stream_failure(r);
    uint8_t *bytes = (uint8_t *)u32_at(r, 4);
    size_t count = u32_at(r, 8);
    memcpy(out, bytes, count);
    out[count] = 0;
    free(bytes);
    return NULL;
}

/// `blocking-write-and-flush` of `text`; NULL, or how it failed.
static const char *stream_write(handle stream, const char *text) {
    RETURN_AREA;
    output_stream_blocking_write_and_flush(stream, text, strlen(text), r);
    return r[0] ? stream_failure(r) : NULL;
}

/// A directory's entries as "name(type) ..." sorted by name, reading to the end and once more.
static int list_directory(handle dir, char *out, size_t size) {
    RETURN_AREA;
    descriptor_read_directory(dir, r);
    if (r[0]) return r[4];
    handle stream = (handle)u32_at(r, 4);
    char *names[32];
    int count = 0;
    for (;;) {
        memset(r, 0, sizeof r);
        directory_entry_stream_read(stream, r);
        if (r[0]) {
            directory_entry_stream_drop(stream);
            return r[4];
        }
        if (!r[4]) break;
        char *name = (char *)u32_at(r, 12);
        size_t length = u32_at(r, 16);
        char *entry = malloc(length + 32);
        snprintf(entry, length + 32, "%.*s(%s)", (int)length, name, type_names[r[8] < 8 ? r[8] : 0]);
        free(name);
        if (count < 32) names[count++] = entry;
        else free(entry);
    }
    memset(r, 0, sizeof r);
    directory_entry_stream_read(stream, r);
    int ended = !r[0] && !r[4];
    directory_entry_stream_drop(stream);
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *swap = names[j];
            names[j] = names[j - 1];
            names[j - 1] = swap;
        }
    out[0] = 0;
    for (int i = 0; i < count; i++) {
        if (i) strncat(out, " ", size - strlen(out) - 1);
        strncat(out, names[i], size - strlen(out) - 1);
        free(names[i]);
    }
    if (!ended) strncat(out, " (no end)", size - strlen(out) - 1);
    return OK;
}

static void flags_text(int flags, char *out, size_t size) {
    out[0] = 0;
    for (int bit = 0; bit < 6; bit++)
        if (flags & (1 << bit)) {
            if (out[0]) strncat(out, "|", size - strlen(out) - 1);
            strncat(out, flag_names[bit], size - strlen(out) - 1);
        }
    if (!out[0]) strncat(out, "(none)", size - 1);
}

// MARK: Reporting

static char got[512];

/// Prints "name: ok" when `code` is OK and `good` holds, "name: unexpected <got>" when only
/// `good` fails, and "name: <error-code>" otherwise.
static void report(const char *name, int code, int good) {
    if (code != OK) printf("%s: %s\n", name, error_names[code]);
    else if (good) printf("%s: ok\n", name);
    else printf("%s: unexpected %s\n", name, got);
    got[0] = 0;
}

static void check(const char *name, int code) { report(name, code, 1); }

#define GOT(...) snprintf(got, sizeof got, __VA_ARGS__)

// MARK: The checks

static handle config, output;

static void preopens(void) {
    RETURN_AREA;
    get_directories(r);
    uint8_t *list = (uint8_t *)u32_at(r, 0);
    uint32_t count = u32_at(r, 4);
    config = output = -1;
    got[0] = 0;
    for (uint32_t i = 0; i < count; i++) {
        handle descriptor = (handle)u32_at(list, i * 12);
        char *name = (char *)u32_at(list, i * 12 + 4);
        uint32_t length = u32_at(list, i * 12 + 8);
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%.*s", i ? " " : "", (int)length, name);
        if (length == 7 && !memcmp(name, "/config", 7)) config = descriptor;
        else if (length == 7 && !memcmp(name, "/output", 7)) output = descriptor;
        else descriptor_drop(descriptor);
        free(name);
    }
    free(list);
    report("get-directories", OK, count == 2 && config >= 0 && output >= 0);

    int type = 0, flags = 0;
    int code = get_type(config, &type);
    GOT("%s", type_names[type & 7]);
    report("get-type /config", code, type == TYPE_DIRECTORY);
    code = get_flags(config, &flags);
    flags_text(flags, got, sizeof got);
    report("get-flags /config", code, flags == READ);
    code = get_flags(output, &flags);
    flags_text(flags, got, sizeof got);
    report("get-flags /output", code, flags == (READ | MUTATE));
    stat_value info;
    code = stat_of(config, &info);
    GOT("%s", type_names[info.type & 7]);
    report("stat /config", code, info.type == TYPE_DIRECTORY);

    handle again = -1;
    code = open_at(config, 0, ".", OPEN_DIRECTORY, READ, &again);
    if (code == OK) {
        report("is-same-object /config and /config/.", OK, descriptor_is_same_object(config, again) == 1);
        descriptor_drop(again);
    } else check("is-same-object /config and /config/.", code);
    report("is-same-object /config and /output", OK, descriptor_is_same_object(config, output) == 0);
}

static void reading_config(void) {
    char text[256];
    handle settings = -1;
    int code = open_at(config, 0, "settings.toml", 0, READ, &settings);
    check("open-at /config/settings.toml (read)", code);
    if (code != OK) return;

    int type = 0, flags = 0, eof = -1;
    code = get_type(settings, &type);
    GOT("%s", type_names[type & 7]);
    report("get-type settings.toml", code, type == TYPE_REGULAR);
    code = get_flags(settings, &flags);
    flags_text(flags, got, sizeof got);
    report("get-flags settings.toml", code, flags == READ);
    stat_value info;
    code = stat_of(settings, &info);
    GOT("type %s, %llu links, %llu bytes", type_names[info.type & 7], (unsigned long long)info.links, (unsigned long long)info.size);
    report("stat settings.toml", code, info.type == TYPE_REGULAR && info.links == 1 && info.size == 14 && info.has_modification);

    code = read_at(settings, 100, 0, text, sizeof text, &eof);
    GOT("\"%s\" eof %d", text, eof);
    report("read settings.toml 100 at 0", code, !strcmp(text, "mode = \"fast\"\n") && eof == 0);
    code = read_at(settings, 4, 8, text, sizeof text, &eof);
    GOT("\"%s\" eof %d", text, eof);
    report("read settings.toml 4 at 8", code, !strcmp(text, "fast") && eof == 0);
    code = read_at(settings, 10, 14, text, sizeof text, &eof);
    GOT("\"%s\" eof %d", text, eof);
    report("read settings.toml 10 at its end", code, !text[0] && eof == 1);
    code = read_at(settings, 10, 1000, text, sizeof text, &eof);
    GOT("\"%s\" eof %d", text, eof);
    report("read settings.toml 10 past its end", code, !text[0] && eof == 1);
    code = read_at(settings, 0, 0, text, sizeof text, &eof);
    GOT("\"%s\" eof %d", text, eof);
    report("read settings.toml 0 at 0", code, !text[0] && eof == 0);

    handle stream = -1;
    code = read_via_stream(settings, 7, &stream);
    if (code == OK) {
        const char *failure = stream_read(stream, text, sizeof text);
        const char *second = failure ? NULL : stream_read(stream, text + 64, 64);
        GOT("\"%s\" then %s", failure ? failure : text, second ? second : "more data");
        report("read-via-stream settings.toml at 7", OK, !failure && !strcmp(text, "\"fast\"\n") && second && !strcmp(second, "closed"));
        input_stream_drop(stream);
    } else check("read-via-stream settings.toml at 7", code);

    check("advise settings.toml (sequential)", advise(settings, 1));
    check("sync settings.toml (read-only descriptor)", sync_all(settings));
    check("sync-data settings.toml (read-only descriptor)", sync_data(settings));
    check("write settings.toml (read-only descriptor)", write_at(settings, "x", 0, NULL));
    check("write-via-stream settings.toml (read-only descriptor)", write_via_stream(settings, 0, NULL));
    check("append-via-stream settings.toml (read-only descriptor)", append_via_stream(settings, NULL));
    check("set-size settings.toml (read-only descriptor)", set_size(settings, 0));
    check("set-times settings.toml", set_times(settings, NOW, 0, NOW, 0));

    hash_value first, second;
    code = metadata_hash(settings, &first);
    if (code == OK) code = metadata_hash_at(config, 0, "settings.toml", &second);
    report("metadata-hash settings.toml equals metadata-hash-at", code, first.lower == second.lower && first.upper == second.upper);
    code = metadata_hash_at(config, PATH_FOLLOW, "alias.toml", &second);
    report("metadata-hash-at alias.toml (follow) equals settings.toml", code, first.lower == second.lower && first.upper == second.upper);
    code = metadata_hash_at(config, 0, "alias.toml", &second);
    report("metadata-hash-at alias.toml (no follow) differs", code, first.lower != second.lower || first.upper != second.upper);

    handle alias = -1;
    code = open_at(config, PATH_FOLLOW, "alias.toml", 0, READ, &alias);
    if (code == OK) {
        code = read_at(alias, 100, 0, text, sizeof text, NULL);
        GOT("\"%s\"", text);
        report("open-at /config/alias.toml (follow) reads settings.toml", code, !strcmp(text, "mode = \"fast\"\n"));
        report("is-same-object settings.toml and alias.toml", OK, descriptor_is_same_object(settings, alias) == 1);
        descriptor_drop(alias);
    } else check("open-at /config/alias.toml (follow) reads settings.toml", code);
    report("is-same-object settings.toml and /config", OK, descriptor_is_same_object(settings, config) == 0);
    check("open-at /config/alias.toml (no follow)", open_at(config, 0, "alias.toml", 0, READ, NULL));
    check("open-at /config/sub/../settings.toml (stays inside)", open_at(config, 0, "sub/../settings.toml", 0, READ, NULL));
    descriptor_drop(settings);

    stat_value info2;
    code = stat_at(config, 0, "settings.toml", &info2);
    GOT("type %s, %llu bytes", type_names[info2.type & 7], (unsigned long long)info2.size);
    report("stat-at /config settings.toml", code, info2.type == TYPE_REGULAR && info2.size == 14);
    code = stat_at(config, 0, "alias.toml", &info2);
    GOT("type %s", type_names[info2.type & 7]);
    report("stat-at /config alias.toml (no follow)", code, info2.type == TYPE_SYMLINK);
    code = stat_at(config, PATH_FOLLOW, "alias.toml", &info2);
    GOT("type %s, %llu bytes", type_names[info2.type & 7], (unsigned long long)info2.size);
    report("stat-at /config alias.toml (follow)", code, info2.type == TYPE_REGULAR && info2.size == 14);
    code = stat_at(config, 0, "leak", &info2);
    GOT("type %s", type_names[info2.type & 7]);
    report("stat-at /config leak (no follow)", code, info2.type == TYPE_SYMLINK);

    code = readlink_at(config, "alias.toml", text, sizeof text);
    GOT("\"%s\"", text);
    report("readlink-at /config alias.toml", code, !strcmp(text, "settings.toml"));
    code = readlink_at(config, "leak", text, sizeof text);
    GOT("\"%s\"", text);
    report("readlink-at /config leak (relative, pointing outside)", code, !strcmp(text, "../../secret"));
    check("readlink-at /config abs-link (absolute target)", readlink_at(config, "abs-link", text, sizeof text));
    check("readlink-at /config settings.toml (not a link)", readlink_at(config, "settings.toml", text, sizeof text));
    check("readlink-at /config missing", readlink_at(config, "missing", text, sizeof text));

    code = list_directory(config, text, sizeof text);
    GOT("%s", text);
    report(
        "read-directory /config", code,
        !strcmp(text, "abs-link(symbolic-link) alias.toml(symbolic-link) leak(symbolic-link) settings.toml(regular-file) sub(directory)"));

    handle sub = -1;
    code = open_at(config, 0, "sub", OPEN_DIRECTORY, READ, &sub);
    check("open-at /config/sub (directory)", code);
    if (code == OK) {
        code = get_flags(sub, &flags);
        flags_text(flags, got, sizeof got);
        report("get-flags /config/sub", code, flags == READ);
        check("create-directory-at /config/sub/new", create_directory_at(sub, "new"));
        code = list_directory(sub, text, sizeof text);
        GOT("%s", text);
        report("read-directory /config/sub (empty)", code, !text[0]);
        descriptor_drop(sub);
    }
    check("open-at /config/sub (directory, mutate-directory)", open_at(config, 0, "sub", OPEN_DIRECTORY, READ | MUTATE, NULL));
}

static void read_only_config(void) {
    check("open-at /config/settings.toml (write)", open_at(config, 0, "settings.toml", 0, WRITE, NULL));
    check("open-at /config/new.txt (create)", open_at(config, 0, "new.txt", OPEN_CREATE, READ, NULL));
    check("open-at /config/settings.toml (truncate)", open_at(config, 0, "settings.toml", OPEN_TRUNCATE, READ, NULL));
    check("create-directory-at /config/new", create_directory_at(config, "new"));
    check("unlink-file-at /config/settings.toml", unlink_file_at(config, "settings.toml"));
    check("remove-directory-at /config/sub", remove_directory_at(config, "sub"));
    check("rename-at /config/settings.toml to /config/renamed.toml", rename_at(config, "settings.toml", config, "renamed.toml"));
    check("rename-at /config/settings.toml to /output/stolen.toml", rename_at(config, "settings.toml", output, "stolen.toml"));
    check("symlink-at /config/new-link", symlink_at(config, "settings.toml", "new-link"));
    check("link-at /config/settings.toml to /config/hard.toml", link_at(config, 0, "settings.toml", config, "hard.toml"));
    check("link-at /config/settings.toml to /output/hard.toml", link_at(config, 0, "settings.toml", output, "hard.toml"));
    check("set-times /config", set_times(config, NOW, 0, NOW, 0));
    check("set-times-at /config settings.toml", set_times_at(config, 0, "settings.toml", 1, 0, 1));
}

static void escapes(void) {
    char text[64];
    check("open-at /config/../../etc/passwd", open_at(config, PATH_FOLLOW, "../../etc/passwd", 0, READ, NULL));
    check("open-at /config//etc/passwd (absolute)", open_at(config, PATH_FOLLOW, "/etc/passwd", 0, READ, NULL));
    check("open-at /config/sub/../../secret", open_at(config, PATH_FOLLOW, "sub/../../secret", 0, READ, NULL));
    check("open-at /config/leak (follow, outside)", open_at(config, PATH_FOLLOW, "leak", 0, READ, NULL));
    check("open-at /config/abs-link (follow, absolute)", open_at(config, PATH_FOLLOW, "abs-link", 0, READ, NULL));
    check("open-at /output/../config/settings.toml", open_at(output, PATH_FOLLOW, "../config/settings.toml", 0, READ, NULL));
    check("stat-at /config ..", stat_at(config, PATH_FOLLOW, "..", NULL));
    check("stat-at /config leak (follow)", stat_at(config, PATH_FOLLOW, "leak", NULL));
    check("stat-at /config abs-link (follow)", stat_at(config, PATH_FOLLOW, "abs-link", NULL));
    check("metadata-hash-at /config leak (follow)", metadata_hash_at(config, PATH_FOLLOW, "leak", NULL));
    check("create-directory-at /output/../escape", create_directory_at(output, "../escape"));
    check("unlink-file-at /output/../config/settings.toml", unlink_file_at(output, "../config/settings.toml"));
    check("set-times-at /output/../../secret", set_times_at(output, PATH_FOLLOW, "../../secret", 1, 0, 1));
    check("link-at /output/../../secret to /output/stolen", link_at(output, 0, "../../secret", output, "stolen"));
    check("symlink-at /output/abs to /etc/passwd", symlink_at(output, "/etc/passwd", "abs"));
    check("symlink-at /output/up to ../../secret", symlink_at(output, "../../secret", "up"));
    check("open-at /output/up (follow)", open_at(output, PATH_FOLLOW, "up", 0, READ, NULL));
    check("readlink-at /output/up", readlink_at(output, "up", text, sizeof text));
    check("unlink-file-at /output/up", unlink_file_at(output, "up"));

    // Creating through links that lead out: a dangling one, one to the parent, an absolute one.
    check("symlink-at /output/dangling to ../../created-outside", symlink_at(output, "../../created-outside", "dangling"));
    check("open-at /output/dangling (follow, create)", open_at(output, PATH_FOLLOW, "dangling", OPEN_CREATE, WRITE, NULL));
    check("unlink-file-at /output/dangling", unlink_file_at(output, "dangling"));
    check("symlink-at /output/updir to ..", symlink_at(output, "..", "updir"));
    check("create-directory-at /output/updir/escaped", create_directory_at(output, "updir/escaped"));
    check("open-at /output/updir/new.txt (create)", open_at(output, PATH_FOLLOW, "updir/new.txt", OPEN_CREATE, WRITE, NULL));
    check("symlink-at /output/updir/link", symlink_at(output, "x", "updir/link"));
    check("open-at /output/updir/config/settings.toml", open_at(output, PATH_FOLLOW, "updir/config/settings.toml", 0, READ, NULL));
    check("unlink-file-at /output/updir", unlink_file_at(output, "updir"));
    check("readlink-at /output/abs-dangling (planted, absolute)", readlink_at(output, "abs-dangling", text, sizeof text));
    check("open-at /output/abs-dangling (follow, create)", open_at(output, PATH_FOLLOW, "abs-dangling", OPEN_CREATE, WRITE, NULL));
    check("stat-at /output/abs-dangling (no follow)", stat_at(output, 0, "abs-dangling", NULL));
    check("unlink-file-at /output/abs-dangling", unlink_file_at(output, "abs-dangling"));
}

static const char *expect_text(handle file, const char *expected, size_t length) {
    static char text[64];
    int eof = 0;
    int code = read_at(file, 64, 0, text, sizeof text, &eof);
    if (code != OK) return error_names[code];
    if (memcmp(text, expected, length) || strlen(text) != strlen(expected)) {
        static char shown[80];
        size_t out = 0;
        for (size_t i = 0; i < 64 && out + 4 < sizeof shown; i++) {
            if (i >= length && !text[i]) break;
            if (text[i] >= ' ') shown[out++] = text[i];
            else out += (size_t)snprintf(shown + out, sizeof shown - out, "\\%d", text[i]);
        }
        shown[out] = 0;
        return shown;
    }
    return NULL;
}

static void files_in_output(void) {
    char text[256];
    check("create-directory-at /output/dir", create_directory_at(output, "dir"));
    check("create-directory-at /output/dir (again)", create_directory_at(output, "dir"));

    handle file = -1;
    int code = open_at(output, 0, "dir/file.txt", OPEN_CREATE | OPEN_EXCLUSIVE, READ | WRITE, &file);
    check("open-at /output/dir/file.txt (create, exclusive, read|write)", code);
    if (code != OK) return;
    int flags = 0;
    code = get_flags(file, &flags);
    flags_text(flags, got, sizeof got);
    report("get-flags file.txt", code, flags == (READ | WRITE));

    uint64_t written = 0;
    code = write_at(file, "hello world", 0, &written);
    GOT("%llu bytes", (unsigned long long)written);
    report("write \"hello world\" at 0", code, written == 11);
    code = write_at(file, "WASI!", 6, &written);
    GOT("%llu bytes", (unsigned long long)written);
    report("write \"WASI!\" at 6", code, written == 5);
    const char *wrong = expect_text(file, "hello WASI!", 11);
    GOT("%s", wrong ? wrong : "");
    report("read file.txt after write", OK, !wrong);

    handle stream = -1;
    code = write_via_stream(file, 6, &stream);
    if (code == OK) {
        const char *failure = stream_write(stream, "there");
        output_stream_drop(stream);
        wrong = failure ? failure : expect_text(file, "hello there", 11);
        GOT("%s", wrong ? wrong : "");
        report("write-via-stream file.txt at 6", OK, !wrong);
    } else check("write-via-stream file.txt at 6", code);
    code = append_via_stream(file, &stream);
    if (code == OK) {
        const char *failure = stream_write(stream, "\nmore");
        if (!failure) failure = stream_write(stream, "!");
        output_stream_drop(stream);
        wrong = failure ? failure : expect_text(file, "hello there\nmore!", 17);
        GOT("%s", wrong ? wrong : "");
        report("append-via-stream file.txt (twice)", OK, !wrong);
    } else check("append-via-stream file.txt (twice)", code);
    code = read_via_stream(file, 12, &stream);
    if (code == OK) {
        const char *failure = stream_read(stream, text, 3);
        const char *second = failure ? NULL : stream_read(stream, text + 8, 8);
        GOT("\"%s\" \"%s\"", failure ? failure : text, second ? second : text + 8);
        report("read-via-stream file.txt at 12 (2 bytes, then 3)", OK, !failure && !second && !strcmp(text, "mo") && !strcmp(text + 8, "re!"));
        input_stream_drop(stream);
    } else check("read-via-stream file.txt at 12 (2 bytes, then 3)", code);

    check("set-size file.txt 5", set_size(file, 5));
    wrong = expect_text(file, "hello", 5);
    GOT("%s", wrong ? wrong : "");
    report("read file.txt after set-size 5", OK, !wrong);
    check("set-size file.txt 8", set_size(file, 8));
    wrong = expect_text(file, "hello\0\0\0", 8);
    GOT("%s", wrong ? wrong : "");
    report("read file.txt after set-size 8 (zero-filled)", OK, !wrong);
    stat_value info;
    code = stat_of(file, &info);
    GOT("type %s, %llu links, %llu bytes", type_names[info.type & 7], (unsigned long long)info.links, (unsigned long long)info.size);
    report("stat file.txt", code, info.type == TYPE_REGULAR && info.links == 1 && info.size == 8);

    check("set-times file.txt (1000000000, 1234567890)", set_times(file, TIMESTAMP, 1000000000, TIMESTAMP, 1234567890));
    code = stat_of(file, &info);
    GOT("access %llu.%u, modification %llu.%u", (unsigned long long)info.access_seconds, info.access_nanoseconds,
        (unsigned long long)info.modification_seconds, info.modification_nanoseconds);
    report("stat file.txt times", code, info.has_access && info.access_seconds == 1000000000 && info.access_nanoseconds == 0 &&
        info.has_modification && info.modification_seconds == 1234567890 && info.modification_nanoseconds == 0);
    check("set-times file.txt (no-change, now)", set_times(file, NO_CHANGE, 0, NOW, 0));
    code = stat_of(file, &info);
    GOT("access %llu, modification %llu", (unsigned long long)info.access_seconds, (unsigned long long)info.modification_seconds);
    report("stat file.txt times after now", code, info.access_seconds == 1000000000 && info.modification_seconds > 1700000000);
    check("set-times-at /output dir/file.txt (1500000000.5, 1600000000)", set_times_at(output, 0, "dir/file.txt", 1500000000, 5, 1600000000));
    code = stat_at(output, 0, "dir/file.txt", &info);
    GOT("access %llu.%u, modification %llu.%u", (unsigned long long)info.access_seconds, info.access_nanoseconds,
        (unsigned long long)info.modification_seconds, info.modification_nanoseconds);
    report("stat-at dir/file.txt times", code, info.access_seconds == 1500000000 && info.access_nanoseconds == 5 &&
        info.modification_seconds == 1600000000 && info.modification_nanoseconds == 0);
    check("set-times-at dir/file.txt (nanoseconds 1000000000)", set_times_at(output, 0, "dir/file.txt", 1, 1000000000, 1600000000));
    {
        RETURN_AREA;
        descriptor_set_times(output, NO_CHANGE, 0, 0, TIMESTAMP, 1600000000, 0, r);
        check("set-times /output (no-change, 1600000000)", unit_result(r));
    }

    check("sync file.txt", sync_all(file));
    check("sync-data file.txt", sync_data(file));
    check("sync /output", sync_all(output));
    check("sync-data /output", sync_data(output));
    check("advise file.txt (dont-need)", advise(file, 4));

    // Offsets the kernel refuses: the stream's error carries the code.
    uint64_t last = 0x7fffffffffffffffULL;
    check("write file.txt at 2^63-1", write_at(file, "x", last, NULL));
    check("read file.txt at 2^63-1", read_at(file, 10, last, text, sizeof text, NULL));
    code = write_via_stream(file, last, &stream);
    if (code == OK) {
        const char *failure = stream_write(stream, "x");
        output_stream_drop(stream);
        printf("filesystem-error-code of a write-via-stream at 2^63-1: %s\n", failure ? failure : "no failure");
    } else check("filesystem-error-code of a write-via-stream at 2^63-1", code);
    code = read_via_stream(file, last, &stream);
    if (code == OK) {
        const char *failure = stream_read(stream, text, 16);
        input_stream_drop(stream);
        printf("filesystem-error-code of a read-via-stream at 2^63-1: %s\n", failure ? failure : "no failure");
    } else check("filesystem-error-code of a read-via-stream at 2^63-1", code);

    handle reader = -1;
    code = open_at(output, 0, "dir/file.txt", 0, READ, &reader);
    check("open-at /output/dir/file.txt (read)", code);
    if (code == OK) {
        report("is-same-object file.txt (read|write) and file.txt (read)", OK, descriptor_is_same_object(file, reader) == 1);
        check("write file.txt (read-only descriptor)", write_at(reader, "x", 0, NULL));
        check("set-size file.txt (read-only descriptor)", set_size(reader, 0));
        check("write-via-stream file.txt (read-only descriptor)", write_via_stream(reader, 0, NULL));
        descriptor_drop(reader);
    }
    handle writer = -1;
    code = open_at(output, 0, "dir/file.txt", 0, WRITE, &writer);
    check("open-at /output/dir/file.txt (write)", code);
    if (code == OK) {
        check("read file.txt (write-only descriptor)", read_at(writer, 4, 0, text, sizeof text, NULL));
        check("read-via-stream file.txt (write-only descriptor)", read_via_stream(writer, 0, NULL));
        descriptor_drop(writer);
    }
    handle synced = -1;
    code = open_at(output, 0, "dir/file.txt", 0, READ | WRITE | DATA_SYNC, &synced);
    check("open-at /output/dir/file.txt (read|write|data-integrity-sync)", code);
    if (code == OK) {
        code = get_flags(synced, &flags);
        flags_text(flags, got, sizeof got);
        report("get-flags file.txt (data-integrity-sync)", code, flags == (READ | WRITE | DATA_SYNC));
        descriptor_drop(synced);
    }
    handle truncated = -1;
    code = open_at(output, 0, "dir/copy.txt", OPEN_CREATE, WRITE, &truncated);
    check("open-at /output/dir/copy.txt (create, write)", code);
    if (code == OK) {
        check("write \"copy\" to copy.txt", write_at(truncated, "copy", 0, NULL));
        descriptor_drop(truncated);
    }
    code = open_at(output, 0, "dir/copy.txt", OPEN_CREATE, READ, &truncated);
    check("open-at /output/dir/copy.txt (create, existing)", code);
    if (code == OK) {
        wrong = expect_text(truncated, "copy", 4);
        GOT("%s", wrong ? wrong : "");
        report("read copy.txt (create keeps contents)", OK, !wrong);
        descriptor_drop(truncated);
    }
    code = open_at(output, 0, "dir/copy.txt", OPEN_TRUNCATE, WRITE, &truncated);
    check("open-at /output/dir/copy.txt (truncate)", code);
    if (code == OK) {
        code = stat_of(truncated, &info);
        GOT("%llu bytes", (unsigned long long)info.size);
        report("stat copy.txt after truncate", code, info.size == 0);
        descriptor_drop(truncated);
    }

    hash_value one, other;
    code = metadata_hash(file, &one);
    if (code == OK) code = metadata_hash_at(output, 0, "dir/copy.txt", &other);
    report("metadata-hash file.txt differs from copy.txt", code, one.lower != other.lower || one.upper != other.upper);
    code = metadata_hash(output, &one);
    if (code == OK) code = metadata_hash(config, &other);
    report("metadata-hash /output differs from /config", code, one.lower != other.lower || one.upper != other.upper);

    // Errors a file system gives for the wrong kind of entry.
    check("open-at /output/dir/file.txt (create, exclusive)", open_at(output, 0, "dir/file.txt", OPEN_CREATE | OPEN_EXCLUSIVE, WRITE, NULL));
    check("open-at /output/dir/file.txt (directory)", open_at(output, 0, "dir/file.txt", OPEN_DIRECTORY, READ, NULL));
    check("open-at /output/dir/file.txt/x", open_at(output, 0, "dir/file.txt/x", 0, READ, NULL));
    check("open-at /output/dir/file.txt/ (trailing slash)", open_at(output, 0, "dir/file.txt/", 0, READ, NULL));
    check("open-at /output \"\" (empty path)", open_at(output, 0, "", 0, READ, NULL));
    check("stat-at /output \"\" (empty path)", stat_at(output, 0, "", NULL));
    check("open-at /output/dir (write)", open_at(output, 0, "dir", 0, WRITE, NULL));
    check("open-at /output/dir (directory, create)", open_at(output, 0, "dir", OPEN_DIRECTORY | OPEN_CREATE, READ, NULL));
    check("open-at /output/missing.txt", open_at(output, 0, "missing.txt", 0, READ, NULL));
    check("open-at /output/missing/new.txt (create)", open_at(output, 0, "missing/new.txt", OPEN_CREATE, WRITE, NULL));
    check("stat-at /output/missing.txt", stat_at(output, 0, "missing.txt", NULL));
    handle dir = -1;
    code = open_at(output, 0, "dir", 0, READ, &dir);
    check("open-at /output/dir (no directory flag)", code);
    if (code == OK) {
        int type = 0;
        code = get_type(dir, &type);
        GOT("%s", type_names[type & 7]);
        report("get-type /output/dir", code, type == TYPE_DIRECTORY);
        code = get_flags(dir, &flags);
        flags_text(flags, got, sizeof got);
        report("get-flags /output/dir", code, flags == (READ | MUTATE));
        check("create-directory-at /output/dir/sub (through dir)", create_directory_at(dir, "sub"));
        check("read /output/dir", read_at(dir, 4, 0, text, sizeof text, NULL));
        check("write /output/dir", write_at(dir, "x", 0, NULL));
        check("read-via-stream /output/dir", read_via_stream(dir, 0, NULL));
        check("write-via-stream /output/dir", write_via_stream(dir, 0, NULL));
        check("append-via-stream /output/dir", append_via_stream(dir, NULL));
        check("set-size /output/dir", set_size(dir, 0));
        check("advise /output/dir", advise(dir, 0));
        descriptor_drop(dir);
    }
    check("create-directory-at on file.txt", create_directory_at(file, "x"));
    check("read-directory on file.txt", list_directory(file, text, sizeof text));
    check("stat-at on file.txt", stat_at(file, 0, "x", NULL));
    check("open-at on file.txt", open_at(file, 0, "x", 0, READ, NULL));
    descriptor_drop(file);
}

static void links_in_output(void) {
    char text[256];
    check("link-at /output/dir/file.txt to /output/hard.txt", link_at(output, 0, "dir/file.txt", output, "hard.txt"));
    stat_value info;
    int code = stat_at(output, 0, "dir/file.txt", &info);
    GOT("%llu links", (unsigned long long)info.links);
    report("stat-at dir/file.txt link count", code, info.links == 2);
    handle file = -1, hard = -1;
    code = open_at(output, 0, "dir/file.txt", 0, READ, &file);
    if (code == OK) code = open_at(output, 0, "hard.txt", 0, READ, &hard);
    if (code == OK) {
        report("is-same-object file.txt and hard.txt", OK, descriptor_is_same_object(file, hard) == 1);
        hash_value one, other;
        code = metadata_hash(file, &one);
        if (code == OK) code = metadata_hash(hard, &other);
        report("metadata-hash file.txt equals hard.txt", code, one.lower == other.lower && one.upper == other.upper);
        descriptor_drop(file);
        descriptor_drop(hard);
    } else check("is-same-object file.txt and hard.txt", code);
    check("link-at dir/file.txt to hard.txt (exists)", link_at(output, 0, "dir/file.txt", output, "hard.txt"));
    check("link-at dir/file.txt (symlink-follow)", link_at(output, PATH_FOLLOW, "dir/file.txt", output, "hard2.txt"));
    check("link-at /output/dir (a directory)", link_at(output, 0, "dir", output, "dir-link"));
    check("link-at /output/missing.txt", link_at(output, 0, "missing.txt", output, "hard2.txt"));

    check("symlink-at /output/link to dir/file.txt", symlink_at(output, "dir/file.txt", "link"));
    check("symlink-at /output/link (exists)", symlink_at(output, "elsewhere", "link"));
    code = readlink_at(output, "link", text, sizeof text);
    GOT("\"%s\"", text);
    report("readlink-at /output/link", code, !strcmp(text, "dir/file.txt"));
    code = stat_at(output, PATH_FOLLOW, "link", &info);
    GOT("type %s, %llu bytes", type_names[info.type & 7], (unsigned long long)info.size);
    report("stat-at /output/link (follow)", code, info.type == TYPE_REGULAR && info.size == 8);
    hash_value through, direct;
    code = metadata_hash_at(output, PATH_FOLLOW, "link", &through);
    if (code == OK) code = metadata_hash_at(output, 0, "hard.txt", &direct);
    report("metadata-hash-at link (follow) equals hard.txt", code, through.lower == direct.lower && through.upper == direct.upper);
    check("set-times-at /output/link (no follow, 1400000000)", set_times_at(output, 0, "link", 1400000000, 0, 1400000000));
    code = stat_at(output, 0, "link", &info);
    GOT("type %s, modification %llu", type_names[info.type & 7], (unsigned long long)info.modification_seconds);
    report("stat-at /output/link (no follow) times", code, info.type == TYPE_SYMLINK && info.modification_seconds == 1400000000);
    code = stat_at(output, 0, "dir/file.txt", &info);
    GOT("modification %llu", (unsigned long long)info.modification_seconds);
    report("stat-at dir/file.txt times unchanged by the link's", code, info.modification_seconds == 1600000000);

    check("symlink-at /output/loop to loop", symlink_at(output, "loop", "loop"));
    check("open-at /output/loop (follow)", open_at(output, PATH_FOLLOW, "loop", 0, READ, NULL));
    check("stat-at /output/loop (follow)", stat_at(output, PATH_FOLLOW, "loop", NULL));
    check("open-at /output/link (no follow)", open_at(output, 0, "link", 0, READ, NULL));
    check("open-at /output/loop/x (create)", open_at(output, PATH_FOLLOW, "loop/x", OPEN_CREATE, WRITE, NULL));

    check("symlink-at /output/dlink to dir", symlink_at(output, "dir", "dlink"));
    check("open-at /output/dlink/file.txt (no follow: only the last component)", open_at(output, 0, "dlink/file.txt", 0, READ, NULL));
    check("open-at /output/dlink (directory, follow)", open_at(output, PATH_FOLLOW, "dlink", OPEN_DIRECTORY, READ, NULL));
    check("open-at /output/dlink (directory, no follow)", open_at(output, 0, "dlink", OPEN_DIRECTORY, READ, NULL));
    check("remove-directory-at /output/dlink", remove_directory_at(output, "dlink"));
    check("unlink-file-at /output/dlink", unlink_file_at(output, "dlink"));
}

static void renames_and_removals(void) {
    char text[256];
    check("create-directory-at /output/other", create_directory_at(output, "other"));
    check("rename-at hard.txt to other/moved.txt", rename_at(output, "hard.txt", output, "other/moved.txt"));
    check("stat-at hard.txt after rename", stat_at(output, 0, "hard.txt", NULL));
    check("rename-at missing.txt", rename_at(output, "missing.txt", output, "x.txt"));
    check("rename-at dir into dir/inside", rename_at(output, "dir", output, "dir/inside"));
    check("rename-at other/moved.txt over dir", rename_at(output, "other/moved.txt", output, "dir"));
    check("rename-at dir/sub over other/moved.txt", rename_at(output, "dir/sub", output, "other/moved.txt"));
    check("rename-at dir/sub over other (not empty)", rename_at(output, "dir/sub", output, "other"));
    check("rename-at other/moved.txt to /config/moved.txt", rename_at(output, "other/moved.txt", config, "moved.txt"));
    check("rename-at other/moved.txt to ../moved.txt", rename_at(output, "other/moved.txt", output, "../moved.txt"));
    check("rename-at dir/copy.txt to other/copy.txt (over nothing)", rename_at(output, "dir/copy.txt", output, "other/copy.txt"));
    check("rename-at other/copy.txt over other/moved.txt", rename_at(output, "other/copy.txt", output, "other/moved.txt"));

    check("remove-directory-at /output/dir (not empty)", remove_directory_at(output, "dir"));
    check("remove-directory-at /output/dir/file.txt", remove_directory_at(output, "dir/file.txt"));
    check("remove-directory-at /output/missing", remove_directory_at(output, "missing"));
    check("remove-directory-at /output/.", remove_directory_at(output, "."));
    check("unlink-file-at /output/dir", unlink_file_at(output, "dir"));
    check("unlink-file-at /output/missing.txt", unlink_file_at(output, "missing.txt"));

    int code = list_directory(output, text, sizeof text);
    GOT("%s", text);
    report("read-directory /output", code, !strcmp(text, "dir(directory) link(symbolic-link) loop(symbolic-link) other(directory)"));
    handle dir = -1;
    code = open_at(output, 0, "dir", OPEN_DIRECTORY, READ, &dir);
    if (code == OK) {
        code = list_directory(dir, text, sizeof text);
        GOT("%s", text);
        report("read-directory /output/dir", code, !strcmp(text, "file.txt(regular-file) sub(directory)"));
        descriptor_drop(dir);
    } else check("read-directory /output/dir", code);

    check("unlink-file-at /output/loop", unlink_file_at(output, "loop"));
    check("unlink-file-at /output/other/moved.txt", unlink_file_at(output, "other/moved.txt"));
    check("remove-directory-at /output/other", remove_directory_at(output, "other"));
    check("remove-directory-at /output/dir/sub", remove_directory_at(output, "dir/sub"));
    check("stat-at /output/other after removal", stat_at(output, 0, "other", NULL));
}

static void preopens_again(void) {
    RETURN_AREA;
    get_directories(r);
    uint8_t *list = (uint8_t *)u32_at(r, 0);
    uint32_t count = u32_at(r, 4);
    report("get-directories after dropping both", OK, count == 2);
    for (uint32_t i = 0; i < count; i++) {
        handle descriptor = (handle)u32_at(list, i * 12);
        free((void *)u32_at(list, i * 12 + 4));
        if (i == 0) {
            char text[64];
            handle settings = -1;
            int code = open_at(descriptor, 0, "settings.toml", 0, READ, &settings);
            if (code == OK) {
                code = read_at(settings, 64, 0, text, sizeof text, NULL);
                descriptor_drop(settings);
            }
            GOT("\"%s\"", text);
            report("read /config/settings.toml through the new handle", code, !strcmp(text, "mode = \"fast\"\n"));
        }
        descriptor_drop(descriptor);
    }
    free(list);
}

static void probe(void) {
    preopens();
    if (config < 0 || output < 0) return;
    reading_config();
    read_only_config();
    escapes();
    files_in_output();
    links_in_output();
    renames_and_removals();

    // A preopen's handle can be dropped and asked for again; the directory stays open.
    descriptor_drop(config);
    descriptor_drop(output);
    preopens_again();
}

/// `wasi:cli/run@0.2.0#run`: the adapter's start already initialised libc, so this only runs the
/// checks and flushes what printf buffered.
__attribute__((export_name("wasi:cli/run@0.2.0#run"))) int32_t run(void) {
    probe();
    fflush(NULL);
    return 0;
}
