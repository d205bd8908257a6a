import CWardenLinux
import Glibc
import WardenSystem

/// Step 1: descriptor hygiene. Whatever the worker inherited beyond the fixed layout (a
/// launcher's leaked log file, a socket) is closed with one `close_range`, so nothing it did
/// not mean to grant survives into the sandbox. Then `setsid`: a new session has no
/// controlling terminal, so the module cannot inject keystrokes into (TIOCSTI) or signal the
/// operator's terminal through it.
struct DescriptorStep: HardeningStep {
    var name: HardeningStepName { .descriptors }

    func apply(_ plan: HardeningPlan, _ context: inout HardeningContext) throws(HardeningFailure) {
        guard plan.highestDescriptor >= 2 else {
            // Stdio is always part of the layout (it may be /dev/null, never absent).
            throw HardeningFailure(step: name, errno: .invalidArgument,
                                   operation: "descriptor layout 0...\(plan.highestDescriptor) (stdio must be kept)")
        }
        let first = UInt32(plan.highestDescriptor) + 1
        try check(name, "close_range(\(first), ~0U, 0)", warden_close_range(first, UInt32.max, 0))
        context.report.applied("descriptors", "kept 0...\(plan.highestDescriptor), closed the rest")

        if Glibc.setsid() < 0 {
            let error = Errno.current
            // A launcher that spawned us with POSIX_SPAWN_SETSID already gave us a fresh
            // session (which has no controlling terminal); anything else that refuses setsid is
            // a process-group leader still attached to the caller's terminal.
            guard error == .permissionDenied, getsid(0) == getpid() else {
                throw HardeningFailure(step: name, errno: error,
                                       operation: "setsid() (the worker leads process group \(getpgrp()) and cannot leave its session)")
            }
            context.report.applied("session", "already a session leader (spawned with a new session)")
        } else {
            context.report.applied("session", "new session, no controlling terminal")
        }
    }
}
