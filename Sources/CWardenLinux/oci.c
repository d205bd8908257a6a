// warden-oci's few calls that Swift cannot make directly (variadic ioctl) or that belong with
// the process primitives: see CWardenOCI.h.
#include "CWardenOCI.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

int warden_open_pty(int *master, int *slave) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return -1;
    if (grantpt(m) != 0 || unlockpt(m) != 0) goto fail;
    char name[128];
    if (ptsname_r(m, name, sizeof name) != 0) goto fail;
    int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) goto fail;
    *master = m;
    *slave = s;
    return 0;
fail:;
    int saved = errno;
    close(m);
    errno = saved;
    return -1;
}

int warden_set_controlling_terminal(int fd) { return ioctl(fd, TIOCSCTTY, 0); }

int warden_setns_path(const char *path, int nstype) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int result = setns(fd, nstype);
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

int warden_exec(const char *path, char *const argv[]) {
    execve(path, argv, environ);
    return -1;
}

int warden_mkfifo(const char *path, unsigned int mode) { return mkfifo(path, (mode_t)mode); }
