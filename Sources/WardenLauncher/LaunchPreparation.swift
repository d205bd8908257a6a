import WardenHardening
import WardenSystem

/// What the launcher prepares for the worker, so that it is ready when the worker asks for
/// its configuration instead of delaying its hardening:
/// - an empty network namespace, when warden runs as root, which the worker joins instead of
///   creating one. The kernel takes 0.5-0.8 ms to set one up, so it is started as soon as
///   the launch begins, on a short-lived C thread that does nothing else
///   (`warden_netns_begin`). Measured end to end, this beat making it on the main thread
///   after the spawn by 0.35 ms (8%), and a Swift thread that also compiled the seccomp
///   program by more: that one page-faulted and grew the heap, and its contention for the
///   memory map stalled the main thread's module read by up to 1 ms;
/// - the worker's seccomp program, compiled by libseccomp on the main thread right after
///   the spawn (while the worker is being exec'd) as a template whose own-pid comparisons
///   are then aimed at the worker's pid; for an engine that publishes code, the exec lock's
///   program too (0.1 ms the worker no longer spends between its configuration and hardening).
final class LaunchPreparation {
    struct Results {
        var seccomp: Result<SeccompProgramTemplate, HardeningFailure>
        /// nil: the engine publishes no code, so no exec lock.
        var execLock: Result<[UInt8]?, HardeningFailure>
        /// nil: the worker makes its own (not root, or the kernel refused one here).
        var networkNamespace: Result<FileDescriptor?, HardeningFailure>
    }

    private let seccompPlan: HardeningPlan.SeccompPlan
    private let wantsNetworkNamespace: Bool
    private var namespaceJob: NetworkNamespaceJob?

    /// Starts preparing for a worker run of `options` (nil for an in-process run). When a warm
    /// worker is likely (`WarmUse.likely`) the namespace is not started: a warm worker made its
    /// own while idle, and a run that falls back to spawning starts it in `prepare`, still
    /// while its worker is exec'd.
    init?(for options: RunOptions) {
        guard options.useWorker else { return nil }
        seccompPlan = WorkerLauncher.seccompPlan(for: options)
        wantsNetworkNamespace = ProcessControl.effectiveUserID == 0 && options.namespaces.contains("net") && !options.skippedSteps.contains("namespaces")
        if wantsNetworkNamespace && !WarmUse.likely(options) { namespaceJob = NetworkNamespaceJob() }
    }

    /// For a warm worker: the seccomp program and exec lock, unless the worker prepared the
    /// same ones while idle (a default run); nil members mean "the worker has them".
    func forWarmWorker(pid: Int32) throws(HardeningFailure) -> (seccomp: [UInt8]?, execLock: [UInt8]?) {
        guard seccompPlan != .warmDefault(publishingCode: seccompPlan.publishingCode) else { return (nil, nil) }
        let program = try SeccompFilter.template(plan: seccompPlan).program(forProcess: pid)
        return (program, seccompPlan.publishingCode ? try ExecLock.program(violation: seccompPlan.violation) : nil)
    }

    /// Compiles the seccomp template and collects the namespace; call once.
    func prepare() -> Results {
        if wantsNetworkNamespace && namespaceJob == nil { namespaceJob = NetworkNamespaceJob() }
        let seccomp: Result<SeccompProgramTemplate, HardeningFailure>
        do throws(HardeningFailure) { seccomp = .success(try SeccompFilter.template(plan: seccompPlan)) } catch { seccomp = .failure(error) }
        let execLock: Result<[UInt8]?, HardeningFailure>
        if seccompPlan.publishingCode {
            do throws(HardeningFailure) { execLock = .success(try ExecLock.program(violation: seccompPlan.violation)) } catch { execLock = .failure(error) }
        } else {
            execLock = .success(nil)
        }
        return Results(seccomp: seccomp, execLock: execLock, networkNamespace: takeNetworkNamespace())
    }

    private func takeNetworkNamespace() -> Result<FileDescriptor?, HardeningFailure> {
        guard wantsNetworkNamespace, let job = namespaceJob else { return .success(nil) }
        namespaceJob = nil
        do throws(Errno) {
            // nil: the worker creates its own namespace, as an unprivileged one does.
            return .success(try job.take())
        } catch {
            return .failure(HardeningFailure(step: .namespaces, errno: error,
                                             operation: "setns() back to warden's own network namespace"))
        }
    }
}
