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
#include <sys/mman.h>
#include <spawn.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
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

/* Deadline state of an in-process run (--no-sandbox; a worker run keeps its wall time in the
   launcher's loop): copied once before arming, read only from the signal handler. */
static char deadline_text[2][2][1024];
static int deadline_status[2];
static int deadline_audit_fd = -1;

static void deadline_write(int fd, const char *text) {
    size_t length = strlen(text), done = 0;
    while (done < length) {
        ssize_t n = write(fd, text + done, length - done);
        if (n <= 0) { if (n < 0 && errno == EINTR) continue; return; }
        done += (size_t)n;
    }
}

/* RFC 3339 UTC time with milliseconds, from clock_gettime only (async-signal-safe). */
static void deadline_timestamp(char out[25]) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long days = now.tv_sec / 86400, seconds = now.tv_sec % 86400;
    /* civil_from_days (Howard Hinnant) */
    long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    int fields[7] = { (int)y, (int)m, (int)d, (int)(seconds / 3600), (int)(seconds / 60 % 60), (int)(seconds % 60),
                      (int)(now.tv_nsec / 1000000) };
    int widths[7] = { 4, 2, 2, 2, 2, 2, 3 };
    const char separators[7] = { '-', '-', 'T', ':', ':', '.', 'Z' };
    int at = 0;
    for (int f = 0; f < 7; f++) {
        for (int w = widths[f] - 1, v = fields[f]; w >= 0; w--, v /= 10) out[at + w] = (char)('0' + v % 10);
        at += widths[f];
        out[at++] = separators[f];
    }
    out[at] = 0;
}

static void deadline_fired(int signal) {
    int which = signal == SIGALRM ? 0 : 1;
    deadline_write(2, deadline_text[which][0]);
    if (deadline_audit_fd >= 0) {
        /* The audit template carries "@TIME@" where the firing time goes. */
        const char *template = deadline_text[which][1], *mark = strstr(template, "@TIME@");
        char line[1100], stamp[25];
        size_t at = 0;
        if (mark) {
            deadline_timestamp(stamp);
            memcpy(line, template, (size_t)(mark - template));
            at = (size_t)(mark - template);
            memcpy(line + at, stamp, strlen(stamp));
            at += strlen(stamp);
            size_t rest = strlen(mark + 6);
            memcpy(line + at, mark + 6, rest);
            at += rest;
            line[at] = 0;
            deadline_write(deadline_audit_fd, line);
        } else {
            deadline_write(deadline_audit_fd, template);
        }
    }
    _exit(deadline_status[which]);
}

int warden_arm_deadlines(uint64_t wall_ms, uint64_t cpu_seconds,
                         const char *wall_message, const char *wall_audit, int wall_status,
                         const char *cpu_message, const char *cpu_audit, int cpu_status, int audit_fd) {
    snprintf(deadline_text[0][0], sizeof deadline_text[0][0], "%s", wall_message);
    snprintf(deadline_text[0][1], sizeof deadline_text[0][1], "%s", wall_audit);
    snprintf(deadline_text[1][0], sizeof deadline_text[1][0], "%s", cpu_message);
    snprintf(deadline_text[1][1], sizeof deadline_text[1][1], "%s", cpu_audit);
    deadline_status[0] = wall_status;
    deadline_status[1] = cpu_status;
    deadline_audit_fd = audit_fd;
    /* A launcher may inherit a blocked mask (e.g. spawned from a Dispatch worker thread):
       the deadline signals must get through. */
    sigset_t deadline_signals;
    sigemptyset(&deadline_signals);
    sigaddset(&deadline_signals, SIGALRM);
    sigaddset(&deadline_signals, SIGXCPU);
    if (sigprocmask(SIG_UNBLOCK, &deadline_signals, NULL) != 0) return -1;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = deadline_fired;
    sigfillset(&action.sa_mask);
    if (wall_ms > 0) {
        if (sigaction(SIGALRM, &action, NULL) != 0) return -1;
        struct itimerval timer = { {0, 0}, { (time_t)(wall_ms / 1000), (suseconds_t)((wall_ms % 1000) * 1000) } };
        if (setitimer(ITIMER_REAL, &timer, NULL) != 0) return -1;
    }
    if (cpu_seconds > 0) {
        if (sigaction(SIGXCPU, &action, NULL) != 0) return -1;
        struct rlimit current;
        if (getrlimit(RLIMIT_CPU, &current) != 0) return -1;
        rlim_t soft = (rlim_t)cpu_seconds;
        /* Never raise: even root here lacks CAP_SYS_RESOURCE. The hard limit (one second later,
           SIGKILL) backs the soft one in case the handler cannot run. */
        if (current.rlim_max != RLIM_INFINITY && soft >= current.rlim_max) soft = current.rlim_max > 1 ? current.rlim_max - 1 : 1;
        struct rlimit limit = { soft, current.rlim_max == RLIM_INFINITY || soft + 1 < current.rlim_max ? soft + 1 : current.rlim_max };
        if (setrlimit(RLIMIT_CPU, &limit) != 0) return -1;
    }
    return 0;
}

ssize_t warden_send_with_fds(int socket, const void *bytes, size_t length, const int *fds, int count) {
    struct iovec vector = { (void *)bytes, length };
    union { char buffer[CMSG_SPACE(sizeof(int) * WARDEN_MAX_PASSED_FDS)]; struct cmsghdr align; } control;
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    if (count < 0 || count > WARDEN_MAX_PASSED_FDS) { errno = EINVAL; return -1; }
    if (count > 0) {
        memset(&control, 0, sizeof control);
        message.msg_control = control.buffer;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)count);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)count);
        memcpy(CMSG_DATA(header), fds, sizeof(int) * (size_t)count);
    }
    ssize_t sent;
    do { sent = sendmsg(socket, &message, MSG_NOSIGNAL); } while (sent < 0 && errno == EINTR);
    return sent;
}

ssize_t warden_send_with_fd(int socket, const void *bytes, size_t length, int fd) {
    return warden_send_with_fds(socket, bytes, length, &fd, fd >= 0 ? 1 : 0);
}

ssize_t warden_recv_with_fd(int socket, void *bytes, size_t length, int *fd) {
    pid_t sender;
    return warden_recv_with_fd_and_sender(socket, bytes, length, fd, &sender);
}

int warden_pass_credentials(int socket) {
    int on = 1;
    return setsockopt(socket, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
}

ssize_t warden_recv_with_fds_and_sender(int socket, void *bytes, size_t length, int *fds, int capacity, int *count,
                                         pid_t *sender) {
    struct iovec vector = { bytes, length };
    union {
        char buffer[CMSG_SPACE(sizeof(int) * WARDEN_MAX_PASSED_FDS) + CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } control;
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control.buffer;
    message.msg_controllen = sizeof control.buffer;
    *count = 0;
    *sender = -1;
    ssize_t received;
    do { received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC); } while (received < 0 && errno == EINTR);
    if (received < 0) return received;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_CREDENTIALS
            && header->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred credentials;
            memcpy(&credentials, CMSG_DATA(header), sizeof credentials);
            *sender = credentials.pid;
            continue;
        }
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        size_t passed = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int descriptors[WARDEN_MAX_PASSED_FDS];
        if (passed > WARDEN_MAX_PASSED_FDS) passed = WARDEN_MAX_PASSED_FDS;  /* the buffer held no more */
        memcpy(descriptors, CMSG_DATA(header), passed * sizeof(int));
        for (size_t i = 0; i < passed; i++) {
            if (*count < capacity) fds[(*count)++] = descriptors[i]; else close(descriptors[i]);  /* more than asked for */
        }
    }
    return received;
}

ssize_t warden_recv_with_fd_and_sender(int socket, void *bytes, size_t length, int *fd, pid_t *sender) {
    int count;
    *fd = -1;
    return warden_recv_with_fds_and_sender(socket, bytes, length, fd, 1, &count, sender);
}

int warden_spawn_layout(const char *path, char *const argv[], char *const envp[],
                        const int *sources, int count, pid_t *pid) {
    int high[256];
    if (count < 0 || count > 256) { errno = EINVAL; return -1; }
    int result = 0, made = 0;
    for (; made < count; made++) {
        high[made] = fcntl(sources[made], F_DUPFD_CLOEXEC, count);  /* above every dup2 target */
        if (high[made] < 0) { result = errno; goto done; }
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    for (int i = 0; i < count; i++) posix_spawn_file_actions_adddup2(&actions, high[i], i);
    posix_spawn_file_actions_addclosefrom_np(&actions, count);
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    result = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
done:
    for (int i = 0; i < made; i++) close(high[i]);
    if (result != 0) { errno = result; return -1; }
    return 0;
}

int warden_sealed_memfd(const char *name, const void *bytes, size_t length) {
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, (const char *)bytes + done, length - done);
        if (n < 0) { if (errno == EINTR) continue; int saved = errno; close(fd); errno = saved; return -1; }
        done += (size_t)n;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0 ||
        lseek(fd, 0, SEEK_SET) != 0) {
        int saved = errno; close(fd); errno = saved; return -1;
    }
    return fd;
}

int warden_socketpair(int pair[2]) { return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair); }

int warden_pidfd_open(pid_t pid) { return (int)syscall(434 /* SYS_pidfd_open */, pid, 0); }
