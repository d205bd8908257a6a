import WardenHardening
import WardenSystem
import WardenWASI

/// What a warm worker (`warden-worker --warm ENGINE`, spawned by wardend and idle until a run
/// borrows it) prepares while it waits, so that no run waits for it: what its engine makes
/// first (wasmtime: the engine itself), the seccomp program of a run with default settings on
/// its engine, aimed at its own pid; for an engine that publishes code, the exec lock's
/// program; and, as root, an empty network namespace to join. A run
/// whose plan differs gets its own program compiled, as in any worker; an unused namespace is
/// closed before hardening.
struct WarmPreparation {
    let seccompPlan: HardeningPlan.SeccompPlan
    let seccompProgram: [UInt8]?
    let execLock: [UInt8]?
    private(set) var networkNamespace: FileDescriptor?

    init(engine: any GuestEngine) {
        let publishingCode = engine.publishesCode
        engine.prepareWhileIdle()
        seccompPlan = .warmDefault(publishingCode: publishingCode)
        seccompProgram = try? SeccompFilter.template(plan: seccompPlan).program(forProcess: ProcessControl.currentID)
        execLock = publishingCode ? try? ExecLock.program(violation: seccompPlan.violation) : nil
        // A namespace only root can make; without one the namespaces step makes its own.
        networkNamespace = ProcessControl.effectiveUserID == 0 ? (try? NetworkNamespaceJob().take()) ?? nil : nil
    }

    /// The program for `plan`, if it is the one prepared.
    func program(for plan: HardeningPlan.SeccompPlan) -> [UInt8]? {
        var rules = plan
        rules.program = nil
        return rules == seccompPlan ? seccompProgram : nil
    }

    /// The exec lock for `violation`, if it is the one prepared.
    func execLock(for violation: HardeningPlan.ViolationAction) -> [UInt8]? {
        violation == seccompPlan.violation ? execLock : nil
    }

    /// The namespace, for a run that wants one and brought none; closed otherwise.
    mutating func takeNetworkNamespace(wanted: Bool) -> FileDescriptor? {
        defer { networkNamespace = nil }
        if wanted { return networkNamespace }
        try? networkNamespace?.close()
        return nil
    }
}
