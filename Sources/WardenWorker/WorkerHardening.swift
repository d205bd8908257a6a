import WardenHardening
import WardenIPC
import WardenSystem

/// A hardening failure as the worker reports it: the step, the errno, a rendered line.
struct WorkerHardeningError: Error {
    var step: String
    var errno: Int32
    var message: String
}

/// Turns the launcher's settings into the hardening room's plan and applies it. The plan's
/// Landlock rules are the preopen descriptors at their fixed numbers.
enum WorkerHardening {
    static func plan(for configuration: WorkerConfiguration, networkNamespace: FileDescriptor?,
                     publishingCode: Bool, warm: WarmPreparation? = nil) throws(WorkerHardeningError) -> HardeningPlan {
        let settings = configuration.hardening
        let layoutEnd = DescriptorLayout.firstPreopen + Int32(configuration.preopens.count + configuration.listenerCount) - 1
        var namespaces: [HardeningPlan.Namespace] = []
        for name in settings.namespaces {
            guard let namespace = HardeningPlan.Namespace(rawValue: name) else {
                throw WorkerHardeningError(step: "configuration", errno: 22, message: "unknown namespace '\(name)'")
            }
            namespaces.append(namespace)
        }
        guard let landlockMode = HardeningPlan.LandlockPlan.Mode(rawValue: settings.landlock) else {
            throw WorkerHardeningError(step: "configuration", errno: 22, message: "unknown landlock mode '\(settings.landlock)'")
        }
        let rules = configuration.preopens.enumerated().map { index, preopen in
            HardeningPlan.LandlockPlan.Rule(descriptor: FileDescriptor(rawValue: DescriptorLayout.firstPreopen + Int32(index)),
                                            readWrite: preopen.readWrite)
        }
        var seccomp = HardeningPlan.SeccompPlan.worker(onViolation: settings.onSyscallViolation,
                                                       socketsGranted: configuration.listenerCount > 0,
                                                       reportViolations: settings.reportViolations,
                                                       excludedGroups: settings.excludedSyscallGroups,
                                                       forking: configuration.perConnection != nil,
                                                       publishingCode: publishingCode)
        seccomp.program = settings.seccompProgram ?? warm?.program(for: seccomp)
        let identity: HardeningPlan.Identity? = settings.uid.flatMap { uid in settings.gid.map { HardeningPlan.Identity(uid: uid, gid: $0) } }
        var plan = HardeningPlan(
            highestDescriptor: max(layoutEnd, DescriptorLayout.module),
            limits: .init(coreBytes: 0, openFiles: settings.openFiles, fileSizeBytes: settings.fileSizeBytes, cpuSeconds: settings.cpuSeconds),
            namespaces: namespaces, namespacesRequired: settings.namespacesRequired,
            identity: identity,
            landlock: .init(mode: landlockMode, rules: rules),
            seccomp: seccomp,
            parentDeathSignal: 9,
            expectedParentPID: settings.launcherPID > 0 ? settings.launcherPID : nil)
        plan.networkNamespace = networkNamespace
        return plan
    }

    /// Applies the plan; returns one line per layer for the launcher (`applied landlock: ABI 7`),
    /// when each step ended, for `--timings`, and for an engine that publishes code the exec
    /// lock's program (built now: exporting it needs memfd_create, which the allowlist refuses).
    static func apply(_ configuration: WorkerConfiguration, networkNamespace: FileDescriptor?, control: ControlChannel,
                      publishingCode: Bool, warm: WarmPreparation? = nil) throws(WorkerHardeningError)
        -> (layers: [String], stepEnds: [(name: String, time: UInt64)], execLock: [UInt8]?) {
        let plan = try plan(for: configuration, networkNamespace: networkNamespace, publishingCode: publishingCode, warm: warm)
        var execLock: [UInt8]?
        if publishingCode, let compiled = configuration.hardening.execLockProgram ?? warm?.execLock(for: plan.seccomp.violation) {
            execLock = compiled  // the launcher's, compiled while this worker was exec'd, or this warm worker's own
        } else if publishingCode {
            do throws(HardeningFailure) { execLock = try ExecLock.program(violation: plan.seccomp.violation) } catch {
                throw WorkerHardeningError(step: error.step.rawValue, errno: error.errno.rawValue, message: error.message)
            }
        }
        let skipped = configuration.hardening.skippedSteps.compactMap(HardeningStepName.init(rawValue:))
        let report: HardeningReport
        do throws(HardeningFailure) {
            report = try (skipped.isEmpty ? HardeningSequence() : HardeningSequence(skipping: skipped)).apply(plan)
        } catch {
            throw WorkerHardeningError(step: error.step.rawValue, errno: error.errno.rawValue, message: error.message)
        }
        if let listener = report.notificationListener {
            // From here on every refused call waits for the launcher's verdict: hand it over.
            // Fail closed: a listener nobody holds would turn every refusal into a silent ENOSYS.
            do throws(Errno) {
                try control.send(WorkerMessage.listener.encoded(), passing: listener)
            } catch {
                throw WorkerHardeningError(step: "seccomp", errno: error.rawValue,
                                           message: "hardening step seccomp failed: cannot hand the notification listener to the launcher: \(error)")
            }
            try? listener.close()
        }
        let layers = report.layers.map { "\($0.state == .applied ? "applied" : "not applied") \($0.name)\($0.detail.isEmpty ? "" : ": \($0.detail)")" }
        return (layers, report.stepTimes.map { ("hardening step \($0.step.rawValue)", $0.ended) }, execLock)
    }
}
