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
        // Compiled by the launcher when it could (see SeccompPlan.program), else here.
        let program: [UInt8]
        if let compiled = plan.seccomp.program {
            program = compiled
        } else {
            program = try SeccompFilter(plan: plan.seccomp, processID: getpid()).compiledProgram()
        }
        let groups = SyscallGroups.groups(for: plan.seccomp)
        // The Swift runtime's crash handlers (its backtracer) answer a crash by spawning a
        // helper: under the filter that spawn is itself a violation, so a plain crash would be
        // reported as SIGSYS. Default actions keep "SIGSYS" meaning "seccomp refused a call"
        // and let a crash end the worker with its own signal (cores are off: RLIMIT_CORE 0 and
        // not dumpable). Handlers installed later (WasmKit's bounds-check SIGSEGV handler) chain
        // to these defaults.
        try check(name, "resetting crash signal handlers", warden_reset_crash_signals())
        // Record before loading: after the load, this report is the only thing we can still
        // say about the filter, and building the string needs no forbidden call either way.
        let names = groups.map(\.name).joinedDirectly(separator: " ")
        let detail = plan.seccomp.notifyListener
            ? "\(groups.count) groups, violations reported to the launcher (\(plan.seccomp.violation) on violation); \(names)"
            : "\(plan.seccomp.violation) on violation; \(names)"
        let installed = program.withUnsafeBytes { warden_seccomp_install($0.baseAddress, $0.count, plan.seccomp.notifyListener ? 1 : 0) }
        guard installed >= 0 else {
            throw HardeningFailure(step: name, errno: .current, operation: "seccomp(SECCOMP_SET_MODE_FILTER) with \(program.count / 8) instructions")
        }
        if plan.seccomp.notifyListener {
            // From here until the launcher holds the listener, a refused call would wait for an
            // answer nobody can give: only allowed calls (the report, sendmsg on fd 3, close).
            guard installed > 0 else {
                throw HardeningFailure(step: name, errno: .invalidArgument,
                                       operation: "seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER) (the kernel gave no listener)")
            }
            context.report.notificationListener = FileDescriptor(rawValue: installed)
        }
        context.report.applied("seccomp", detail)
    }
}
