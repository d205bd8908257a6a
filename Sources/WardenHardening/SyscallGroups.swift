import Glibc

/// The worker's seccomp allowlist as named groups, sorted by name. It covers what the WASI
/// layer calls through WardenSystem (openat2, getdents64, the vectored reads and writes, the
/// `*at` calls, ppoll, clock_gettime, getrandom, sched_yield, accept4/recvmsg/sendmsg/
/// shutdown) plus what the Swift runtime, glibc and the WasmKit interpreter need (memory
/// without PROT_EXEC, futex, signal handling, exit) and the control socket (`@control`).
/// Anything else gets the plan's violation action, or with a listener a notification the
/// launcher answers.
public enum SyscallGroups {
    private typealias C = SyscallRule.Condition
    private static func allow(_ names: String...) -> [SyscallRule] { names.map { SyscallRule($0) } }
    private static func beneath(_ name: String, dirfds: UInt32...) -> SyscallRule {
        SyscallRule(name, dirfds.map { C.realDirectoryDescriptor($0) }, note: "dirfd must be a real descriptor, never AT_FDCWD")
    }

    /// ioctl commands the worker may issue (all compared on their low 32 bits). Notably absent:
    /// TIOCSTI (0x5412), which pushes input into a terminal.
    public static let ioctlCommands: [(name: String, value: UInt64)] = [
        ("TCGETS", 0x5401),      // isatty(): glibc's stdio asks it before buffering stdout
        ("TIOCGWINSZ", 0x5413),  // terminal size, for the same reason
        ("FIONREAD", 0x541B),    // bytes ready: WASI poll_oneoff reports them
        ("FIONBIO", 0x5421),     // non-blocking mode
        ("FIONCLEX", 0x5450),
        ("FIOCLEX", 0x5451),
    ]

    /// fcntl commands the worker may issue: flags and close-on-exec duplicates. No locks,
    /// leases, owners, signals or seals.
    public static let fcntlCommands: [(name: String, value: UInt64)] = [
        ("F_DUPFD", 0), ("F_GETFD", 1), ("F_SETFD", 2), ("F_GETFL", 3), ("F_SETFL", 4), ("F_DUPFD_CLOEXEC", 1030),
    ]

    public static let all: [SyscallGroup] = [
        SyscallGroup("@basic-io", "read, write, seek and close the descriptors the worker already holds",
                     allow("read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "lseek", "close")),
        SyscallGroup("@control", "talk to the launcher over the control socket (fd 3) only", [
            // The worker hands the seccomp listener (and its reports) to the launcher with
            // SCM_RIGHTS right after the filter loads. fd is an int to the kernel: 32 bits.
            SyscallRule("sendmsg", [C.descriptor(0, 3)], note: "control socket only"),
        ]),
        SyscallGroup("@enosys", "clone3 and io_uring answer ENOSYS so libraries fall back to calls this filter can inspect",
                     ["clone3", "io_uring_setup", "io_uring_enter", "io_uring_register"].map {
                         // clone3 keeps its flags in memory the filter cannot read; io_uring
                         // performs I/O the filter never sees.
                         SyscallRule($0, answer: .errno(ENOSYS), note: "ENOSYS")
                     }),
        SyscallGroup("@exec-load", "compiled engines only: map code read+execute, never writable and executable at once; stack the exec lock (one more filter, no flags) once the code is loaded",
                     onlyWhenPublishingCode: true, [
            // Cranelift publishes a module's code with one mprotect(PROT_READ|PROT_EXEC) of
            // memory it wrote while it was read/write. After the lock no PROT_EXEC passes at all.
            SyscallRule("mmap", [C.executableNotWritable(2)], note: "W^X: exec without write"),
            SyscallRule("mprotect", [C.executableNotWritable(2)], note: "W^X: exec without write"),
            SyscallRule("pkey_mprotect", [C.executableNotWritable(2)], note: "W^X: exec without write"),
            // A filter can only take permissions away; no flags: no TSYNC, no second listener.
            SyscallRule("seccomp", [C.command(0, 1 /* SECCOMP_SET_MODE_FILTER */), C.zero(1)], note: "stack a filter (the exec lock)"),
        ]),
        SyscallGroup("@exit", "end the process", allow("exit", "exit_group")),
        SyscallGroup("@fd-control", "fstat, and fcntl and ioctl limited to a few commands compared on 32 bits (no TIOCSTI)",
                     allow("fstat")
                        + fcntlCommands.map { SyscallRule("fcntl", [C.command(1, $0.value)], note: $0.name) }
                        + ioctlCommands.map { SyscallRule("ioctl", [C.command(1, $0.value)], note: $0.name) }),
        SyscallGroup("@file-beneath", "path calls relative to a real directory descriptor, never AT_FDCWD; Landlock bounds where they lead", [
            beneath("openat", dirfds: 0), beneath("openat2", dirfds: 0), beneath("newfstatat", dirfds: 0),
            beneath("statx", dirfds: 0), beneath("mkdirat", dirfds: 0), beneath("unlinkat", dirfds: 0),
            beneath("renameat", dirfds: 0, 2), beneath("renameat2", dirfds: 0, 2), beneath("linkat", dirfds: 0, 2),
            beneath("symlinkat", dirfds: 1), beneath("readlinkat", dirfds: 0), beneath("utimensat", dirfds: 0),
        ]),
        SyscallGroup("@file-data", "list directories, truncate, allocate, advise and sync open files",
                     allow("getdents64", "ftruncate", "fallocate", "fadvise64", "fsync", "fdatasync")),
        SyscallGroup("@futex", "futex waits and wakes behind the Swift runtime's and glibc's locks", allow("futex")),
        SyscallGroup("@memory", "map, unmap, resize and advise memory; mmap, mprotect and pkey_mprotect only without PROT_EXEC (W^X)", [
            SyscallRule("mmap", [C.notExecutable(2)], note: "W^X"),
            SyscallRule("mprotect", [C.notExecutable(2)], note: "W^X"),
            SyscallRule("pkey_mprotect", [C.notExecutable(2)], note: "W^X"),
        ] + allow("munmap", "mremap", "madvise", "brk")),
        SyscallGroup("@poll", "wait for descriptors to become ready (WASI poll_oneoff)", allow("poll", "ppoll")),
        SyscallGroup("@process-info", "the process's own ids, kernel name and resource limits (read only)",
                     allow("getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "uname")
                        + [SyscallRule("prlimit64", [C.zero(0), C.zero(2)], note: "own limits, read only")]),
        SyscallGroup("@random", "the kernel's random number generator", allow("getrandom")),
        SyscallGroup("@scheduling", "give up the processor (WASI sched_yield)", allow("sched_yield")),
        SyscallGroup("@signals", "handlers, masks and alternate stacks; kill and tgkill only to this process (per-connection: checked by the launcher, see @zygote)", allow(
            "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall") + [
            // Self-signals the runtime needs to die properly: glibc's abort() is tgkill(self,
            // self, SIGABRT); WasmKit's fault handler re-raises with kill(getpid(), sig). A
            // process can always end itself, so these grant nothing; any other target is refused.
            // The pid is fixed when the filter is built, so a forking zygote's filter leaves
            // these two out (see `groups(for:)`): in its instances the pid would name the
            // zygote. There every kill/tgkill goes to the listener, which lets exactly the
            // self-signals through.
            SyscallRule("kill", [C.ownProcess(0)], note: "self only"),
            SyscallRule("tgkill", [C.ownProcess(0), C.ownProcess(1)], note: "self only (single-threaded: tid == pid)"),
        ]),
        SyscallGroup("@sockets", "accept, receive, send and shut down sockets handed in; never create, bind or connect one",
                     onlyWithSockets: true,
                     allow("accept4", "accept", "recvmsg", "sendmsg", "recvfrom", "sendto", "shutdown", "getsockopt")),
        SyscallGroup("@time", "read clocks and sleep", allow("clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday")),
        SyscallGroup("@zygote", "per-connection only: fork exactly as glibc does (no thread, no namespace), reap, receive connections on fd 3, arm an instance's death signal and CPU limit; kill/tgkill then go to the launcher, which lets only self-signals through",
                     onlyWhenForking: true, [
            // glibc's fork(): clone(CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD). Any
            // other flag (CLONE_VM, CLONE_THREAD, CLONE_NEW*) is refused; children inherit the
            // filter, and clone3 already answers ENOSYS.
            SyscallRule("clone", [C.command(0, 0x0120_0011)], note: "fork only"),
            // glibc's fork re-registers the new process's robust futex list (its own memory).
            SyscallRule("set_robust_list", [C.command(1, 24)], note: "sizeof(struct robust_list_head)"),
            SyscallRule("wait4", [C.command(2, 1), C.zero(3)], note: "WNOHANG, no rusage: reap own instances"),
            SyscallRule("recvmsg", [C.descriptor(0, 3)], note: "connections from the supervisor on fd 3"),
            SyscallRule("dup2", [C(argument: 1, comparison: .lessOrEqual, operand: .constant(1))], note: "the connection onto stdin and stdout"),
            SyscallRule("prctl", [C.command(0, 1), C.command(1, 9)], note: "PR_SET_PDEATHSIG(SIGKILL) only"),
            SyscallRule("prlimit64", [C.zero(0), C.command(1, 0), C.zero(3)], note: "set own RLIMIT_CPU (lowering only)"),
        ]),
    ]

    /// The groups a plan's filter contains.
    public static func groups(for plan: HardeningPlan.SeccompPlan) -> [SyscallGroup] {
        let chosen = all.filter {
            (!$0.onlyWithSockets || plan.socketsGranted) && (!$0.onlyWhenForking || plan.forking)
                && (!$0.onlyWhenPublishingCode || plan.publishingCode) && !plan.excludedGroups.contains($0.name)
        }
        guard plan.forking else { return chosen }
        return chosen.map { group in
            let kept = group.rules.filter { rule in !rule.conditions.contains { $0.operand == .ownProcessID } }
            return SyscallGroup(group.name, group.description, onlyWithSockets: group.onlyWithSockets,
                                onlyWhenForking: group.onlyWhenForking, onlyWhenPublishingCode: group.onlyWhenPublishingCode, kept)
        }
    }

    /// `name  description`, one line per group: the listing `warden seccomp groups` prints.
    public static func listing() -> [(name: String, description: String, syscalls: [String])] {
        all.map { ($0.name, $0.description, $0.syscalls) }
    }

    private static func deny(_ reason: String, _ names: String...) -> [DeniedSyscall] {
        names.map { DeniedSyscall(name: $0, reason: reason) }
    }

    /// Calls the worker must never make, each with the reason. The default action refuses them
    /// already; tests hold the groups to this list.
    public static let denied: [DeniedSyscall] =
        deny("runs another program", "execve", "execveat")
        + deny("reads or controls other processes", "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd",
               "pidfd_send_signal", "tkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
        + deny("creates processes or threads (the worker stays single-threaded; only a per-connection zygote forks, through @zygote's exact clone flags)", "fork", "vfork", "clone")
        + deny("changes the mount table or the root", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount",
               "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr")
        + deny("large kernel attack surface the worker never needs", "bpf", "perf_event_open", "userfaultfd",
               "keyctl", "add_key", "request_key", "personality", "kexec_load", "kexec_file_load", "init_module",
               "finit_module", "delete_module", "reboot", "swapon", "swapoff", "open_by_handle_at", "name_to_handle_at")
        + deny("enters or creates namespaces", "unshare", "setns")
        + deny("changes credentials or privileges", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
               "setfsuid", "setfsgid", "setgroups", "capset", "prctl" /* @zygote: PR_SET_PDEATHSIG only */, "seccomp" /* @exec-load: stacking a filter only */, "landlock_create_ruleset",
               "landlock_add_rule", "landlock_restrict_self")
        + deny("creates or connects sockets (sockets are handed in, never made)", "socket", "socketpair", "connect", "bind", "listen")
        + deny("names a path relative to the working directory or absolute", "open", "creat", "stat", "lstat", "access",
               "mkdir", "rmdir", "unlink", "rename", "link", "symlink", "readlink", "chdir", "fchdir", "chmod", "chown",
               "truncate", "utimes", "mknod", "mknodat")
}
