// Regressions of the conformance work (ConformanceRegressionTests): each line names a call and
// prints the errno it got (0: success), so the test compares exact errnos. The grants are
// /ro (read-only) and /rw (read-write), each holding file.txt, other.txt and sub/inner.txt.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

static int preopen(const char *name) {
    for (int fd = 3; fd < 64; fd++) {
        __wasi_prestat_t prestat;
        char buffer[64];
        if (__wasi_fd_prestat_get(fd, &prestat) != 0 || prestat.u.dir.pr_name_len >= sizeof buffer) continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buffer, prestat.u.dir.pr_name_len) != 0) continue;
        buffer[prestat.u.dir.pr_name_len] = 0;
        if (strcmp(buffer, name) == 0) return fd;
    }
    return -1;
}

static void libc_open(const char *label, const char *path, int flags) {
    int fd = open(path, flags);
    printf("%s errno=%d\n", label, fd < 0 ? errno : 0);
    if (fd >= 0) close(fd);
}

static __wasi_rights_t base_rights(int fd) {
    __wasi_fdstat_t stat;
    return __wasi_fd_fdstat_get(fd, &stat) == 0 ? stat.fs_rights_base : 0;
}

static __wasi_rights_t inheriting_rights(int fd) {
    __wasi_fdstat_t stat;
    return __wasi_fd_fdstat_get(fd, &stat) == 0 ? stat.fs_rights_inheriting : 0;
}

int main(void) {
    int ro = preopen("/ro"), rw = preopen("/rw");
    if (ro < 0 || rw < 0) { puts("no preopens"); return 1; }

    // A read-only grant advertises the write rights it will refuse, so wasi-libc passes a
    // write intent on to path_open instead of masking it away.
    printf("ro inheriting fd_write=%d, base path_create_file=%d\n",
           (inheriting_rights(ro) & __WASI_RIGHTS_FD_WRITE) != 0, (base_rights(ro) & __WASI_RIGHTS_PATH_CREATE_FILE) != 0);
    libc_open("ro open O_WRONLY", "/ro/file.txt", O_WRONLY);
    libc_open("ro open O_RDWR", "/ro/file.txt", O_RDWR);
    libc_open("ro open O_WRONLY|O_APPEND", "/ro/file.txt", O_WRONLY | O_APPEND);
    libc_open("ro open O_RDONLY|O_TRUNC", "/ro/file.txt", O_RDONLY | O_TRUNC);
    libc_open("ro open O_RDONLY", "/ro/file.txt", O_RDONLY);
    // The same through a directory descriptor opened below the grant.
    int sub = open("/ro/sub", O_RDONLY | O_DIRECTORY);
    printf("ro open sub O_DIRECTORY errno=%d\n", sub < 0 ? errno : 0);
    int inner = openat(sub, "inner.txt", O_RDWR);
    printf("ro openat(sub) O_RDWR errno=%d\n", inner < 0 ? errno : 0);
    inner = openat(sub, "inner.txt", O_RDONLY);
    char buffer[32] = {0};
    printf("ro openat(sub) O_RDONLY errno=%d read=%zd\n", inner < 0 ? errno : 0, inner < 0 ? -1 : read(inner, buffer, sizeof buffer - 1));

    // Rights beyond the directory's narrow: all-ones inheriting rights, as real callers pass
    // (and every base right but the writing ones, which make a directory EISDIR), open a
    // directory holding only what the grant passes on.
    __wasi_rights_t writing = __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_ALLOCATE |
                              __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(rw, 0, "sub", __WASI_OFLAGS_DIRECTORY, ~writing, ~(__wasi_rights_t)0, 0, &fd);
    printf("rw all-ones O_DIRECTORY errno=%d narrowed=%d\n", e,
           e == 0 && (base_rights(fd) & ~inheriting_rights(rw)) == 0 && (inheriting_rights(fd) & ~inheriting_rights(rw)) == 0);
    // …and never widen: a directory passing on only reading rights yields a file that cannot
    // write, however much was asked for.
    __wasi_fd_t narrow;
    e = __wasi_path_open(rw, 0, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR,
                         __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0, &narrow);
    printf("rw narrow directory errno=%d\n", e);
    __wasi_fd_t file;
    e = __wasi_path_open(narrow, 0, "inner.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, ~(__wasi_rights_t)0, 0, &file);
    printf("rw beneath narrow, asking for fd_write: errno=%d fd_write=%d\n", e, e == 0 && (base_rights(file) & __WASI_RIGHTS_FD_WRITE) != 0);
    __wasi_ciovec_t vector = {.buf = (const uint8_t *)"x", .buf_len = 1};
    __wasi_size_t written;
    printf("rw fd_write through it errno=%d\n", e == 0 ? __wasi_fd_write(file, &vector, 1, &written) : -1);

    // wasi-testsuite rust/path_open_preopen: a directory with write rights is EISDIR.
    e = __wasi_path_open(rw, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
    printf("path_open . O_DIRECTORY read+write errno=%d\n", e);
    // wasi-testsuite rust/path_link: a trailing slash on the new name is noent (exist if taken).
    printf("path_link file.txt link/ errno=%d\n", __wasi_path_link(rw, 0, "file.txt", rw, "link/"));
    printf("path_link file.txt other.txt/ errno=%d\n", __wasi_path_link(rw, 0, "file.txt", rw, "other.txt/"));
    // wasi-testsuite c/sock_shutdown-not_sock: not a socket is notsock, not a missing right.
    printf("sock_shutdown stdout errno=%d\n", __wasi_sock_shutdown(1, __WASI_SDFLAGS_WR));
    return 0;
}
