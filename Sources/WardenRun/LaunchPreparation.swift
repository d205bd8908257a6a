import CWardenLinux
import Glibc
import WardenHardening
import WardenSystem

/// What the launcher prepares for the worker while the worker is being exec'd, so that it is
/// ready when the worker asks for its configuration instead of delaying its hardening:
/// - the worker's seccomp program, compiled by libseccomp as a template whose own-pid
///   comparisons are aimed at the worker once its pid is known;
/// - an empty network namespace (about 0.5 ms of kernel set-up), when warden runs as root,
///   which the worker joins instead of creating one.
///
/// It runs on the launcher's only thread, right after the spawn: the worker's exec and
/// runtime start-up (0.5-0.7 ms) happen on the other core meanwhile. A second launcher
/// thread doing this earlier was measured no faster: its page faults and the main thread's
/// contended for the process's memory map, stalling the module read by up to a millisecond.
struct LaunchPreparation {
    struct Results {
        var seccomp: Result<SeccompProgramTemplate, HardeningFailure>
        /// nil: the worker makes its own (not root, or the kernel refused one here).
        var networkNamespace: Result<FileDescriptor?, HardeningFailure>
    }

    private let seccompPlan: HardeningPlan.SeccompPlan
    private let wantsNetworkNamespace: Bool

    /// The preparation a worker run of `options` needs (nil for an in-process run).
    init?(for options: RunOptions) {
        guard options.useWorker else { return nil }
        seccompPlan = WorkerLauncher.seccompPlan(for: options)
        wantsNetworkNamespace = geteuid() == 0 && options.namespaces.contains("net") && !options.skippedSteps.contains("namespaces")
    }

    func prepare() -> Results {
        var namespace: Result<FileDescriptor?, HardeningFailure> = .success(nil)
        if wantsNetworkNamespace {
            let fd = warden_new_netns()
            if fd >= 0 {
                namespace = .success(FileDescriptor(rawValue: fd))
            } else if fd == -2 {
                namespace = .failure(HardeningFailure(step: .namespaces, errno: .current,
                                                      operation: "setns() back to warden's own network namespace"))
            }
            // -1: the worker creates its own namespace, as an unprivileged one does.
        }
        let seccomp: Result<SeccompProgramTemplate, HardeningFailure>
        do throws(HardeningFailure) { seccomp = .success(try SeccompFilter.template(plan: seccompPlan)) } catch { seccomp = .failure(error) }
        return Results(seccomp: seccomp, networkNamespace: namespace)
    }
}
