// fd_readdir: entries, types, inode numbers, and cookies (resume from a saved cookie, many
// entries over several calls, buffers too small for one entry). The first argument picks a
// scenario; fd 3 is the preopened directory.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define DIR 3
#define MAX_ENTRIES 2048

typedef struct {
    char name[256];
    uint8_t type;
    __wasi_dircookie_t next;
    __wasi_inode_t ino;
} entry_t;

static entry_t entries[MAX_ENTRIES];
static int count;

static void fail(const char *what, __wasi_errno_t e) {
    printf("FAIL %s errno=%d\n", what, e);
    __wasi_proc_exit(100);
}

// Reads every entry from `cookie` on, `size` bytes per call, the way wasi-libc does: a
// truncated last entry is read again from the cookie of the last complete one.
static int read_all(__wasi_fd_t fd, size_t size, __wasi_dircookie_t cookie, int *calls) {
    static uint8_t buf[1 << 16];
    count = 0;
    *calls = 0;
    for (;;) {
        __wasi_size_t used = 0;
        __wasi_errno_t e = __wasi_fd_readdir(fd, buf, size, cookie, &used);
        (*calls)++;
        if (e) fail("fd_readdir", e);
        if (used > size) { printf("FAIL bufused %u > %zu\n", (unsigned)used, size); __wasi_proc_exit(101); }
        size_t offset = 0;
        int parsed = 0;
        while (offset + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t d;
            memcpy(&d, buf + offset, sizeof d);
            if (offset + sizeof d + d.d_namlen > used) break;  // truncated: reread from `cookie`
            if (count == MAX_ENTRIES || d.d_namlen > 255) fail("too many entries or name too long", 0);
            entry_t *x = &entries[count++];
            memcpy(x->name, buf + offset + sizeof d, d.d_namlen);
            x->name[d.d_namlen] = 0;
            x->type = d.d_type;
            x->next = d.d_next;
            x->ino = d.d_ino;
            cookie = d.d_next;
            offset += sizeof d + d.d_namlen;
            parsed++;
        }
        if (used < size) return 0;  // end of directory
        if (parsed == 0) return -1;   // the buffer cannot hold even one entry
        if (*calls > 100000) fail("no progress", 0);
    }
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const entry_t *)a)->name, ((const entry_t *)b)->name);
}

// ".", ".." first, then the rest sorted (the order of the rest is the filesystem's).
static void print_entries(void) {
    printf("count=%d first=<%s> second=<%s>\n", count, count > 0 ? entries[0].name : "",
           count > 1 ? entries[1].name : "");
    if (count > 2) qsort(entries + 2, count - 2, sizeof(entry_t), by_name);
    for (int i = 2; i < count; i++) printf("%s type=%d\n", entries[i].name, entries[i].type);
}

static __wasi_fd_t open_dir(const char *path) {
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(DIR, &st);
    if (e) fail("fdstat", e);
    __wasi_fd_t fd;
    e = __wasi_path_open(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, __WASI_OFLAGS_DIRECTORY,
                         (__WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_PATH_FILESTAT_GET) &
                             st.fs_rights_inheriting,
                         st.fs_rights_inheriting, 0, &fd);
    if (e) fail(path, e);
    return fd;
}

// The preopen's listing with a roomy buffer, types and inode numbers checked.
static void scenario_list(void) {
    int calls;
    if (read_all(DIR, 4096, 0, &calls)) fail("buffer too small", 0);
    // d_ino of each entry matches path_filestat_get (without following symlinks).
    int inode_mismatch = 0;
    for (int i = 2; i < count; i++) {
        __wasi_filestat_t st;
        __wasi_errno_t e = __wasi_path_filestat_get(DIR, 0, entries[i].name, &st);
        if (e || st.ino != entries[i].ino) inode_mismatch++;
    }
    print_entries();
    printf("inode-mismatches=%d\n", inode_mismatch);
    __wasi_fd_t sub = open_dir("sub");
    read_all(sub, 4096, 0, &calls);
    print_entries();
    __wasi_fd_t empty = open_dir("sub/empty");
    read_all(empty, 4096, 0, &calls);
    print_entries();
}

// A directory with many entries, read through a small buffer: several calls, nothing lost or
// repeated.
static void scenario_many(size_t size) {
    __wasi_fd_t fd = open_dir("many");
    int calls;
    if (read_all(fd, size, 0, &calls)) { printf("buffer %zu too small\n", size); return; }
    int dup = 0;
    printf("buffer=%zu several-calls=%s\n", size, calls > 2 ? "yes" : "no");
    // Check for duplicates before sorting hides nothing: sort then compare neighbours.
    print_entries();
    for (int i = 3; i < count; i++) if (strcmp(entries[i - 1].name, entries[i].name) == 0) dup++;
    printf("duplicates=%d\n", dup);
}

// Resume from saved cookies: the entry after cookie k is entry k+1 of a full listing.
static void scenario_cookies(void) {
    __wasi_fd_t fd = open_dir("many");
    int calls;
    read_all(fd, sizeof(entry_t) * 0 + 65536, 0, &calls);
    static entry_t full[MAX_ENTRIES];
    int n = count;
    memcpy(full, entries, sizeof(entry_t) * n);
    printf("full count=%d calls=%d\n", n, calls);
    int bad = 0;
    for (int k = 0; k < n - 1; k += 7) {
        read_all(fd, 4096, full[k].next, &calls);
        if (count != n - k - 1 || strcmp(entries[0].name, full[k + 1].name) != 0) {
            if (bad++ < 5) printf("resume after %d (%s): got %d entries starting <%s>\n", k, full[k].name, count,
                                  count ? entries[0].name : "");
        }
    }
    printf("resume-mismatches=%d\n", bad);
    // The cookie after the last entry gives nothing more.
    __wasi_size_t used = 123;
    uint8_t buf[256];
    __wasi_errno_t e = __wasi_fd_readdir(fd, buf, sizeof buf, full[n - 1].next, &used);
    printf("after-last errno=%d used=%u\n", e, (unsigned)used);
    // Cookie 0 starts over.
    read_all(fd, 4096, 0, &calls);
    printf("restart count=%d first=<%s>\n", count, entries[0].name);
    // Resume mid-way after new entries are created: everything still listed once.
}

// Buffers too small for one entry: bufused equals the buffer size (the "more to come" signal),
// and nothing is written past it.
static void scenario_tiny(void) {
    uint8_t buf[64];
    for (size_t size = 1; size <= 40; size += (size < 24 ? 23 : 16)) {
        memset(buf, 0xEE, sizeof buf);
        __wasi_size_t used = 999;
        __wasi_errno_t e = __wasi_fd_readdir(DIR, buf, size, 0, &used);
        int untouched = 1;
        for (size_t i = size; i < sizeof buf; i++) if (buf[i] != 0xEE) untouched = 0;
        printf("size=%zu errno=%d used=%u past-end-untouched=%s\n", size, e, (unsigned)used, untouched ? "yes" : "no");
    }
    // A header-sized buffer still yields the first entry's header: d_next and d_namlen for ".".
    __wasi_dirent_t d;
    __wasi_size_t used = 0;
    __wasi_errno_t e = __wasi_fd_readdir(DIR, (uint8_t *)&d, sizeof d, 0, &used);
    printf("header-only errno=%d used=%u namlen=%u type=%d\n", e, (unsigned)used, (unsigned)d.d_namlen, d.d_type);
    int calls;
    printf("list-with-25-byte-buffer result=%d\n", read_all(DIR, 25, 0, &calls));
    printf("list-with-26-byte-buffer result=%d count=%d\n", read_all(DIR, 26, 0, &calls), count);
}

static void scenario_errors(void) {
    uint8_t buf[256];
    __wasi_size_t used;
    printf("bad-fd errno=%d\n", __wasi_fd_readdir(99, buf, sizeof buf, 0, &used));
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(DIR, &st)) fail("fdstat", 0);
    __wasi_fd_t file;
    __wasi_errno_t e = __wasi_path_open(DIR, 0, "data.txt", 0, __WASI_RIGHTS_FD_READ & st.fs_rights_inheriting, 0, 0, &file);
    if (e) fail("open", e);
    e = __wasi_fd_readdir(file, buf, sizeof buf, 0, &used);
    printf("regular-file %s\n", (e == __WASI_ERRNO_NOTDIR || e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_NOTCAPABLE) ? "refused" : "NOT-REFUSED");
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) { printf("usage: fn_readdir SCENARIO\n"); return 2; }
    if (strcmp(argv[1], "list") == 0) scenario_list();
    else if (strcmp(argv[1], "many") == 0) scenario_many(argc > 2 ? (size_t)atoi(argv[2]) : 128);
    else if (strcmp(argv[1], "cookies") == 0) scenario_cookies();
    else if (strcmp(argv[1], "tiny") == 0) scenario_tiny();
    else if (strcmp(argv[1], "errors") == 0) scenario_errors();
    else { printf("unknown scenario %s\n", argv[1]); return 2; }
    return 0;
}
