#include "CWardenLinux.h"
#include "CWardenSupervisor.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int unix_address(const char *path, struct sockaddr_un *address, socklen_t *length) {
    size_t size = strlen(path);
    if (size == 0 || size >= sizeof address->sun_path) { errno = ENAMETOOLONG; return -1; }
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    memcpy(address->sun_path, path, size);
    if (path[0] == '@') address->sun_path[0] = 0;  /* abstract namespace */
    *length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + size + (path[0] == '@' ? 0 : 1));
    return 0;
}

int warden_listen_unix(const char *path, int backlog, unsigned int mode, int gid) {
    struct sockaddr_un address;
    socklen_t length;
    if (unix_address(path, &address, &length) != 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct stat info;
    if (lstat(path, &info) == 0 && S_ISSOCK(info.st_mode)) unlink(path);
    /* Bind with no access at all, then widen: nobody can connect before the mode is right. */
    mode_t old = umask(0777);
    int bound = bind(fd, (struct sockaddr *)&address, length);
    umask(old);
    if (bound != 0 || (gid >= 0 && chown(path, (uid_t)-1, (gid_t)gid) != 0) || chmod(path, mode) != 0 ||
        listen(fd, backlog) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int warden_connect_unix(const char *path) {
    struct sockaddr_un address;
    socklen_t length;
    if (unix_address(path, &address, &length) != 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&address, length) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int warden_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    *pid = credentials.pid;
    *uid = credentials.uid;
    *gid = credentials.gid;
    return 0;
}

int warden_notify_socket_send(const char *path, const char *message) {
    struct sockaddr_un address;
    socklen_t length;
    if (unix_address(path, &address, &length) != 0) return -1;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    ssize_t sent = sendto(fd, message, strlen(message), MSG_NOSIGNAL, (struct sockaddr *)&address, length);
    int saved = errno;
    close(fd);
    errno = saved;
    return sent < 0 ? -1 : 0;
}

int warden_pidfd_send_signal(int pidfd, int signal) {
    return (int)syscall(424 /* SYS_pidfd_send_signal */, pidfd, signal, NULL, 0);
}

int warden_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

void warden_eventfd_signal(int fd) {
    uint64_t one = 1;
    while (write(fd, &one, sizeof one) < 0 && errno == EINTR) {}
}

void warden_eventfd_drain(int fd) {
    uint64_t value;
    while (read(fd, &value, sizeof value) > 0) {}
}

int warden_block_signal(int signal) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int warden_signalfd(int signal) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

void warden_signalfd_drain(int fd) {
    struct signalfd_siginfo info;
    while (read(fd, &info, sizeof info) > 0) {}
}

int warden_termination_signalfd(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int warden_signalfd_take(int fd) {
    struct signalfd_siginfo info;
    return read(fd, &info, sizeof info) == (ssize_t)sizeof info ? (int)info.ssi_signo : 0;
}

/* Written by the handler (on whichever thread took the signal), read by another thread: an
   atomic, lock-free int (async-signal-safe), not a sig_atomic_t, which is only safe within one
   thread (ThreadSanitizer saw the difference). */
static int early_termination = 0;
static void on_early_termination(int signal) { __atomic_store_n(&early_termination, signal, __ATOMIC_SEQ_CST); }

/* `handler` (or SIG_DFL) for `signal`, nothing else blocked while it runs, no flags. */
static int install_handler(int signal, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    return sigaction(signal, &action, NULL);
}

int warden_catch_early_termination(void) {
    if (install_handler(SIGTERM, on_early_termination) != 0) return -1;
    return install_handler(SIGINT, on_early_termination);
}

int warden_early_termination_signal(void) { return __atomic_load_n(&early_termination, __ATOMIC_SEQ_CST); }

static volatile sig_atomic_t zygote_terminated = 0;
static void zygote_on_child(int signal) { (void)signal; }
static void zygote_on_term(int signal) { (void)signal; zygote_terminated = 1; }

int warden_zygote_signals(void) {
    if (install_handler(SIGCHLD, zygote_on_child) != 0) return -1;
    if (install_handler(SIGTERM, zygote_on_term) != 0) return -1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    return sigprocmask(SIG_BLOCK, &set, NULL);
}

int warden_zygote_wait(const int *fds, int count, short *revents, int *terminated) {
    struct pollfd polled[16];
    if (count < 0 || count > 16) { errno = EINVAL; return -1; }
    for (int i = 0; i < count; i++) { polled[i].fd = fds[i]; polled[i].events = POLLIN; polled[i].revents = 0; }
    sigset_t open;
    sigemptyset(&open);
    /* Draining: look without waiting (connections already passed are still served). */
    struct timespec zero = { 0, 0 };
    int result = ppoll(polled, (nfds_t)count, zygote_terminated ? &zero : NULL, &open);
    int saved = errno;
    for (int i = 0; i < count; i++) revents[i] = result > 0 ? polled[i].revents : 0;
    *terminated = zygote_terminated;
    errno = saved;
    return result;
}

void warden_zygote_pause(void) {
    sigset_t open;
    sigemptyset(&open);
    /* No descriptors, no timeout: returns when a (blocked, now opened) signal arrives, or at
       once if one is already pending, so a child that ended before this call is not missed. */
    ppoll(NULL, 0, NULL, &open);
}

void warden_zygote_child_signals(void) {
    install_handler(SIGCHLD, SIG_DFL);
    install_handler(SIGTERM, SIG_DFL);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
}

pid_t warden_fork(void) { return fork(); }

pid_t warden_reap_any(int *status) { return waitpid(-1, status, WNOHANG); }

int warden_die_with_parent(pid_t expected_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return -1;
    return getppid() == expected_parent ? 0 : -1;
}
