// C helpers for WardenHardening (see CWardenHardening.h for why each exists).
#include "CWardenHardening.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif

#define WARDEN_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define WARDEN_LANDLOCK_RULE_PATH_BENEATH 1

/* The newest layout we know; the kernel reads only the first `size` bytes we pass. */
struct warden_landlock_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

struct warden_landlock_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

int warden_landlock_abi(void) {
    return (int)syscall(SYS_landlock_create_ruleset, NULL, 0, WARDEN_LANDLOCK_CREATE_RULESET_VERSION);
}

int warden_landlock_create_ruleset(uint64_t handled_fs, uint64_t handled_net, uint64_t scoped, int abi) {
    struct warden_landlock_ruleset_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.handled_access_fs = handled_fs;
    attr.handled_access_net = handled_net;
    attr.scoped = scoped;
    size_t size = abi >= 6 ? 24 : abi >= 4 ? 16 : 8;
    if ((abi < 4 && handled_net != 0) || (abi < 6 && scoped != 0)) { errno = EINVAL; return -1; }
    return (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
}

int warden_landlock_add_path_beneath(int ruleset_fd, uint64_t allowed_access, int parent_fd) {
    struct warden_landlock_path_beneath_attr attr = { allowed_access, parent_fd };
    return (int)syscall(SYS_landlock_add_rule, ruleset_fd, WARDEN_LANDLOCK_RULE_PATH_BENEATH, &attr, 0);
}

int warden_landlock_restrict_self(int ruleset_fd) {
    return (int)syscall(SYS_landlock_restrict_self, ruleset_fd, 0);
}

int warden_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5) {
    return prctl(option, arg2, arg3, arg4, arg5);
}

int warden_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL); }
int warden_get_no_new_privs(void) { return prctl(PR_GET_NO_NEW_PRIVS, 0UL, 0UL, 0UL, 0UL); }
int warden_set_dumpable(int dumpable) { return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL); }
int warden_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL); }
int warden_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL); }

int warden_get_parent_death_signal(void) {
    int signal = 0;
    if (prctl(PR_GET_PDEATHSIG, (unsigned long)&signal, 0UL, 0UL, 0UL) != 0) return -1;
    return signal;
}

int warden_unshare(int flags) { return unshare(flags); }
int warden_setgroups_empty(void) { return setgroups(0, NULL); }
int warden_setresgid(uint32_t gid) { return setresgid(gid, gid, gid); }
int warden_setresuid(uint32_t uid) { return setresuid(uid, uid, uid); }

int warden_getresuid(uint32_t *ruid, uint32_t *euid, uint32_t *suid) {
    uid_t r, e, s;
    if (getresuid(&r, &e, &s) != 0) return -1;
    *ruid = r; *euid = e; *suid = s;
    return 0;
}

int warden_getresgid(uint32_t *rgid, uint32_t *egid, uint32_t *sgid) {
    gid_t r, e, s;
    if (getresgid(&r, &e, &s) != 0) return -1;
    *rgid = r; *egid = e; *sgid = s;
    return 0;
}

int warden_ignore_sigxfsz(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGXFSZ, &action, NULL);
}

int warden_tiocnotty(int fd) { return ioctl(fd, TIOCNOTTY); }

int warden_reset_crash_signals(void) {
    static const int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS, SIGQUIT };
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    return 0;
}

long warden_raw_syscall(long number, long a0, long a1, long a2, long a3, long a4, long a5) {
    return syscall(number, a0, a1, a2, a3, a4, a5);
}

long warden_raw_syscall_int_first(long number, int a0, long a1, long a2, long a3) {
    return syscall(number, a0, a1, a2, a3);
}

int warden_seccomp_install(const void *program, size_t length, int new_listener) {
    if (length == 0 || length % sizeof(struct sock_filter) != 0 || length / sizeof(struct sock_filter) > BPF_MAXINSNS) {
        errno = EINVAL;
        return -1;
    }
    struct sock_fprog fprog = {
        .len = (unsigned short)(length / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)program,
    };
    unsigned int flags = new_listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
    if (rc < 0) return -1;
    return new_listener ? (int)rc : 0;
}

int warden_new_netns(void) {
    /* unshare(CLONE_NEWNET) moves the calling thread into the new namespace; it goes back
     * to the one it was in, so the launcher's own sockets keep their network. */
    int original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (original < 0) return -1;
    int created = -1;
    if (unshare(CLONE_NEWNET) == 0) {
        created = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        int saved = errno;
        if (setns(original, CLONE_NEWNET) != 0) {
            /* Stuck in the empty namespace: better to fail the run than to go on there. */
            if (created >= 0) close(created);
            created = -1;
            saved = errno;
            close(original);
            errno = saved;
            return -2;
        }
        errno = saved;
    }
    int saved = errno;
    close(original);
    errno = saved;
    return created;
}

int warden_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }
