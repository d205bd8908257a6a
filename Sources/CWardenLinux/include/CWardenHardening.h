// C helpers for the worker's self-hardening (WardenHardening) and its test probe: prctl is
// variadic, Landlock has no glibc wrapper and the installed <linux/landlock.h> is older than
// the kernel (ABI <= 2 there, ABI 7 on the hosts we run), and raw syscalls are how the probe
// reaches encodings glibc would never produce (AT_FDCWD sign-extended, ioctl high bits).
#ifndef CWARDENHARDENING_H
#define CWARDENHARDENING_H

#include <stdint.h>
#include <sys/types.h>

// Landlock access rights, defined here rather than taken from <linux/landlock.h> because the
// installed header stops at ABI 2. The ABI that introduced each right is noted.
#define WARDEN_LANDLOCK_FS_EXECUTE (1ULL << 0)       /* ABI 1 */
#define WARDEN_LANDLOCK_FS_WRITE_FILE (1ULL << 1)    /* ABI 1 */
#define WARDEN_LANDLOCK_FS_READ_FILE (1ULL << 2)     /* ABI 1 */
#define WARDEN_LANDLOCK_FS_READ_DIR (1ULL << 3)      /* ABI 1 */
#define WARDEN_LANDLOCK_FS_REMOVE_DIR (1ULL << 4)    /* ABI 1 */
#define WARDEN_LANDLOCK_FS_REMOVE_FILE (1ULL << 5)   /* ABI 1 */
#define WARDEN_LANDLOCK_FS_MAKE_CHAR (1ULL << 6)     /* ABI 1 */
#define WARDEN_LANDLOCK_FS_MAKE_DIR (1ULL << 7)      /* ABI 1 */
#define WARDEN_LANDLOCK_FS_MAKE_REG (1ULL << 8)      /* ABI 1 */
#define WARDEN_LANDLOCK_FS_MAKE_SOCK (1ULL << 9)     /* ABI 1 */
#define WARDEN_LANDLOCK_FS_MAKE_FIFO (1ULL << 10)    /* ABI 1 */
#define WARDEN_LANDLOCK_FS_MAKE_BLOCK (1ULL << 11)   /* ABI 1 */
#define WARDEN_LANDLOCK_FS_MAKE_SYM (1ULL << 12)     /* ABI 1 */
#define WARDEN_LANDLOCK_FS_REFER (1ULL << 13)        /* ABI 2 */
#define WARDEN_LANDLOCK_FS_TRUNCATE (1ULL << 14)     /* ABI 3 */
#define WARDEN_LANDLOCK_FS_IOCTL_DEV (1ULL << 15)    /* ABI 5 */
#define WARDEN_LANDLOCK_NET_BIND_TCP (1ULL << 0)     /* ABI 4 */
#define WARDEN_LANDLOCK_NET_CONNECT_TCP (1ULL << 1)  /* ABI 4 */
#define WARDEN_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define WARDEN_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)     /* ABI 6 */

/// The kernel's Landlock ABI version (1, 2, ...), or -1 with errno (ENOSYS: not built in;
/// EOPNOTSUPP: built in but disabled at boot).
int warden_landlock_abi(void);
/// landlock_create_ruleset with the attribute sized for `abi`: 8 bytes (fs) before ABI 4,
/// 16 (fs, net) before ABI 6, 24 (fs, net, scoped) from ABI 6. Fields the ABI does not know
/// must be zero. Returns the ruleset fd or -1 with errno.
int warden_landlock_create_ruleset(uint64_t handled_fs, uint64_t handled_net, uint64_t scoped, int abi);
/// landlock_add_rule(LANDLOCK_RULE_PATH_BENEATH) for an already-open directory descriptor.
int warden_landlock_add_path_beneath(int ruleset_fd, uint64_t allowed_access, int parent_fd);
int warden_landlock_restrict_self(int ruleset_fd);

/// Secure bits the capabilities step locks: NOROOT (+locked), the set*id capability fixup
/// locked ON (a uid change always clears capabilities), KEEP_CAPS locked off,
/// NO_CAP_AMBIENT_RAISE (+locked).
#define WARDEN_SECUREBITS_LOCKDOWN 0xEBu

/// prctl(2) with all five arguments spelled out (the libc prototype is variadic).
int warden_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);
int warden_set_no_new_privs(void);
int warden_get_no_new_privs(void);
int warden_set_dumpable(int dumpable);
int warden_get_dumpable(void);
int warden_set_parent_death_signal(int signal);
int warden_get_parent_death_signal(void);

/// Credential and namespace calls, wrapped so callers need no _GNU_SOURCE view of <unistd.h>.
int warden_unshare(int flags);
int warden_setgroups_empty(void);
int warden_setresgid(uint32_t gid);
int warden_setresuid(uint32_t uid);
int warden_getresuid(uint32_t *ruid, uint32_t *euid, uint32_t *suid);
int warden_getresgid(uint32_t *rgid, uint32_t *egid, uint32_t *sgid);
/// ioctl(fd, TIOCNOTTY): a process that is not a session leader gives up its controlling terminal.
int warden_tiocnotty(int fd);
/// Puts the synchronous crash signals (SEGV, BUS, ILL, FPE, TRAP, ABRT, SYS, QUIT) back to
/// their default action. Returns 0 or -1 with errno.
int warden_reset_crash_signals(void);
/// Ignores SIGXFSZ, so a write past RLIMIT_FSIZE fails with EFBIG instead of killing the worker.
int warden_ignore_sigxfsz(void);

// CLONE_* namespace flags (sched.h hides them without _GNU_SOURCE).
#define WARDEN_CLONE_NEWNS 0x00020000
#define WARDEN_CLONE_NEWCGROUP 0x02000000
#define WARDEN_CLONE_NEWUTS 0x04000000
#define WARDEN_CLONE_NEWIPC 0x08000000
#define WARDEN_CLONE_NEWUSER 0x10000000
#define WARDEN_CLONE_NEWPID 0x20000000
#define WARDEN_CLONE_NEWNET 0x40000000

/// syscall(2) with six register-sized arguments, passed exactly as given (no int promotion):
/// the probe uses it to hand the kernel encodings that glibc never produces.
long warden_raw_syscall(long number, long a0, long a1, long a2, long a3, long a4, long a5);
/// syscall(2) whose first argument is a C `int` passed through the variadic prototype, as
/// careless C does (`syscall(SYS_openat, AT_FDCWD, ...)`); the upper half is what the
/// compiler leaves there.
long warden_raw_syscall_int_first(long number, int a0, long a1, long a2, long a3);

/// Installs a seccomp filter given as a raw BPF program (struct sock_filter[], built and
/// exported by libseccomp in the launcher), as seccomp(SECCOMP_SET_MODE_FILTER) does.
/// `new_listener`: also ask for a user-notification listener. Returns the listener fd, 0
/// without one, or -1 with errno set. Requires no_new_privs (or CAP_SYS_ADMIN).
int warden_seccomp_install(const void *program, size_t length, int new_listener);

/// Creates a new, empty network namespace and returns a close-on-exec descriptor for it; the
/// calling thread ends where it started. -1 with errno set if none could be made; -2 with
/// errno set if the thread could not go back to its own namespace (it is then left in the
/// empty one). For the launcher: the worker joins this namespace, so the kernel's set-up
/// overlaps the worker's exec. Needs CAP_SYS_ADMIN.
int warden_new_netns(void);
struct warden_netns_job;
/// Starts making an empty network namespace on a short-lived thread; NULL if no thread could
/// be started (then use `warden_new_netns`). Needs CAP_SYS_ADMIN.
struct warden_netns_job *warden_netns_begin(void);
/// Waits for the job and frees it: a close-on-exec descriptor for the namespace, or -1 with
/// errno set.
int warden_netns_end(struct warden_netns_job *job);
/// setns(fd, CLONE_NEWNET).
int warden_setns_net(int fd);

#endif
