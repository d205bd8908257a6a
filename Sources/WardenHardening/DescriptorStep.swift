import CWardenLinux
import Glibc
import WardenSystem

/// Step 1: descriptor hygiene.
/// - The layout `0...highestDescriptor` must be complete: a hole (say, a closed stdout) would
///   be filled by the next descriptor the worker opens, and the module's output would land in
///   a preopen file. Checked, not assumed.
/// - Whatever the worker inherited above the layout (a launcher's leaked log file, a socket)
///   is closed with one `close_range`, so nothing it did not mean to grant survives.
/// - No controlling terminal, so the module cannot inject keystrokes into (TIOCSTI) or signal
///   the operator's terminal: `setsid`, or, for a process-group leader (which setsid refuses,
///   e.g. when spawned with POSIX_SPAWN_SETPGROUP as Foundation's Process does), give up the
///   terminal with TIOCNOTTY if it has one. A non-leader can never acquire a terminal again.
struct DescriptorStep: HardeningStep {
    var name: HardeningStepName { .descriptors }

    func apply(_ plan: HardeningPlan, _ context: inout HardeningContext) throws(HardeningFailure) {
        let highest = plan.highestDescriptor
        guard highest >= 2 else {
            // Stdio is always part of the layout (it may be /dev/null, never absent).
            throw HardeningFailure(step: name, errno: .invalidArgument, operation: "descriptor layout 0...\(highest) (stdio must be kept)")
        }
        for fd in 0...highest where warden_fcntl_getfd(fd) < 0 {
            throw HardeningFailure(step: name, errno: .current,
                                   operation: "checking the layout 0...\(highest): descriptor \(fd) is not open (the next open would take its place)")
        }
        // The launcher's prepared network namespace arrived with the configuration, at
        // whatever number recvmsg gave it: kept until the namespaces step joins and closes it.
        var first = UInt32(highest) + 1
        var kept = ""
        if let prepared = plan.networkNamespace, prepared.rawValue > highest {
            let slot = UInt32(prepared.rawValue)
            if slot > first { try check(name, "close_range(\(first), \(slot - 1), 0)", warden_close_range(first, slot - 1, 0)) }
            first = slot + 1
            kept = " and the prepared network namespace"
        }
        try check(name, "close_range(\(first), ~0U, 0)", warden_close_range(first, UInt32.max, 0))
        context.report.applied("descriptors", "kept 0...\(highest)\(kept), closed the rest")
        context.report.applied("session", try leaveTerminal())
    }

    private func leaveTerminal() throws(HardeningFailure) -> String {
        if Glibc.setsid() >= 0 { return "new session, no controlling terminal" }
        let error = Errno.current
        guard error == .permissionDenied else { throw HardeningFailure(step: name, errno: error, operation: "setsid()") }
        if getsid(0) == getpid() {
            // Spawned with POSIX_SPAWN_SETSID: the launcher already gave us a fresh session,
            // which starts without a controlling terminal (and we never open one without O_NOCTTY).
            return "already a session leader (spawned with a new session)"
        }
        let authority = AmbientAuthority(purpose: "the worker's own controlling terminal, to give it up")
        let terminal: FileDescriptor
        do throws(Errno) {
            terminal = try authority.openFile("/dev/tty", flags: O_RDWR | O_NOCTTY)
        } catch {
            // ENXIO: this process has no controlling terminal; nothing to give up.
            if error.rawValue == ENXIO { return "process-group leader in the launcher's session, no controlling terminal" }
            throw HardeningFailure(step: name, errno: error, operation: "setsid() refused (process-group leader), then opening /dev/tty")
        }
        defer { try? terminal.close() }
        try check(name, "ioctl(/dev/tty, TIOCNOTTY) (process-group leader: setsid refused)", warden_tiocnotty(terminal.rawValue))
        return "process-group leader: gave up its controlling terminal (TIOCNOTTY)"
    }
}
