// Races the host: while a host thread keeps swapping `dir` (a real directory inside the
// sandbox) with a symlink that leads out of it, this guest keeps going through `dir`.
//
//   hostile_race read ITERATIONS   open `dir/file` (following symlinks) on fd 3 and read it
//   hostile_race create ITERATIONS create `dir/c<i>` (path_open O_CREAT) and `dir/d<i>` (mkdir)
//
// Prints one line of counts, e.g. `inside=123 outside=0 notcapable=77 other=0 first_other=-`:
// `inside`  reads that returned the inside file's content ("INSIDE") / creations that succeeded
// `outside` reads that returned anything else (the outside file holds "OUTSIDE-SECRET")
// `notcapable` refusals; `other` any other errno (first_other names the first one).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))
typedef struct { uint32_t buf; uint32_t len; } iovec32;
IMPORT("path_open") int32_t raw_path_open(int32_t fd, int32_t dirflags, const char *path, int32_t len,
                                          int32_t oflags, int64_t base, int64_t inheriting, int32_t fdflags,
                                          uint32_t *out);
IMPORT("path_create_directory") int32_t raw_path_create_directory(int32_t fd, const char *path, int32_t len);
IMPORT("fd_read") int32_t raw_fd_read(int32_t fd, const iovec32 *iovs, int32_t count, uint32_t *nread);
IMPORT("fd_close") int32_t raw_fd_close(int32_t fd);

#define FD_READ (UINT64_C(1) << 1)
#define FD_WRITE (UINT64_C(1) << 6)
#define NOTCAPABLE 76

static long inside, outside, notcapable, other;
static int first_other = -1;

static void count_error(int32_t e) {
    if (e == NOTCAPABLE) {
        notcapable++;
    } else {
        if (first_other < 0) first_other = e;
        other++;
    }
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    long iterations = strtol(argv[2], NULL, 0);
    int create = strcmp(argv[1], "create") == 0;
    for (long i = 0; i < iterations; i++) {
        if (create) {
            char path[64];
            int length = snprintf(path, sizeof path, "dir/c%ld", i);
            uint32_t fd;
            int32_t e = raw_path_open(3, 1, path, length, 1 | 4 /* creat|excl */, FD_WRITE, 0, 0, &fd);
            if (e == 0) {
                inside++;
                raw_fd_close((int32_t)fd);
            } else {
                count_error(e);
            }
            length = snprintf(path, sizeof path, "dir/d%ld", i);
            e = raw_path_create_directory(3, path, length);
            if (e == 0) inside++;
            else count_error(e);
            continue;
        }
        uint32_t fd;
        int32_t e = raw_path_open(3, 1 /* symlink_follow */, "dir/file", 8, 0, FD_READ, 0, 0, &fd);
        if (e != 0) {
            count_error(e);
            continue;
        }
        char buffer[64];
        iovec32 iov = {(uint32_t)(uintptr_t)buffer, sizeof buffer};
        uint32_t n = 0;
        e = raw_fd_read((int32_t)fd, &iov, 1, &n);
        raw_fd_close((int32_t)fd);
        if (e != 0) count_error(e);
        else if (n == 6 && memcmp(buffer, "INSIDE", 6) == 0) inside++;
        else outside++;
    }
    printf("inside=%ld outside=%ld notcapable=%ld other=%ld first_other=%d\n", inside, outside, notcapable, other,
           first_other);
    return 0;
}
