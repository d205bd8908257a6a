import CWardenLinux
import Glibc
import WardenSystem

/// Step 7, last: the seccomp allowlist (see `SyscallGroups`). Last because every step before
/// it needs calls the filter forbids (unshare, setresuid, prctl, landlock_*); once it is
/// loaded the worker can do little more than use the descriptors it holds. With
/// `notifyListener` it leaves the user-notification listener in the report, for the worker to
/// hand to the launcher.
struct SeccompStep: HardeningStep {
    var name: HardeningStepName { .seccomp }

    func apply(_ plan: HardeningPlan, _ context: inout HardeningContext) throws(HardeningFailure) {
        let filter = try SeccompFilter(plan: plan.seccomp, processID: getpid())
        // The Swift runtime's crash handlers (its backtracer) answer a crash by spawning a
        // helper: under the filter that spawn is itself a violation, so a plain crash would be
        // reported as SIGSYS. Default actions keep "SIGSYS" meaning "seccomp refused a call"
        // and let a crash end the worker with its own signal (cores are off: RLIMIT_CORE 0 and
        // not dumpable). Handlers installed later (WasmKit's bounds-check SIGSEGV handler) chain
        // to these defaults.
        try check(name, "resetting crash signal handlers", warden_reset_crash_signals())
        // Record before loading: after the load, this report is the only thing we can still
        // say about the filter, and building the string needs no forbidden call either way.
        let names = filter.groups.map(\.name).joined(separator: " ")
        let detail = plan.seccomp.notifyListener
            ? "\(filter.groups.count) groups, violations reported to the launcher (\(plan.seccomp.violation) on violation); \(names)"
            : "\(plan.seccomp.violation) on violation; \(names)"
        try filter.load()
        if plan.seccomp.notifyListener {
            // From here until the launcher holds the listener, a refused call would wait for an
            // answer nobody can give: only allowed calls (the report, sendmsg on fd 3, close).
            guard let listener = filter.notificationDescriptor() else {
                throw HardeningFailure(step: name, errno: .invalidArgument,
                                       operation: "seccomp_notify_fd() after seccomp_load() (the kernel gave no listener)")
            }
            context.report.notificationListener = listener
        }
        context.report.applied("seccomp", detail)
    }
}
