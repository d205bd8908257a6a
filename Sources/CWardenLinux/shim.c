#include "CWardenLinux.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

struct warden_open_how { uint64_t flags; uint64_t mode; uint64_t resolve; };

int warden_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct warden_open_how how = { flags, mode, resolve };
    long r;
    // EAGAIN: the kernel may refuse RESOLVE_* lookups racing a rename; retry a bounded number of times.
    for (int attempt = 0; attempt < 16; attempt++) {
        r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (r >= 0 || errno != EAGAIN) break;
    }
    return (int)r;
}

int warden_fcntl_getfl(int fd) { return fcntl(fd, F_GETFL); }
int warden_fcntl_setfl(int fd, int flags) { return fcntl(fd, F_SETFL, flags); }
int warden_fcntl_getfd(int fd) { return fcntl(fd, F_GETFD); }
int warden_fcntl_setfd(int fd, int flags) { return fcntl(fd, F_SETFD, flags); }
int warden_fcntl_dupfd_cloexec(int fd, int minfd) { return fcntl(fd, F_DUPFD_CLOEXEC, minfd); }
int warden_fionread(int fd, int *out) { return ioctl(fd, FIONREAD, out); }

int warden_close_range(unsigned int first, unsigned int last, unsigned int flags) {
    return (int)syscall(SYS_close_range, first, last, flags);
}

ssize_t warden_getdents64(int fd, void *buf, size_t len) { return syscall(SYS_getdents64, fd, buf, len); }
ssize_t warden_getrandom(void *buf, size_t len, unsigned int flags) { return getrandom(buf, len, flags); }

int warden_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
    return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

int warden_dirent_at(const void *buf, size_t len, size_t offset, warden_dirent *out) {
    if (offset + offsetof(struct linux_dirent64, d_name) > len) return -1;
    const struct linux_dirent64 *d = (const struct linux_dirent64 *)((const char *)buf + offset);
    if (d->d_reclen < offsetof(struct linux_dirent64, d_name) || offset + d->d_reclen > len) return -1;
    out->ino = d->d_ino;
    out->off = d->d_off;
    out->reclen = d->d_reclen;
    out->type = d->d_type;
    out->name = d->d_name;
    return 0;
}

int warden_errno(void) { return errno; }

int warden_ppoll(struct pollfd *fds, unsigned long nfds, const struct timespec *timeout) {
    return ppoll(fds, (nfds_t)nfds, timeout, NULL);
}

int warden_accept4(int fd, int flags) { return accept4(fd, NULL, NULL, flags); }

int warden_listen_tcp4(const char *address, uint16_t port, int backlog) {
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    if (inet_pton(AF_INET, address, &sin.sin_addr) != 1) { errno = EINVAL; return -1; }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(fd, backlog) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}
