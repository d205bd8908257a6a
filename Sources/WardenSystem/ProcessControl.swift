import CWardenLinux
import Glibc

/// This process's identity and end, and the zygote's fork-side calls. None of these allocate:
/// `fork`, `reapAnyChild`, `bindLifetimeToParent` and `exitImmediately` run on the zygote's
/// per-connection path, in a child of a fork, where only async-signal-safe work belongs.
public enum ProcessControl {
    /// getpid(2).
    public static var currentID: pid_t { getpid() }

    /// geteuid(2).
    public static var effectiveUserID: uid_t { geteuid() }

    /// This process's umask, from /proc/self/status ("Umask:"): setting it and back would
    /// change it for every thread for a moment. Without /proc, set and set back.
    public static var fileCreationMask: UInt32 {
        let status = (try? AmbientAuthority(purpose: "the launcher's umask, for a warm worker").readFile("/proc/self/status", limit: 1 << 16)) ?? []
        for line in status.split(separator: UInt8(ascii: "\n")) where line.starts(with: Array("Umask:".utf8)) {
            let digits = line.dropFirst(6).filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }
            if !digits.isEmpty, let mask = UInt32(String(decoding: digits, as: UTF8.self), radix: 8) { return mask & 0o777 }
        }
        let mask = umask(0o022)
        umask(mask)
        return UInt32(mask)
    }

    /// Puts process `pid` (0: this one) on SCHED_IDLE, which runs only on a CPU nothing else
    /// wants: how wardend starts warm workers, so their start competes with no run.
    public static func runOnlyWhenIdle(_ pid: pid_t) -> Bool {
        var parameter = sched_param(sched_priority: 0)
        return sched_setscheduler(pid, SCHED_IDLE, &parameter) == 0
    }

    /// Back to SCHED_OTHER at nice 0 (a warm worker once a run borrows it; leaving SCHED_IDLE
    /// needs privilege or RLIMIT_NICE, which a warm worker has as root before it hardens).
    public static func runNormally() -> Bool {
        var parameter = sched_param(sched_priority: 0)
        guard sched_setscheduler(0, SCHED_OTHER, &parameter) == 0 else { return false }
        return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 0) == 0
    }

    /// Sets the umask (a warm worker takes its launcher's).
    public static func setFileCreationMask(_ mask: UInt32) { umask(mode_t(mask & 0o777)) }

    /// fork(2). Returns 0 in the child, the child's pid in the parent. Only safe in a
    /// single-threaded process (the zygote).
    public static func fork() throws(Errno) -> pid_t {
        let pid = warden_fork()
        if pid < 0 { throw .current }
        return pid
    }

    /// One ended child, without waiting (waitpid(-1, WNOHANG)): its pid and wait status, or
    /// nil when none has ended (or there are no children).
    public static func reapAnyChild() -> (pid: pid_t, status: Int32)? {
        var status: Int32 = 0
        let pid = warden_reap_any(&status)
        return pid > 0 ? (pid, status) : nil
    }

    /// PR_SET_PDEATHSIG(SIGKILL), then whether `parent` is still this process's parent (if it
    /// died before the call, the signal will never come). False on either failure.
    public static func bindLifetimeToParent(_ parent: pid_t) -> Bool {
        warden_die_with_parent(parent) == 0
    }

    /// exit(3): runs exit handlers and flushes stdio.
    public static func exit(_ status: Int32) -> Never {
        Glibc.exit(status)
    }

    /// _exit(2): ends now, without exit handlers or static destructors (a forked child, or a
    /// process whose output all went out with write(2) already).
    public static func exitImmediately(_ status: Int32) -> Never {
        Glibc._exit(status)
    }

    /// The path of this process's executable (/proc/self/exe), or nil when it cannot be read.
    public static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink("/proc/self/exe", &buffer, 4096)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension FileDescriptor {
    /// pidfd_send_signal(2) to the process this pidfd refers to. A pidfd never names a
    /// recycled pid: a process that has been reaped is ESRCH, never a stranger.
    public func sendSignal(_ signal: SignalNumber) throws(Errno) {
        if warden_pidfd_send_signal(rawValue, signal.rawValue) != 0 { throw .current }
    }
}
