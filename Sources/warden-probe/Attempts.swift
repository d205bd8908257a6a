import CWardenLinux
import Glibc
import WardenHardening

/// The forbidden things the probe tries after hardening, one per run. Each returns the raw
/// result (negative: failed, errno set). Where a refusal by the kernel's own checks could be
/// confused with a refusal by the sandbox, the call is chosen so that, were it let through,
/// it would succeed or fail differently (TIOCSTI on a pipe is ENOTTY, connect on a pipe is
/// ENOTSOCK, mount on a missing path is ENOENT, unshare of a user namespace and keyctl
/// succeed), so `refused errno=EPERM` can only come from the filter.
enum Attempts {
    struct Context: Sendable {
        /// The first --landlock-dir descriptor, if any.
        var directory: Int32?
    }

    static let table: [(name: String, run: @Sendable (Context) -> Int)] = [
        ("execve", { _ in
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
            let envp: [UnsafeMutablePointer<CChar>?] = [nil]
            return Int(execve("/bin/true", argv, envp))
        }),
        // glibc's open() is openat(AT_FDCWD as 0x00000000ffffff9c, ...).
        ("open-absolute", { _ in Int(open("/etc/passwd", O_RDONLY)) }),
        ("openat-cwd-libc", { _ in Int(openat(-100, ".", O_RDONLY | O_DIRECTORY)) }),
        // AT_FDCWD as a C int through syscall()'s variadic prototype, as careless C passes it.
        ("openat-cwd-raw", { _ in warden_raw_syscall_int_first(number("openat"), -100, address("."), Int(O_RDONLY), 0) }),
        ("openat-cwd-zext", { _ in raw("openat", 0xffff_ff9c, address("."), Int(O_RDONLY)) }),
        ("openat-cwd-sext", { _ in raw("openat", Int(bitPattern: 0xffff_ffff_ffff_ff9c), address("."), Int(O_RDONLY)) }),
        // A real dirfd passes seccomp; an absolute path ignores it, so this is Landlock's to refuse.
        ("openat-absolute-dirfd", { _ in raw("openat", 0, address("/etc/passwd"), Int(O_RDONLY)) }),
        ("open-proc-self-mem", { _ in Int(open("/proc/self/mem", O_RDWR)) }),
        ("landlock-write", { context in
            guard let directory = context.directory else { fatalError("landlock-write needs --landlock-dir DIR") }
            return raw("openat", Int(directory), address("probe-write-attempt"), Int(O_WRONLY | O_CREAT | O_CLOEXEC), 0o600)
        }),
        ("socket", { _ in raw("socket", Int(AF_UNIX), Int(SOCK_STREAM.rawValue), 0) }),
        ("connect", { _ in
            var peer = sockaddr_un()
            peer.sun_family = sa_family_t(AF_UNIX)
            return withUnsafePointer(to: &peer) { raw("connect", 1, Int(bitPattern: $0), MemoryLayout<sockaddr_un>.size) }
        }),
        ("accept4", { _ in raw("accept4", 1, 0, 0, 0) }),
        ("ptrace", { _ in raw("ptrace", 0 /* PTRACE_TRACEME */) }),
        ("mount", { _ in raw("mount", address("none"), address("/nonexistent-warden-probe"), address("tmpfs"), 0, 0) }),
        ("unshare", { _ in raw("unshare", Int(WARDEN_CLONE_NEWUSER)) }),
        ("setuid", { _ in raw("setuid", 0) }),
        // Signal 0: the same permission check as SIGTERM, without harming pid 1 if a broken
        // filter let it through.
        ("kill", { _ in raw("kill", 1, 0) }),
        ("tgkill", { _ in raw("tgkill", 1, 1, 0) }),
        // Self-signals stay allowed (see @signals): the probe must die of the signal it sent.
        ("abort", { _ in abort() }),
        // SIGKILL: a launcher may have blocked or ignored catchable signals, and the point is
        // only that kill(self) passes the filter.
        ("kill-self", { _ in raw("kill", Int(getpid()), Int(SIGKILL)) }),
        ("swift-fatal-error", { _ in fatalError("deliberate") }),
        ("fork", { _ in
            let pid = raw("fork")
            if pid == 0 { _exit(0) }
            return pid
        }),
        ("prctl", { _ in raw("prctl", 4 /* PR_SET_DUMPABLE */, 1) }),
        ("personality", { _ in raw("personality", 0x0400000 /* READ_IMPLIES_EXEC */) }),
        ("mmap-exec", { _ in mapped(mmap(nil, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) }),
        ("mprotect-exec", { _ in
            guard let page = writablePage() else { return -1 }
            return Int(mprotect(page, 4096, PROT_READ | PROT_EXEC))
        }),
        ("pkey-mprotect-exec", { _ in
            guard let page = writablePage() else { return -1 }
            return raw("pkey_mprotect", Int(bitPattern: page), 4096, Int(PROT_READ | PROT_EXEC), -1)
        }),
        // Writable and executable at once: refused in every plan, during load too.
        ("mmap-wx", { _ in mapped(mmap(nil, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) }),
        ("mprotect-wx", { _ in
            guard let page = writablePage() else { return -1 }
            return Int(mprotect(page, 4096, PROT_READ | PROT_WRITE | PROT_EXEC))
        }),
        ("io-uring-setup", { _ in
            var parameters = [UInt8](repeating: 0, count: 120)
            return parameters.withUnsafeMutableBytes { raw("io_uring_setup", 1, Int(bitPattern: $0.baseAddress)) }
        }),
        // Size 0 is EINVAL to the kernel: a clone3 the filter let through creates nothing.
        ("clone3", { _ in raw("clone3", 0, 0) }),
        ("ioctl-tiocsti", { _ in
            var byte: CChar = 0x41
            return withUnsafeMutablePointer(to: &byte) { raw("ioctl", 1, 0x5412, Int(bitPattern: $0)) }
        }),
        // The kernel reads cmd as unsigned int: this is TIOCSTI to it too.
        ("ioctl-tiocsti-high", { _ in
            var byte: CChar = 0x41
            return withUnsafeMutablePointer(to: &byte) { raw("ioctl", 1, 0x1_0000_5412, Int(bitPattern: $0)) }
        }),
        // Answering a seccomp notification (SECCOMP_IOCTL_NOTIF_SEND) is not an ioctl command
        // the worker may issue, whatever descriptor it names: the module cannot answer its own
        // refusals. Let through, stdin (not a listener) would answer ENOTTY.
        ("ioctl-notif-send", { _ in
            var response = [UInt8](repeating: 0, count: 24)
            return response.withUnsafeMutableBytes { raw("ioctl", 0, 0xc018_2101, Int(bitPattern: $0.baseAddress)) }
        }),
        // getpid through the x32 ABI (syscall number | 0x40000000): the same AUDIT_ARCH as
        // x86_64, so only the filter's own check stops it. Native architecture only.
        ("x32-getpid", { _ in warden_raw_syscall(0x4000_0000 | number("getpid"), 0, 0, 0, 0, 0, 0) }),
        ("bpf", { _ in raw("bpf", 5 /* BPF_PROG_LOAD */, 0, 0) }),
        ("keyctl", { _ in raw("keyctl", 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 1) }),
        ("perf-event-open", { _ in raw("perf_event_open", 0, 0, -1, -1, 0) }),
        ("userfaultfd", { _ in raw("userfaultfd", Int(O_CLOEXEC) | 1 /* UFFD_USER_MODE_ONLY */) }),
    ]

    static var names: [String] { table.map(\.name) }

    static func run(_ name: String, _ context: Context) -> Int {
        table.first { $0.name == name }!.run(context)
    }

    static func number(_ name: String) -> Int {
        guard let number = SeccompFilter.syscallNumber(name) else { fatalError("no syscall \(name) on this architecture") }
        return number
    }

    static func raw(_ name: String, _ a0: Int = 0, _ a1: Int = 0, _ a2: Int = 0, _ a3: Int = 0, _ a4: Int = 0) -> Int {
        warden_raw_syscall(number(name), a0, a1, a2, a3, a4, 0)
    }

    /// A C string that lives for the rest of the process (the probe makes one call and exits).
    static func address(_ text: String) -> Int { Int(bitPattern: strdup(text)) }

    static func mapped(_ pointer: UnsafeMutableRawPointer?) -> Int {
        pointer == MAP_FAILED ? -1 : 0
    }

    static func writablePage() -> UnsafeMutableRawPointer? {
        let page = mmap(nil, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        return page == MAP_FAILED ? nil : page
    }
}
