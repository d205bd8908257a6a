// C shim for Linux facilities that Swift cannot reach directly: syscalls without a glibc
// wrapper (openat2, close_range on older glibc), variadic calls (fcntl, ioctl) and
// struct layouts that Swift imports awkwardly (struct dirent64 from getdents64).
#ifndef CWARDENLINUX_H
#define CWARDENLINUX_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <poll.h>

// openat2(2) resolve flags (linux/openat2.h), repeated so no kernel header is needed.
#define WARDEN_RESOLVE_NO_XDEV 0x01
#define WARDEN_RESOLVE_NO_MAGICLINKS 0x02
#define WARDEN_RESOLVE_NO_SYMLINKS 0x04
#define WARDEN_RESOLVE_BENEATH 0x08

/// openat2(dirfd, path, {flags, mode, resolve}); returns the fd or -1 with errno set.
int warden_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

int warden_fcntl_getfl(int fd);
int warden_fcntl_setfl(int fd, int flags);
int warden_fcntl_getfd(int fd);
int warden_fcntl_setfd(int fd, int flags);
int warden_fcntl_dupfd_cloexec(int fd, int minfd);
/// FIONREAD: bytes ready to read on a pipe/socket/tty; -1 with errno otherwise.
int warden_fionread(int fd, int *out);
int warden_close_range(unsigned int first, unsigned int last, unsigned int flags);
ssize_t warden_getdents64(int fd, void *buf, size_t len);
ssize_t warden_getrandom(void *buf, size_t len, unsigned int flags);
int warden_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

/// One parsed entry of a getdents64 buffer.
typedef struct {
    uint64_t ino;
    int64_t off;
    uint16_t reclen;
    uint8_t type;
    const char *name;
} warden_dirent;
/// Parses the entry at `offset` in a getdents64 buffer of `len` bytes; returns 0 or -1 if malformed.
int warden_dirent_at(const void *buf, size_t len, size_t offset, warden_dirent *out);

/// errno accessor (Swift's `errno` is fine too, but this keeps the C side self-contained).
int warden_errno(void);

/// accept4 without the peer address (GNU transparent-union sockaddr arguments import badly).
int warden_accept4(int fd, int flags);
/// socket+bind+listen on an IPv4 address; returns the fd or -1 with errno set.
int warden_listen_tcp4(const char *address, uint16_t port, int backlog);

/// Arms the run's deadlines: a wall-clock timer (ITIMER_REAL) and RLIMIT_CPU. When one fires,
/// an async-signal-safe handler writes the matching message to fd 2, appends the matching
/// audit line to `audit_fd` (if >= 0), and _exits with the matching status. 0 disables.
int warden_arm_deadlines(uint64_t wall_ms, uint64_t cpu_seconds,
                         const char *wall_message, const char *wall_audit, int wall_status,
                         const char *cpu_message, const char *cpu_audit, int cpu_status, int audit_fd);

/// The most descriptors one message carries (a configuration: its network namespace, its
/// module image and, for a warm worker, its whole layout: stdio, grants, listeners); a receiver
/// closes any beyond what it asked for.
#define WARDEN_MAX_PASSED_FDS 64
/// sendmsg of `length` bytes, attaching descriptor `fd` with SCM_RIGHTS when fd >= 0.
ssize_t warden_send_with_fd(int socket, const void *bytes, size_t length, int fd);
/// The same with `count` (0...WARDEN_MAX_PASSED_FDS) descriptors, in one SCM_RIGHTS message.
ssize_t warden_send_with_fds(int socket, const void *bytes, size_t length, const int *fds, int count);
/// recvmsg of up to `length` bytes; a passed descriptor (close-on-exec) lands in *fd, else -1.
ssize_t warden_recv_with_fd(int socket, void *bytes, size_t length, int *fd);
/// The same, and the sending process's pid as the kernel attests it (SCM_CREDENTIALS, with
/// SO_PASSCRED set on `socket`; the sender cannot forge it), or -1 when none came. On a
/// stream socket with SO_PASSCRED, one call never returns bytes of two senders.
ssize_t warden_recv_with_fd_and_sender(int socket, void *bytes, size_t length, int *fd, pid_t *sender);
/// The same, keeping up to `capacity` passed descriptors in `fds` (in the order sent; *count of
/// them) and closing the rest.
ssize_t warden_recv_with_fds_and_sender(int socket, void *bytes, size_t length, int *fds, int capacity, int *count,
                                         pid_t *sender);
/// SO_PASSCRED on: every message received carries its sender's credentials.
int warden_pass_credentials(int socket);

/// posix_spawn `path` with descriptors laid out exactly: child fd i = sources[i] for i < count
/// (each source first duplicated high so overlapping numbers cannot clobber each other),
/// every other descriptor closed, signal mask empty, every signal at its default action.
int warden_spawn_layout(const char *path, char *const argv[], char *const envp[],
                        const int *sources, int count, pid_t *pid);

/// A sealed, read-only memfd holding `length` bytes (the module image handed to a worker, so
/// what was hashed is exactly what runs). Returns the fd or -1.
int warden_sealed_memfd(const char *name, const void *bytes, size_t length);
/// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC).
int warden_socketpair(int pair[2]);

/// A pidfd for `pid` (pidfd_open), or -1.
int warden_pidfd_open(pid_t pid);

struct pollfd;
/// ppoll(2) without a signal mask (glibc hides it without _GNU_SOURCE in Swift's view).
int warden_ppoll(struct pollfd *fds, unsigned long nfds, const struct timespec *timeout);

/// A SOCK_DGRAM unix socket connected to `path` (the journal's native socket), close-on-exec.
int warden_connect_unix_dgram(const char *path);
/// Installs a SIGHUP handler that only records the signal; 0 or -1 with errno.
int warden_hangup_watch(void);
/// 1 once per SIGHUP received since the last call, else 0.
int warden_hangup_take(void);

#endif

#include "CWardenHardening.h"
#include "CWardenSupervisor.h"
#include "CWardenOCI.h"
#include "CWardenMemory.h"
