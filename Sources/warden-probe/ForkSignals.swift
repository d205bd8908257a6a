import CWardenLinux
import Glibc
import WardenSystem

/// `--forking fork-signals`: the probe hardens as a per-connection zygote, forks an instance
/// exactly as the zygote does, and reports what each may signal (signal 0: the permission
/// check without a signal). Expected under `--notify`: the fork and the reaping are allowed by
/// `@zygote`; the instance's and the zygote's self-signals reach the launcher and continue;
/// the instance signalling the zygote is refused.
///
///     fork: allowed
///     instance kill self: allowed
///     instance tgkill self: allowed
///     instance kill zygote: refused errno=EPERM
///     reaped: exit 0
///     zygote kill self: allowed
enum ForkSignals {
    static func line(_ label: String, _ result: Int) {
        say(result < 0 ? "\(label): refused errno=\(Errno.current.symbol)" : "\(label): allowed")
    }

    static func run() {
        let zygote = getpid()
        let child = warden_fork()
        if child < 0 {
            line("fork", -1)
            return
        }
        if child == 0 {
            let me = Int(getpid())
            line("instance kill self", Attempts.raw("kill", me, 0))
            line("instance tgkill self", Attempts.raw("tgkill", me, me, 0))
            line("instance kill zygote", Attempts.raw("kill", Int(zygote), 0))
            _exit(0)
        }
        line("fork", 0)
        var status: Int32 = 0
        var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
        // waitpid(-1, WNOHANG) is the only wait @zygote allows.
        while warden_reap_any(&status) == 0 { nanosleep(&pause, nil) }
        say("reaped: exit \((status >> 8) & 0xff)")
        line("zygote kill self", Attempts.raw("kill", Int(zygote), 0))
    }
}
