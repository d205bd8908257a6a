// Facilities of the audit sinks: a unix datagram socket for the journal's native protocol, and
// a SIGHUP flag for reopening log files after rotation (the handler only sets a flag; the
// writer reopens between two events, never inside the handler).
#include "CWardenLinux.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int warden_connect_unix_dgram(const char *path) {
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    size_t length = strlen(path);
    if (length >= sizeof address.sun_path) { errno = ENAMETOOLONG; return -1; }
    memcpy(address.sun_path, path, length);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int result;
    do { result = connect(fd, (struct sockaddr *)&address, sizeof address); } while (result < 0 && errno == EINTR);
    if (result < 0) { int saved = errno; close(fd); errno = saved; return -1; }
    return fd;
}

static volatile sig_atomic_t hangup_seen = 0;

static void hangup_handler(int signal) { (void)signal; hangup_seen = 1; }

int warden_hangup_watch(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = hangup_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGHUP, &action, NULL);
}

int warden_hangup_take(void) {
    if (!hangup_seen) return 0;
    hangup_seen = 0;
    return 1;
}
