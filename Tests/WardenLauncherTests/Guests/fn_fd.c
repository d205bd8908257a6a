// fd_* functions through the raw wasi_snapshot_preview1 imports. The first argument picks a
// scenario; the preopened directory is fd 3 (prestat also walks the preopens). Every call's
// errno and observable effect is printed; the host checks stdout and the files left behind.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define DIR 3

static void fail(const char *what, __wasi_errno_t e) {
    printf("FAIL %s errno=%d\n", what, e);
    fflush(stdout);
    __wasi_proc_exit(100);
}

// path_open relative to the preopen, asking only for rights the directory passes on.
static __wasi_errno_t try_open(const char *path, __wasi_oflags_t oflags, __wasi_rights_t want,
                               __wasi_fdflags_t fdflags, __wasi_fd_t *fd) {
    __wasi_fdstat_t dir;
    __wasi_errno_t e = __wasi_fd_fdstat_get(DIR, &dir);
    if (e) return e;
    return __wasi_path_open(DIR, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags,
                            want & dir.fs_rights_inheriting, dir.fs_rights_inheriting, fdflags, fd);
}

#define R_READ (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | \
                __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | \
                __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_POLL_FD_READWRITE)
#define R_WRITE (__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | \
                 __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)
#define R_RW (R_READ | R_WRITE)

static __wasi_fd_t open_or_die(const char *path, __wasi_oflags_t oflags, __wasi_rights_t want, __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd;
    __wasi_errno_t e = try_open(path, oflags, want, fdflags, &fd);
    if (e) fail(path, e);
    return fd;
}

static void must(const char *what, __wasi_errno_t e) {
    if (e) fail(what, e);
}

static __wasi_errno_t put(__wasi_fd_t fd, const char *text, __wasi_size_t *n) {
    __wasi_ciovec_t v = {(const uint8_t *)text, strlen(text)};
    return __wasi_fd_write(fd, &v, 1, n);
}

// Reads up to `max` bytes with one fd_read and prints them.
static void show_read(const char *label, __wasi_fd_t fd, size_t max) {
    char buf[256] = {0};
    __wasi_iovec_t v = {(uint8_t *)buf, max};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_read(fd, &v, 1, &n);
    printf("%s errno=%d n=%u data=<%.*s>\n", label, e, (unsigned)n, (int)n, buf);
}

static __wasi_filesize_t size_of(__wasi_fd_t fd) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_fd_filestat_get(fd, &st);
    if (e) fail("fd_filestat_get", e);
    return st.size;
}

static const char *refusal(__wasi_errno_t e) {
    // A write through a descriptor without the right: badf (POSIX) or notcapable (rights).
    return (e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_NOTCAPABLE) ? "refused" : "NOT-REFUSED";
}

static void scenario_write(void) {
    __wasi_ciovec_t parts[3] = {{(const uint8_t *)"hel", 3}, {(const uint8_t *)"lo, ", 4}, {(const uint8_t *)"world\n", 6}};
    __wasi_size_t n = 0;
    fflush(stdout);
    __wasi_errno_t e = __wasi_fd_write(1, parts, 3, &n);
    printf("stdout errno=%d nwritten=%u\n", e, (unsigned)n);
    n = 99;
    e = __wasi_fd_write(1, parts, 0, &n);
    printf("no-iovecs errno=%d nwritten=%u\n", e, (unsigned)n);
    __wasi_ciovec_t empty = {(const uint8_t *)"", 0};
    n = 99;
    e = __wasi_fd_write(1, &empty, 1, &n);
    printf("empty-iovec errno=%d nwritten=%u\n", e, (unsigned)n);
    e = __wasi_fd_write(2, parts + 2, 1, &n);
    printf("stderr errno=%d nwritten=%u\n", e, (unsigned)n);

    __wasi_fd_t fd = open_or_die("out.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_RW, 0);
    e = put(fd, "first\n", &n);
    printf("file1 errno=%d nwritten=%u\n", e, (unsigned)n);
    e = put(fd, "second\n", &n);
    printf("file2 errno=%d nwritten=%u\n", e, (unsigned)n);
    // Large write: 200 KiB in one call must land completely (loop on short writes).
    static char big[200 * 1024];
    for (size_t i = 0; i < sizeof big; i++) big[i] = 'a' + i % 26;
    __wasi_fd_t bf = open_or_die("big.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_RW, 0);
    size_t total = 0;
    while (total < sizeof big) {
        __wasi_ciovec_t v = {(const uint8_t *)big + total, sizeof big - total};
        e = __wasi_fd_write(bf, &v, 1, &n);
        if (e || n == 0) fail("big write", e);
        total += n;
    }
    printf("big total=%zu size=%llu\n", total, (unsigned long long)size_of(bf));

    __wasi_fd_t ro = open_or_die("data.txt", 0, R_READ, 0);
    e = put(ro, "x", &n);
    printf("read-only-fd %s\n", refusal(e));
    e = put(99, "x", &n);
    printf("bad-fd errno=%d\n", e);
}

static void scenario_read(void) {
    // stdin (a pipe): two iovecs, the first tiny.
    char a[4], b[64];
    __wasi_iovec_t v[2] = {{(uint8_t *)a, sizeof a}, {(uint8_t *)b, sizeof b}};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_read(0, v, 2, &n);
    printf("stdin errno=%d n=%u first=<%.4s> second=<%.*s>\n", e, (unsigned)n, a, (int)(n > 4 ? n - 4 : 0), b);
    // Drain to EOF.
    size_t rest = 0;
    for (;;) {
        __wasi_iovec_t w = {(uint8_t *)b, sizeof b};
        e = __wasi_fd_read(0, &w, 1, &n);
        if (e) fail("stdin read", e);
        if (n == 0) break;
        rest += n;
    }
    printf("stdin rest=%zu eof-n=%u\n", rest, (unsigned)n);

    __wasi_fd_t fd = open_or_die("data.txt", 0, R_READ, 0);
    char x[3], y[3];
    __wasi_iovec_t xy[2] = {{(uint8_t *)x, 3}, {(uint8_t *)y, 3}};
    e = __wasi_fd_read(fd, xy, 2, &n);
    printf("file errno=%d n=%u <%.3s|%.3s>\n", e, (unsigned)n, x, y);
    show_read("file-rest", fd, 100);
    show_read("file-eof", fd, 100);
    __wasi_iovec_t none = {(uint8_t *)x, 0};
    e = __wasi_fd_read(fd, &none, 1, &n);
    printf("zero-length errno=%d n=%u\n", e, (unsigned)n);

    __wasi_fd_t wo = open_or_die("data.txt", 0, __WASI_RIGHTS_FD_WRITE, 0);
    e = __wasi_fd_read(wo, xy, 2, &n);
    printf("write-only-fd %s\n", refusal(e));
    e = __wasi_fd_read(99, xy, 2, &n);
    printf("bad-fd errno=%d\n", e);
}

static void scenario_seek(void) {
    __wasi_fd_t fd = open_or_die("data.txt", 0, R_READ, 0);
    __wasi_filesize_t pos = 12345;
    __wasi_errno_t e = __wasi_fd_tell(fd, &pos);
    printf("tell-initial errno=%d pos=%llu\n", e, (unsigned long long)pos);
    e = __wasi_fd_seek(fd, 3, __WASI_WHENCE_SET, &pos);
    printf("seek-set errno=%d pos=%llu\n", e, (unsigned long long)pos);
    show_read("read", fd, 2);
    e = __wasi_fd_tell(fd, &pos);
    printf("tell errno=%d pos=%llu\n", e, (unsigned long long)pos);
    e = __wasi_fd_seek(fd, -1, __WASI_WHENCE_CUR, &pos);
    printf("seek-cur errno=%d pos=%llu\n", e, (unsigned long long)pos);
    e = __wasi_fd_seek(fd, -2, __WASI_WHENCE_END, &pos);
    printf("seek-end errno=%d pos=%llu\n", e, (unsigned long long)pos);
    show_read("read", fd, 10);
    e = __wasi_fd_seek(fd, 100, __WASI_WHENCE_SET, &pos);
    printf("seek-past-end errno=%d pos=%llu\n", e, (unsigned long long)pos);
    show_read("read-past-end", fd, 10);
    pos = 777;
    e = __wasi_fd_seek(fd, -1, __WASI_WHENCE_SET, &pos);
    printf("seek-negative errno=%d pos=%llu\n", e, (unsigned long long)pos);
    e = __wasi_fd_tell(fd, &pos);
    printf("tell-after-errors errno=%d pos=%llu\n", e, (unsigned long long)pos);
    e = __wasi_fd_seek(0, 0, __WASI_WHENCE_CUR, &pos);
    printf("seek-pipe errno=%d\n", e);
    e = __wasi_fd_seek(99, 0, __WASI_WHENCE_SET, &pos);
    printf("seek-bad-fd errno=%d\n", e);
    e = __wasi_fd_tell(99, &pos);
    printf("tell-bad-fd errno=%d\n", e);
    // Last: wasmtime traps on an out-of-range enum; the contract wants inval.
    e = __wasi_fd_seek(fd, 0, 3, &pos);
    printf("seek-bad-whence errno=%d\n", e);
}

static void scenario_pread_pwrite(void) {
    __wasi_fd_t fd = open_or_die("data.txt", 0, R_RW, 0);
    __wasi_filesize_t pos;
    must("fd_seek", __wasi_fd_seek(fd, 2, __WASI_WHENCE_SET, &pos));
    __wasi_ciovec_t w = {(const uint8_t *)"AB", 2};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_pwrite(fd, &w, 1, 5, &n);
    printf("pwrite errno=%d n=%u\n", e, (unsigned)n);
    must("fd_tell", __wasi_fd_tell(fd, &pos));
    printf("offset-after-pwrite=%llu\n", (unsigned long long)pos);
    char a[1], b[3];
    __wasi_iovec_t r[2] = {{(uint8_t *)a, 1}, {(uint8_t *)b, 3}};
    e = __wasi_fd_pread(fd, r, 2, 4, &n);
    printf("pread errno=%d n=%u data=<%.1s%.3s>\n", e, (unsigned)n, a, b);
    must("fd_tell", __wasi_fd_tell(fd, &pos));
    printf("offset-after-pread=%llu\n", (unsigned long long)pos);
    e = __wasi_fd_pread(fd, r, 2, 100, &n);
    printf("pread-past-end errno=%d n=%u\n", e, (unsigned)n);
    __wasi_ciovec_t z = {(const uint8_t *)"Z", 1};
    e = __wasi_fd_pwrite(fd, &z, 1, 12, &n);
    printf("pwrite-past-end errno=%d n=%u size=%llu\n", e, (unsigned)n, (unsigned long long)size_of(fd));
    show_read("read-at-offset", fd, 3);
    e = __wasi_fd_pread(0, r, 2, 0, &n);
    printf("pread-pipe errno=%d\n", e);
    e = __wasi_fd_pwrite(99, &z, 1, 0, &n);
    printf("pwrite-bad-fd errno=%d\n", e);
    e = __wasi_fd_pread(99, r, 1, 0, &n);
    printf("pread-bad-fd errno=%d\n", e);
}

static void scenario_close(void) {
    __wasi_fd_t fd = open_or_die("data.txt", 0, R_READ, 0);
    printf("close errno=%d\n", __wasi_fd_close(fd));
    printf("close-again errno=%d\n", __wasi_fd_close(fd));
    show_read("read-closed", fd, 4);
    printf("close-bad-fd errno=%d\n", __wasi_fd_close(99));
    // Closing a preopen takes it away: nothing more can be opened through it.
    printf("close-preopen errno=%d\n", __wasi_fd_close(DIR));
    __wasi_prestat_t p;
    printf("prestat-after-close errno=%d\n", __wasi_fd_prestat_get(DIR, &p));
    __wasi_fd_t again;
    printf("open-after-close errno=%d\n",
           __wasi_path_open(DIR, 0, "data.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &again));
}

static void scenario_sync(void) {
    __wasi_fd_t fd = open_or_die("synced.txt", __WASI_OFLAGS_CREAT, R_RW, 0);
    __wasi_size_t n;
    put(fd, "durable\n", &n);
    printf("fd_sync errno=%d\n", __wasi_fd_sync(fd));
    printf("fd_datasync errno=%d\n", __wasi_fd_datasync(fd));
    printf("fd_sync-bad-fd errno=%d\n", __wasi_fd_sync(99));
    printf("fd_datasync-bad-fd errno=%d\n", __wasi_fd_datasync(99));
}

static void scenario_advise(void) {
    __wasi_fd_t fd = open_or_die("data.txt", 0, R_READ, 0);
    for (int advice = 0; advice <= 5; advice++)
        printf("advice %d errno=%d\n", advice, __wasi_fd_advise(fd, 0, 10, (__wasi_advice_t)advice));
    printf("advice bad-fd errno=%d\n", __wasi_fd_advise(99, 0, 10, 0));
    show_read("read-after-advice", fd, 10);
    // Last: wasmtime traps on an out-of-range enum; the contract wants inval.
    printf("advice invalid errno=%d\n", __wasi_fd_advise(fd, 0, 10, 6));
}

static void scenario_allocate(void) {
    __wasi_fd_t fd = open_or_die("alloc.bin", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_RW, 0);
    printf("allocate errno=%d size=%llu\n", __wasi_fd_allocate(fd, 0, 4096), (unsigned long long)size_of(fd));
    printf("allocate-inside errno=%d size=%llu\n", __wasi_fd_allocate(fd, 100, 10), (unsigned long long)size_of(fd));
    printf("allocate-extend errno=%d size=%llu\n", __wasi_fd_allocate(fd, 4096, 100), (unsigned long long)size_of(fd));
    __wasi_fd_t ro = open_or_die("data.txt", 0, R_READ, 0);
    printf("allocate-read-only-fd %s\n", refusal(__wasi_fd_allocate(ro, 0, 100)));
    printf("allocate-bad-fd errno=%d\n", __wasi_fd_allocate(99, 0, 1));
}

static void scenario_filestat(void) {
    __wasi_fd_t fd = open_or_die("data.txt", 0, R_READ, 0);
    __wasi_filestat_t st, pst, dst;
    __wasi_errno_t e = __wasi_fd_filestat_get(fd, &st);
    printf("file errno=%d type=%d size=%llu nlink=%llu mtim_s=%llu mtim_ns=%llu\n", e, st.filetype,
           (unsigned long long)st.size, (unsigned long long)st.nlink, (unsigned long long)(st.mtim / 1000000000ull),
           (unsigned long long)(st.mtim % 1000000000ull));
    e = __wasi_path_filestat_get(DIR, 0, "data.txt", &pst);
    printf("same-inode-as-path=%s\n", (!e && pst.ino == st.ino && pst.dev == st.dev && st.ino != 0) ? "yes" : "no");
    printf("ino=%llu\n", (unsigned long long)st.ino);
    e = __wasi_fd_filestat_get(DIR, &dst);
    printf("dir errno=%d type=%d\n", e, dst.filetype);
    printf("bad-fd errno=%d\n", __wasi_fd_filestat_get(99, &st));
}

static void scenario_set_size(void) {
    __wasi_fd_t fd = open_or_die("data.txt", 0, R_RW, 0);
    printf("shrink errno=%d size=%llu\n", __wasi_fd_filestat_set_size(fd, 3), (unsigned long long)size_of(fd));
    printf("grow errno=%d size=%llu\n", __wasi_fd_filestat_set_size(fd, 6), (unsigned long long)size_of(fd));
    __wasi_fd_t ro = open_or_die("other.txt", 0, R_READ, 0);
    printf("read-only-fd %s\n", refusal(__wasi_fd_filestat_set_size(ro, 0)));
    printf("bad-fd errno=%d\n", __wasi_fd_filestat_set_size(99, 0));
}

static void scenario_set_times(void) {
    __wasi_fd_t fd = open_or_die("data.txt", 0, R_RW, 0);
    const __wasi_timestamp_t atim = 1000000000ull * 1000000000ull + 123;
    const __wasi_timestamp_t mtim = 1500000000ull * 1000000000ull + 456000;
    __wasi_errno_t e = __wasi_fd_filestat_set_times(fd, atim, mtim, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
    __wasi_filestat_t st;
    must("fd_filestat_get", __wasi_fd_filestat_get(fd, &st));
    printf("set errno=%d atim=%s mtim=%s\n", e, st.atim == atim ? "exact" : "WRONG", st.mtim == mtim ? "exact" : "WRONG");
    // Only mtim changes when only MTIM_NOW is given.
    e = __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW);
    __wasi_timestamp_t now;
    must("clock_time_get", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now));
    must("fd_filestat_get", __wasi_fd_filestat_get(fd, &st));
    long long delta = (long long)(st.mtim / 1000000000ull) - (long long)(now / 1000000000ull);
    printf("mtim-now errno=%d mtim-is-now=%s atim-kept=%s\n", e, (delta >= -5 && delta <= 5) ? "yes" : "no",
           st.atim == atim ? "yes" : "no");
    printf("atim+atim_now errno=%d\n",
           __wasi_fd_filestat_set_times(fd, 1, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
    printf("mtim+mtim_now errno=%d\n",
           __wasi_fd_filestat_set_times(fd, 0, 1, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
    // Put a known mtime back for the host to check.
    e = __wasi_fd_filestat_set_times(fd, 0, mtim, __WASI_FSTFLAGS_MTIM);
    printf("final errno=%d\n", e);
    printf("bad-fd errno=%d\n", __wasi_fd_filestat_set_times(99, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
}

static void show_fdstat(const char *label, __wasi_fd_t fd) {
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &st);
    if (st.fs_filetype == __WASI_FILETYPE_DIRECTORY)
        printf("%s errno=%d type=%d flags=%d path_open=%d readdir=%d\n", label, e, st.fs_filetype, st.fs_flags,
               !!(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN), !!(st.fs_rights_base & __WASI_RIGHTS_FD_READDIR));
    else
        printf("%s errno=%d type=%d flags=%d read=%d write=%d\n", label, e, st.fs_filetype, st.fs_flags,
               !!(st.fs_rights_base & __WASI_RIGHTS_FD_READ), !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
}

static void scenario_fdstat(void) {
    show_fdstat("preopen", DIR);
    show_fdstat("file-rw-append", open_or_die("data.txt", 0, R_RW, __WASI_FDFLAGS_APPEND));
    show_fdstat("file-ro", open_or_die("data.txt", 0, R_READ, 0));
    show_fdstat("subdir", open_or_die("sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR, 0));
    __wasi_fdstat_t st;
    printf("bad-fd errno=%d\n", __wasi_fd_fdstat_get(99, &st));
}

static void scenario_set_flags(void) {
    __wasi_fd_t fd = open_or_die("log.txt", 0, R_RW, 0);
    __wasi_filesize_t pos;
    __wasi_size_t n;
    printf("set-append errno=%d\n", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    show_fdstat("after-set", fd);
    must("fd_seek", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    printf("append-write errno=%d\n", put(fd, "end\n", &n));
    printf("clear errno=%d\n", __wasi_fd_fdstat_set_flags(fd, 0));
    show_fdstat("after-clear", fd);
    must("fd_seek", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    printf("overwrite errno=%d\n", put(fd, "S", &n));
    printf("bad-fd errno=%d\n", __wasi_fd_fdstat_set_flags(99, 0));
}

static void scenario_set_rights(void) {
    __wasi_fd_t fd = open_or_die("data.txt", 0, R_RW, 0);
    __wasi_fdstat_t st;
    must("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &st));
    printf("initial write=%d\n", !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
    __wasi_rights_t reduced = st.fs_rights_base & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE;
    printf("drop-write errno=%d\n", __wasi_fd_fdstat_set_rights(fd, reduced, st.fs_rights_inheriting));
    must("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &st));
    printf("after-drop write=%d read=%d\n", !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE),
           !!(st.fs_rights_base & __WASI_RIGHTS_FD_READ));
    __wasi_size_t n;
    printf("write-after-drop errno=%d\n", put(fd, "x", &n));
    show_read("read-still-works", fd, 4);
    printf("regain-write errno=%d\n", __wasi_fd_fdstat_set_rights(fd, reduced | __WASI_RIGHTS_FD_WRITE, st.fs_rights_inheriting));
    must("fd_fdstat_get", __wasi_fd_fdstat_get(fd, &st));
    printf("after-regain write=%d\n", !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE));
    printf("bad-fd errno=%d\n", __wasi_fd_fdstat_set_rights(99, 0, 0));
}

static void scenario_renumber(void) {
    __wasi_fd_t a = open_or_die("a.txt", 0, R_READ, 0);
    __wasi_fd_t b = open_or_die("b.txt", 0, R_READ, 0);
    printf("renumber errno=%d\n", __wasi_fd_renumber(a, b));
    show_read("read-to", b, 10);
    printf("from-now-closed errno=%d\n", __wasi_fd_close(a));
    printf("self errno=%d\n", __wasi_fd_renumber(b, b));
    __wasi_filesize_t pos;
    must("fd_seek", __wasi_fd_seek(b, 0, __WASI_WHENCE_SET, &pos));
    show_read("read-after-self", b, 10);
    printf("to-not-open errno=%d\n", __wasi_fd_renumber(b, 77));
    printf("from-not-open errno=%d\n", __wasi_fd_renumber(88, b));
    show_read("still-open", b, 10);
    // Renumber a file onto stdout: later writes to fd 1 land in the file.
    __wasi_fd_t out = open_or_die("redirected.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_RW, 0);
    printf("onto-stdout errno=");
    fflush(stdout);
    __wasi_errno_t e = __wasi_fd_renumber(out, 1);
    __wasi_size_t n;
    char msg[64];
    snprintf(msg, sizeof msg, "%d (written through fd 1)\n", e);
    put(1, msg, &n);
    put(2, e ? "renumber onto stdout failed\n" : "", &n);
}

static void scenario_prestat(void) {
    for (__wasi_fd_t fd = 3; fd < 8; fd++) {
        __wasi_prestat_t p;
        __wasi_errno_t e = __wasi_fd_prestat_get(fd, &p);
        if (e) { printf("fd %u errno=%d\n", (unsigned)fd, e); continue; }
        char name[512];
        memset(name, '#', sizeof name);
        e = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, p.u.dir.pr_name_len);
        printf("fd %u tag=%d len=%u name=<%.*s> errno=%d untouched-after=%s\n", (unsigned)fd, p.tag,
               (unsigned)p.u.dir.pr_name_len, (int)p.u.dir.pr_name_len, name, e,
               name[p.u.dir.pr_name_len] == '#' ? "yes" : "no");
        if (p.u.dir.pr_name_len > 1) {
            e = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, p.u.dir.pr_name_len - 1);
            printf("fd %u short-buffer errno=%d\n", (unsigned)fd, e);
        }
    }
    __wasi_prestat_t p;
    printf("stdin errno=%d\n", __wasi_fd_prestat_get(0, &p));
    __wasi_fd_t fd;
    if (try_open("data.txt", 0, R_READ, 0, &fd) == 0)
        printf("opened-file errno=%d\n", __wasi_fd_prestat_get(fd, &p));
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);  // keep every line even if a later call traps
    if (argc < 2) { printf("usage: fn_fd SCENARIO\n"); return 2; }
    static const struct { const char *name; void (*run)(void); } table[] = {
        {"write", scenario_write}, {"read", scenario_read}, {"seek", scenario_seek},
        {"pread_pwrite", scenario_pread_pwrite}, {"close", scenario_close}, {"sync", scenario_sync},
        {"advise", scenario_advise}, {"allocate", scenario_allocate}, {"filestat", scenario_filestat},
        {"set_size", scenario_set_size}, {"set_times", scenario_set_times}, {"fdstat", scenario_fdstat},
        {"set_flags", scenario_set_flags}, {"set_rights", scenario_set_rights}, {"renumber", scenario_renumber},
        {"prestat", scenario_prestat},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(argv[1], table[i].name) == 0) { table[i].run(); return 0; }
    printf("unknown scenario %s\n", argv[1]);
    return 2;
}
