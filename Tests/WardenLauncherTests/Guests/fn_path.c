// path_* functions (and path_open's flags) through the raw wasi_snapshot_preview1 imports.
// The first argument picks a scenario; the preopened directory is fd 3 (and, for "readonly",
// a read-only preopen at fd 4). Every errno is printed; the host checks stdout and the tree.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define DIR 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

#define R_READ (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | \
                __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_POLL_FD_READWRITE)
#define R_WRITE (__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | \
                 __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)
#define R_RW (R_READ | R_WRITE)
#define R_DIR (__WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_FILESTAT_GET | \
               __WASI_RIGHTS_FD_FILESTAT_GET)

static void fail(const char *what, __wasi_errno_t e) {
    printf("FAIL %s errno=%d\n", what, e);
    __wasi_proc_exit(100);
}

static void must(const char *what, __wasi_errno_t e) {
    if (e) fail(what, e);
}

// path_open asking only for rights the directory passes on (as wasi-libc does).
static __wasi_errno_t open_in(__wasi_fd_t dir, __wasi_lookupflags_t lookup, const char *path, __wasi_oflags_t oflags,
                              __wasi_rights_t want, __wasi_fdflags_t fdflags, __wasi_fd_t *fd) {
    __wasi_fdstat_t st;
    __wasi_errno_t e = __wasi_fd_fdstat_get(dir, &st);
    if (e) return e;
    return __wasi_path_open(dir, lookup, path, oflags, want & st.fs_rights_inheriting,
                            (oflags & __WASI_OFLAGS_DIRECTORY) ? st.fs_rights_inheriting : 0, fdflags, fd);
}

static __wasi_errno_t open_at(__wasi_lookupflags_t lookup, const char *path, __wasi_oflags_t oflags,
                              __wasi_rights_t want, __wasi_fdflags_t fdflags, __wasi_fd_t *fd) {
    return open_in(DIR, lookup, path, oflags, want, fdflags, fd);
}

static void show_contents(const char *label, __wasi_fd_t fd) {
    char buf[128];
    __wasi_iovec_t v = {(uint8_t *)buf, sizeof buf};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_read(fd, &v, 1, &n);
    printf("%s read errno=%d data=<%.*s>\n", label, e, (int)n, buf);
}

static void show_stat(const char *label, __wasi_lookupflags_t lookup, const char *path) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(DIR, lookup, path, &st);
    if (e) { printf("%s errno=%d\n", label, e); return; }
    if (st.filetype == __WASI_FILETYPE_DIRECTORY)  // a directory's size and nlink depend on the filesystem
        printf("%s errno=0 type=%d\n", label, st.filetype);
    else
        printf("%s errno=0 type=%d size=%llu nlink=%llu\n", label, st.filetype, (unsigned long long)st.size,
               (unsigned long long)st.nlink);
}

static void scenario_create_directory(void) {
    printf("new errno=%d\n", __wasi_path_create_directory(DIR, "newdir"));
    show_stat("new-stat", 0, "newdir");
    printf("again errno=%d\n", __wasi_path_create_directory(DIR, "newdir"));
    printf("nested errno=%d\n", __wasi_path_create_directory(DIR, "newdir/nested"));
    printf("missing-parent errno=%d\n", __wasi_path_create_directory(DIR, "missing/child"));
    printf("under-file errno=%d\n", __wasi_path_create_directory(DIR, "data.txt/child"));
    printf("over-file errno=%d\n", __wasi_path_create_directory(DIR, "data.txt"));
    printf("escape errno=%d\n", __wasi_path_create_directory(DIR, "../escaped"));
    printf("bad-fd errno=%d\n", __wasi_path_create_directory(99, "x"));
}

static void scenario_filestat_get(void) {
    show_stat("file", FOLLOW, "data.txt");
    show_stat("dir", FOLLOW, "sub");
    show_stat("link-nofollow", 0, "link-to-data");
    show_stat("link-follow", FOLLOW, "link-to-data");
    show_stat("via-dir-link", 0, "link-to-sub/inner.txt");
    show_stat("dangling-nofollow", 0, "dangling");
    show_stat("dangling-follow", FOLLOW, "dangling");
    show_stat("missing", FOLLOW, "missing");
    show_stat("under-file", FOLLOW, "data.txt/x");
    __wasi_filestat_t st;
    must("stat", __wasi_path_filestat_get(DIR, FOLLOW, "data.txt", &st));
    printf("mtim=%llu.%09llu\n", (unsigned long long)(st.mtim / 1000000000ull),
           (unsigned long long)(st.mtim % 1000000000ull));
    printf("bad-fd errno=%d\n", __wasi_path_filestat_get(99, FOLLOW, "data.txt", &st));
}

static void scenario_filestat_set_times(void) {
    const __wasi_timestamp_t atim = 1200000000ull * 1000000000ull + 7;
    const __wasi_timestamp_t mtim = 1500000000ull * 1000000000ull + 456000;
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_set_times(DIR, FOLLOW, "data.txt", atim, mtim,
                                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
    must("stat", __wasi_path_filestat_get(DIR, FOLLOW, "data.txt", &st));
    printf("set errno=%d atim=%s mtim=%s\n", e, st.atim == atim ? "exact" : "WRONG", st.mtim == mtim ? "exact" : "WRONG");
    // Only atime moves to "now"; mtime stays.
    e = __wasi_path_filestat_set_times(DIR, FOLLOW, "data.txt", 0, 0, __WASI_FSTFLAGS_ATIM_NOW);
    __wasi_timestamp_t now;
    must("clock", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now));
    must("stat", __wasi_path_filestat_get(DIR, FOLLOW, "data.txt", &st));
    long long delta = (long long)(st.atim / 1000000000ull) - (long long)(now / 1000000000ull);
    printf("atim-now errno=%d atim-is-now=%s mtim-kept=%s\n", e, (delta >= -5 && delta <= 5) ? "yes" : "no",
           st.mtim == mtim ? "yes" : "no");
    // Through a symlink with FOLLOW: the target changes.
    e = __wasi_path_filestat_set_times(DIR, FOLLOW, "link-to-other", 0, mtim, __WASI_FSTFLAGS_MTIM);
    must("stat", __wasi_path_filestat_get(DIR, FOLLOW, "other.txt", &st));
    printf("follow errno=%d target-mtim=%s\n", e, st.mtim == mtim ? "set" : "unchanged");
    printf("missing errno=%d\n", __wasi_path_filestat_set_times(DIR, FOLLOW, "missing", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    printf("bad-fd errno=%d\n", __wasi_path_filestat_set_times(99, FOLLOW, "data.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    printf("atim+atim_now errno=%d\n", __wasi_path_filestat_set_times(DIR, FOLLOW, "data.txt", 1, 0,
                                                                     __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
}

static void scenario_link(void) {
    printf("link errno=%d\n", __wasi_path_link(DIR, 0, "data.txt", DIR, "hard.txt"));
    show_stat("source", 0, "data.txt");
    show_stat("target", 0, "hard.txt");
    __wasi_filestat_t a, b;
    must("stat", __wasi_path_filestat_get(DIR, 0, "data.txt", &a));
    must("stat", __wasi_path_filestat_get(DIR, 0, "hard.txt", &b));
    printf("same-inode=%s\n", a.ino == b.ino && a.dev == b.dev ? "yes" : "no");
    printf("into-subdir errno=%d\n", __wasi_path_link(DIR, 0, "data.txt", DIR, "sub/hard2.txt"));
    printf("target-exists errno=%d\n", __wasi_path_link(DIR, 0, "data.txt", DIR, "other.txt"));
    printf("missing-source errno=%d\n", __wasi_path_link(DIR, 0, "missing", DIR, "x.txt"));
    printf("follow-flag errno=%d\n", __wasi_path_link(DIR, FOLLOW, "data.txt", DIR, "y.txt"));
    printf("directory errno=%d\n", __wasi_path_link(DIR, 0, "sub", DIR, "sub-link"));
    printf("escape errno=%d\n", __wasi_path_link(DIR, 0, "data.txt", DIR, "../escaped.txt"));
    printf("bad-fd errno=%d\n", __wasi_path_link(99, 0, "data.txt", DIR, "z.txt"));
}

static void scenario_open(void) {
    __wasi_fd_t fd;
    __wasi_errno_t e;
    __wasi_size_t n;
    __wasi_filesize_t pos;
    __wasi_filestat_t st;
    // create
    e = open_at(FOLLOW, "created.txt", __WASI_OFLAGS_CREAT, R_RW, 0, &fd);
    must("fstat", __wasi_fd_filestat_get(fd, &st));
    printf("create errno=%d type=%d size=%llu\n", e, st.filetype, (unsigned long long)st.size);
    __wasi_ciovec_t hello = {(const uint8_t *)"hello", 5};
    must("write", __wasi_fd_write(fd, &hello, 1, &n));
    e = open_at(FOLLOW, "created.txt", __WASI_OFLAGS_CREAT, R_READ, 0, &fd);
    printf("create-existing errno=%d\n", e);
    show_contents("create-existing", fd);
    printf("missing-no-create errno=%d\n", open_at(FOLLOW, "missing.txt", 0, R_READ, 0, &fd));
    // exclusive
    printf("excl-existing errno=%d\n",
           open_at(FOLLOW, "data.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_RW, 0, &fd));
    printf("excl-new errno=%d\n",
           open_at(FOLLOW, "excl.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_RW, 0, &fd));
    // exclusive create through a dangling symlink must not create the target
    printf("excl-dangling-link errno=%d\n",
           open_at(FOLLOW, "dangling", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, R_RW, 0, &fd));
    // truncate
    e = open_at(FOLLOW, "trunc.txt", __WASI_OFLAGS_TRUNC, R_RW, 0, &fd);
    must("fstat", __wasi_fd_filestat_get(fd, &st));
    printf("trunc errno=%d size=%llu\n", e, (unsigned long long)st.size);
    // directory
    e = open_at(FOLLOW, "sub", __WASI_OFLAGS_DIRECTORY, R_DIR, 0, &fd);
    must("fstat", __wasi_fd_filestat_get(fd, &st));
    printf("directory errno=%d type=%d\n", e, st.filetype);
    __wasi_fd_t inner;
    e = open_in(fd, FOLLOW, "inner.txt", 0, R_READ, 0, &inner);
    printf("open-in-opened-dir errno=%d\n", e);
    if (!e) show_contents("inner", inner);
    printf("directory-on-file errno=%d\n", open_at(FOLLOW, "data.txt", __WASI_OFLAGS_DIRECTORY, R_DIR, 0, &fd));
    printf("directory-trailing-slash-file errno=%d\n", open_at(FOLLOW, "data.txt/", 0, R_READ, 0, &fd));
    printf("dir-for-writing errno=%d\n", open_at(FOLLOW, "sub", 0, __WASI_RIGHTS_FD_WRITE, 0, &fd));
    // append
    e = open_at(FOLLOW, "log.txt", 0, R_RW, __WASI_FDFLAGS_APPEND, &fd);
    printf("append errno=%d\n", e);
    must("seek", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    __wasi_ciovec_t more = {(const uint8_t *)"appended\n", 9};
    must("write", __wasi_fd_write(fd, &more, 1, &n));
    must("tell", __wasi_fd_tell(fd, &pos));
    printf("append position=%llu\n", (unsigned long long)pos);
    // nofollow: the final component may not be a symlink; earlier components may
    printf("nofollow-link errno=%d\n", open_at(0, "link-to-data", 0, R_READ, 0, &fd));
    e = open_at(FOLLOW, "link-to-data", 0, R_READ, 0, &fd);
    printf("follow-link errno=%d\n", e);
    if (!e) show_contents("follow-link", fd);
    e = open_at(0, "link-to-sub/inner.txt", 0, R_READ, 0, &fd);
    printf("nofollow-intermediate-link errno=%d\n", e);
    printf("nofollow-create-through-link errno=%d\n", open_at(0, "dangling", __WASI_OFLAGS_CREAT, R_RW, 0, &fd));
    // invalid oflags bits and a bad directory fd
    printf("bad-fd errno=%d\n", __wasi_path_open(99, FOLLOW, "data.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
    printf("on-file-fd errno=%d\n", open_in(DIR, FOLLOW, "data.txt", 0, R_READ, 0, &fd) ? -1 :
           __wasi_path_open(fd, FOLLOW, "x", 0, __WASI_RIGHTS_FD_READ, 0, 0, &inner));
    printf("dotdot errno=%d\n", open_at(FOLLOW, "..", __WASI_OFLAGS_DIRECTORY, R_DIR, 0, &fd));
    printf("absolute errno=%d\n", open_at(FOLLOW, "/etc/passwd", 0, R_READ, 0, &fd));
    // "abs-link" (made by the host) points at /etc/passwd: following it leaves the sandbox.
    printf("absolute-symlink errno=%d\n", open_at(FOLLOW, "abs-link", 0, R_READ, 0, &fd));
    // Last: wasmtime traps on unknown flag bits; the contract wants inval.
    printf("bad-oflags errno=%d\n", __wasi_path_open(DIR, FOLLOW, "data.txt", 0x10, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
}

static void scenario_readlink(void) {
    char buf[64];
    memset(buf, '#', sizeof buf);
    __wasi_size_t used = 999;
    __wasi_errno_t e = __wasi_path_readlink(DIR, "link-to-data", (uint8_t *)buf, sizeof buf, &used);
    printf("readlink errno=%d used=%u target=<%.*s> next-byte-untouched=%s\n", e, (unsigned)used, (int)used, buf,
           buf[used] == '#' ? "yes" : "no");
    e = __wasi_path_readlink(DIR, "sub/up-link", (uint8_t *)buf, sizeof buf, &used);
    printf("nested errno=%d target=<%.*s>\n", e, (int)used, buf);
    memset(buf, '#', sizeof buf);
    used = 999;
    e = __wasi_path_readlink(DIR, "link-to-data", (uint8_t *)buf, 4, &used);
    printf("small-buffer errno=%d used=%u data=<%.4s> past-buffer-untouched=%s\n", e, (unsigned)used, buf,
           buf[4] == '#' ? "yes" : "no");
    printf("regular-file errno=%d\n", __wasi_path_readlink(DIR, "data.txt", (uint8_t *)buf, sizeof buf, &used));
    printf("missing errno=%d\n", __wasi_path_readlink(DIR, "missing", (uint8_t *)buf, sizeof buf, &used));
    printf("bad-fd errno=%d\n", __wasi_path_readlink(99, "link-to-data", (uint8_t *)buf, sizeof buf, &used));
}

static void scenario_remove_directory(void) {
    printf("empty errno=%d\n", __wasi_path_remove_directory(DIR, "emptydir"));
    show_stat("empty-after", 0, "emptydir");
    printf("not-empty errno=%d\n", __wasi_path_remove_directory(DIR, "sub"));
    printf("file errno=%d\n", __wasi_path_remove_directory(DIR, "data.txt"));
    printf("symlink-to-dir errno=%d\n", __wasi_path_remove_directory(DIR, "link-to-sub"));
    printf("missing errno=%d\n", __wasi_path_remove_directory(DIR, "missing"));
    printf("nested errno=%d\n", __wasi_path_remove_directory(DIR, "sub/deeper"));
    printf("bad-fd errno=%d\n", __wasi_path_remove_directory(99, "sub"));
}

static void scenario_rename(void) {
    printf("file errno=%d\n", __wasi_path_rename(DIR, "data.txt", DIR, "renamed.txt"));
    show_stat("old", 0, "data.txt");
    show_stat("new", 0, "renamed.txt");
    printf("replace errno=%d\n", __wasi_path_rename(DIR, "a.txt", DIR, "b.txt"));
    printf("directory errno=%d\n", __wasi_path_rename(DIR, "emptydir", DIR, "moved-dir"));
    printf("into-subdir errno=%d\n", __wasi_path_rename(DIR, "other.txt", DIR, "sub/other.txt"));
    printf("missing-source errno=%d\n", __wasi_path_rename(DIR, "missing", DIR, "x"));
    printf("missing-target-dir errno=%d\n", __wasi_path_rename(DIR, "log.txt", DIR, "nowhere/log.txt"));
    printf("file-over-dir errno=%d\n", __wasi_path_rename(DIR, "log.txt", DIR, "sub"));
    printf("dir-over-file errno=%d\n", __wasi_path_rename(DIR, "moved-dir", DIR, "log.txt"));
    printf("escape errno=%d\n", __wasi_path_rename(DIR, "log.txt", DIR, "../escaped.txt"));
    printf("bad-fd errno=%d\n", __wasi_path_rename(99, "log.txt", DIR, "x"));
}

static void scenario_symlink(void) {
    printf("symlink errno=%d\n", __wasi_path_symlink("data.txt", DIR, "sl"));
    show_stat("sl-nofollow", 0, "sl");
    show_stat("sl-follow", FOLLOW, "sl");
    __wasi_fd_t fd;
    if (!open_at(FOLLOW, "sl", 0, R_READ, 0, &fd)) show_contents("through-link", fd);
    printf("dangling errno=%d\n", __wasi_path_symlink("nowhere", DIR, "dl"));
    printf("in-subdir errno=%d\n", __wasi_path_symlink("../data.txt", DIR, "sub/up"));
    if (!open_at(FOLLOW, "sub/up", 0, R_READ, 0, &fd)) show_contents("through-up-link", fd);
    printf("exists errno=%d\n", __wasi_path_symlink("data.txt", DIR, "other.txt"));
    printf("absolute errno=%d\n", __wasi_path_symlink("/etc/passwd", DIR, "abs"));
    printf("bad-fd errno=%d\n", __wasi_path_symlink("data.txt", 99, "x"));
}

static void scenario_unlink(void) {
    printf("file errno=%d\n", __wasi_path_unlink_file(DIR, "data.txt"));
    show_stat("after", 0, "data.txt");
    printf("again errno=%d\n", __wasi_path_unlink_file(DIR, "data.txt"));
    printf("symlink errno=%d\n", __wasi_path_unlink_file(DIR, "link-to-other"));
    show_stat("link-target", 0, "other.txt");
    printf("directory errno=%d\n", __wasi_path_unlink_file(DIR, "sub"));
    printf("nested errno=%d\n", __wasi_path_unlink_file(DIR, "sub/inner.txt"));
    printf("under-file errno=%d\n", __wasi_path_unlink_file(DIR, "other.txt/x"));
    printf("bad-fd errno=%d\n", __wasi_path_unlink_file(99, "other.txt"));
}

// fd 3 is a writable preopen, fd 4 a read-only one: every mutation through fd 4 fails.
static void scenario_readonly(void) {
    const __wasi_fd_t RO = 4;
    __wasi_fd_t fd;
    __wasi_size_t n;
    printf("read errno=%d\n", open_in(RO, FOLLOW, "data.txt", 0, R_READ, 0, &fd));
    show_contents("ro", fd);
    __wasi_filestat_t st;
    printf("stat errno=%d\n", __wasi_path_filestat_get(RO, FOLLOW, "data.txt", &st));
    __wasi_ciovec_t x = {(const uint8_t *)"x", 1};
    printf("fd_write errno=%d\n", __wasi_fd_write(fd, &x, 1, &n));
    printf("fd_filestat_set_size errno=%d\n", __wasi_fd_filestat_set_size(fd, 0));
    printf("fd_filestat_set_times errno=%d\n", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    printf("create errno=%d\n", __wasi_path_open(RO, FOLLOW, "new.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
    printf("trunc errno=%d\n", __wasi_path_open(RO, FOLLOW, "data.txt", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
    printf("open-for-write errno=%d\n", __wasi_path_open(RO, FOLLOW, "data.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
    printf("path_filestat_set_times errno=%d\n",
           __wasi_path_filestat_set_times(RO, FOLLOW, "data.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    printf("unlink errno=%d\n", __wasi_path_unlink_file(RO, "data.txt"));
    printf("rmdir errno=%d\n", __wasi_path_remove_directory(RO, "emptydir"));
    printf("mkdir errno=%d\n", __wasi_path_create_directory(RO, "newdir"));
    printf("rename-within errno=%d\n", __wasi_path_rename(RO, "data.txt", RO, "moved.txt"));
    printf("rename-out errno=%d\n", __wasi_path_rename(RO, "data.txt", DIR, "stolen.txt"));
    printf("rename-in errno=%d\n", __wasi_path_rename(DIR, "mine.txt", RO, "planted.txt"));
    printf("link-out errno=%d\n", __wasi_path_link(RO, 0, "data.txt", DIR, "linked.txt"));
    printf("link-in errno=%d\n", __wasi_path_link(DIR, 0, "mine.txt", RO, "linked.txt"));
    printf("symlink errno=%d\n", __wasi_path_symlink("data.txt", RO, "sl"));
    // the writable preopen still works
    printf("rw-mkdir errno=%d\n", __wasi_path_create_directory(DIR, "made"));
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) { printf("usage: fn_path SCENARIO\n"); return 2; }
    static const struct { const char *name; void (*run)(void); } table[] = {
        {"create_directory", scenario_create_directory}, {"filestat_get", scenario_filestat_get},
        {"filestat_set_times", scenario_filestat_set_times}, {"link", scenario_link}, {"open", scenario_open},
        {"readlink", scenario_readlink}, {"remove_directory", scenario_remove_directory},
        {"rename", scenario_rename}, {"symlink", scenario_symlink}, {"unlink", scenario_unlink},
        {"readonly", scenario_readonly},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(argv[1], table[i].name) == 0) { table[i].run(); return 0; }
    printf("unknown scenario %s\n", argv[1]);
    return 2;
}
