// C shim for the supervisor (wardend) and its control client: Unix sockets by path, peer
// credentials, systemd's notify socket, pidfd signals, and the zygote's fork-side calls.
#ifndef CWARDENSUPERVISOR_H
#define CWARDENSUPERVISOR_H

#include <stdint.h>
#include <sys/types.h>

/// A listening Unix stream socket at `path` (a stale socket file is replaced), chmod'ed to
/// `mode` and, when gid >= 0, chgrp'ed to it before listen(); the fd or -1 with errno set.
int warden_listen_unix(const char *path, int backlog, unsigned int mode, int gid);
/// A connected Unix stream socket to `path`; the fd or -1 with errno set.
int warden_connect_unix(const char *path);
/// SO_PEERCRED of a connected Unix socket; 0 or -1 with errno set.
int warden_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);
/// Sends `message` as one datagram to the systemd notify socket `path` ("@name" is abstract).
int warden_notify_socket_send(const char *path, const char *message);
/// pidfd_send_signal(pidfd, signal, NULL, 0).
int warden_pidfd_send_signal(int pidfd, int signal);
/// An eventfd (non-blocking, close-on-exec) to wake a poll loop from another thread.
int warden_eventfd(void);
/// Adds one to an eventfd / drains it.
void warden_eventfd_signal(int fd);
void warden_eventfd_drain(int fd);
/// Blocks `signal` in the calling thread (inherited by threads it creates later); 0 or errno.
int warden_block_signal(int signal);
/// A signalfd for `signal` (which must be blocked in every thread), non-blocking; or -1.
int warden_signalfd(int signal);
/// Reads and discards pending signalfd records.
void warden_signalfd_drain(int fd);
/// `warden run`: blocks SIGTERM, SIGINT, SIGHUP and SIGQUIT in the calling thread and returns
/// a signalfd for them (non-blocking, close-on-exec), so a signal ends the run through the
/// launcher's loop (worker ended, audit log closed) instead of killing warden; or -1.
int warden_termination_signalfd(void);
/// The number of the next signal pending on a signalfd, or 0.
int warden_signalfd_take(int fd);

/// wardend between its first side effect (the control socket) and the moment its service
/// group handles SIGTERM/SIGINT: a handler that only notes the signal, so an early stop
/// request is kept instead of killing wardend with its socket directory left behind.
int warden_catch_early_termination(void);
/// The SIGTERM or SIGINT noted by that handler, or 0.
int warden_early_termination_signal(void);

/// The zygote: waits until `fd` is readable or a signal arrives (after SIGTERM: only looks,
/// without waiting). SIGCHLD and SIGTERM are blocked outside this wait and unblocked inside it
/// (ppoll's atomic mask), so a child's death or a drain request can never be lost between
/// checking and sleeping. Returns the ppoll result (-1 with EINTR after a signal); sets
/// *terminated when SIGTERM arrived.
int warden_zygote_wait(const int *fds, int count, short *revents, int *terminated);
/// Installs the zygote's no-op SIGCHLD and flag-setting SIGTERM handlers and blocks both.
int warden_zygote_signals(void);
/// The draining zygote: sleeps until a signal (a child's SIGCHLD) with no descriptor watched.
void warden_zygote_pause(void);
/// In a freshly forked instance: default handlers and an empty mask again.
void warden_zygote_child_signals(void);
/// fork(2) as glibc does it: clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD).
pid_t warden_fork(void);
/// waitpid(-1, &status, WNOHANG); the pid or 0/-1.
pid_t warden_reap_any(int *status);
/// PR_SET_PDEATHSIG(SIGKILL) in an instance, then whether the zygote is still its parent.
int warden_die_with_parent(pid_t expected_parent);

#endif
