// C shim for warden-oci: the pseudo-terminal of `--console-socket`, the controlling-terminal
// ioctl (variadic), setns by path and the exec that hands a non-Wasm container to runc.
#ifndef CWARDENOCI_H
#define CWARDENOCI_H

#include <sys/types.h>

/// A new pseudo-terminal: the master (close-on-exec) in *master, the slave (close-on-exec)
/// in *slave; 0 or -1 with errno set.
int warden_open_pty(int *master, int *slave);
/// Makes `fd` (a terminal) the calling session leader's controlling terminal (TIOCSCTTY).
int warden_set_controlling_terminal(int fd);
/// setns(2) into the namespace file `path` of kind `nstype` (CLONE_NEW*, 0 = any).
int warden_setns_path(const char *path, int nstype);
/// execv(path, argv) with the current environment; returns only on failure (-1, errno).
int warden_exec(const char *path, char *const argv[]);
/// mkfifo(path, mode); 0 or -1 with errno set.
int warden_mkfifo(const char *path, unsigned int mode);

#endif
