import CWardenLinux
import Glibc
import WardenSystem

/// Step 2: resource limits. Core dumps off (a dump would write guest memory and our own to
/// disk), and caps on descriptors, memory, file size and CPU so a hostile module exhausts its
/// own budget, not the host's. Soft = hard, so the module cannot raise them back; without
/// CAP_SYS_RESOURCE a hard limit can only go down, which is also why a plan asking for more
/// than the inherited hard limit fails here instead of silently running with less.
struct ResourceLimitStep: HardeningStep {
    var name: HardeningStepName { .rlimits }

    func apply(_ plan: HardeningPlan, _ context: inout HardeningContext) throws(HardeningFailure) {
        let limits = plan.limits
        var set: [String] = []
        func apply(_ resource: __rlimit_resource, _ label: String, _ value: UInt64?, hardSlack: UInt64 = 0) throws(HardeningFailure) {
            guard let value else { return }
            var limit = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value == UInt64.max ? value : value &+ hardSlack))
            try check(name, "setrlimit(\(label), \(value))", setrlimit(resource, &limit))
            set.append("\(label.dropFirst(7).lowercased())=\(value)")
        }
        try apply(RLIMIT_CORE, "RLIMIT_CORE", limits.coreBytes)
        try apply(RLIMIT_NOFILE, "RLIMIT_NOFILE", limits.openFiles)
        try apply(RLIMIT_AS, "RLIMIT_AS", limits.addressSpaceBytes)
        try apply(RLIMIT_DATA, "RLIMIT_DATA", limits.dataBytes)
        try apply(RLIMIT_FSIZE, "RLIMIT_FSIZE", limits.fileSizeBytes)
        // One second between SIGXCPU (soft) and SIGKILL (hard): the launcher's SIGXCPU handler
        // reports the cpu-time limit before the kernel ends the process without a word.
        try apply(RLIMIT_CPU, "RLIMIT_CPU", limits.cpuSeconds, hardSlack: 1)
        if limits.fileSizeBytes != nil {
            // Past RLIMIT_FSIZE the kernel sends SIGXFSZ, whose default action kills the worker
            // with no report; ignored, the write fails with EFBIG and the guest sees an errno.
            try check(name, "sigaction(SIGXFSZ, SIG_IGN)", warden_ignore_sigxfsz())
        }
        context.report.applied("rlimits", set.joinedDirectly(separator: " "))
    }
}
