import CWardenLinux
import Glibc
import WardenSystem

/// Step 5: process attributes, after the id change (which would reset two of them).
/// - `PR_SET_NO_NEW_PRIVS`: no exec can ever grant privileges again (setuid bits, file
///   capabilities); Landlock requires it, and it lets an unprivileged process load seccomp.
/// - `PR_SET_DUMPABLE 0`: no core dump, no ptrace attach by processes of the same uid, and
///   /proc/self owned by root, so a sibling worker of the same service user cannot read our
///   memory through /proc.
/// - `PR_SET_PDEATHSIG`: the worker dies when the launcher does (cleared by set*id, hence
///   here). If the plan names the launcher's pid and our parent is already someone else, the
///   launcher died before the signal was armed: fail rather than run unsupervised.
struct ProcessAttributeStep: HardeningStep {
    var name: HardeningStepName { .noNewPrivs }

    func apply(_ plan: HardeningPlan, _ context: inout HardeningContext) throws(HardeningFailure) {
        try check(name, "prctl(PR_SET_NO_NEW_PRIVS, 1)", warden_set_no_new_privs())
        guard warden_get_no_new_privs() == 1 else {
            throw HardeningFailure(step: name, errno: .permissionDenied, operation: "verifying no_new_privs")
        }
        try check(name, "prctl(PR_SET_DUMPABLE, 0)", warden_set_dumpable(0))
        try check(name, "prctl(PR_SET_PDEATHSIG, \(plan.parentDeathSignal))", warden_set_parent_death_signal(plan.parentDeathSignal))
        guard warden_get_parent_death_signal() == plan.parentDeathSignal else {
            throw HardeningFailure(step: name, errno: .invalidArgument, operation: "verifying the parent-death signal")
        }
        if let expected = plan.expectedParentPID, getppid() != expected {
            throw HardeningFailure(step: name, errno: Errno(rawValue: ESRCH),
                                   operation: "checking the launcher (pid \(expected)) is still the parent (parent is now \(getppid()))")
        }
        context.report.applied("no-new-privs", "no_new_privs, not dumpable, parent-death signal \(plan.parentDeathSignal)")
    }
}
