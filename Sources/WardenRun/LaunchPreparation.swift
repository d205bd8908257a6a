import CWardenLinux
import Glibc
import WardenHardening
import WardenSystem

/// Work the launcher does on a second thread while its main thread reads the module, opens
/// the grants and spawns the worker, so that none of it delays the worker's hardening:
/// - the worker's seccomp program, compiled by libseccomp (about 0.4 ms) as a template whose
///   own-pid comparisons are aimed at the worker once its pid is known;
/// - an empty network namespace (about 0.5 ms of kernel set-up), when warden runs as root,
///   which the worker joins instead of creating one.
/// The thread touches nothing but its own results until `finish()` joins it.
final class LaunchPreparation: @unchecked Sendable {  // handed to the thread; read only after pthread_join
    struct Results {
        var seccomp: Result<SeccompProgramTemplate, HardeningFailure>
        var networkNamespace: FileDescriptor?
    }

    private let seccompPlan: HardeningPlan.SeccompPlan
    private let wantsNetworkNamespace: Bool
    private var results: Results?
    private var thread: pthread_t?

    /// Starts preparing for a worker run of `options` (nil for an in-process run).
    init?(for options: RunOptions) {
        guard options.useWorker else { return nil }
        seccompPlan = WorkerLauncher.seccompPlan(for: options)
        wantsNetworkNamespace = geteuid() == 0 && options.namespaces.contains("net") && !options.skippedSteps.contains("namespaces")
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        guard pthread_create(&thread, nil, { context in
            let preparation = Unmanaged<LaunchPreparation>.fromOpaque(context!).takeRetainedValue()
            preparation.results = preparation.prepare()
            return nil
        }, context) == 0 else {
            Unmanaged<LaunchPreparation>.fromOpaque(context).release()
            results = prepare()  // no thread: do it inline rather than not at all
            return
        }
        self.thread = thread
    }

    private func prepare() -> Results {
        var namespace: FileDescriptor?
        if wantsNetworkNamespace {
            let fd = warden_new_netns_for_thread()
            // On failure the worker creates its own namespace, as an unprivileged one does.
            if fd >= 0 { namespace = FileDescriptor(rawValue: fd) }
        }
        let seccomp: Result<SeccompProgramTemplate, HardeningFailure>
        do throws(HardeningFailure) { seccomp = .success(try SeccompFilter.template(plan: seccompPlan)) } catch { seccomp = .failure(error) }
        return Results(seccomp: seccomp, networkNamespace: namespace)
    }

    /// Waits for the thread; call once.
    func finish() -> Results {
        if let thread {
            pthread_join(thread, nil)
            self.thread = nil
        }
        return results!
    }
}
