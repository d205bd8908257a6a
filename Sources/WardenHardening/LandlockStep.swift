import CWardenLinux
import Glibc
import WardenSystem

/// Step 6: Landlock. Rules are built from the preopen descriptors the worker already holds
/// (it never names a path), each read-only or read-write; every other file system access,
/// TCP bind/connect (ABI 4) and signals or abstract sockets reaching outside the sandbox
/// (ABI 6) are denied. This is the layer that still holds if our own beneath-resolution has a
/// bug: an `openat(preopen, "/etc/passwd")` passes seccomp (a real dirfd) but not Landlock.
///
/// `best-effort` goes on without Landlock only when the kernel lacks it (ENOSYS) or has it
/// disabled (EOPNOTSUPP), and says so in the report. A rule the kernel refuses (a descriptor
/// that is not a directory, or not a file system object) is a broken plan and fails in every
/// mode.
struct LandlockStep: HardeningStep {
    var name: HardeningStepName { .landlock }

    func apply(_ plan: HardeningPlan, _ context: inout HardeningContext) throws(HardeningFailure) {
        let landlock = plan.landlock
        if landlock.mode == .off {
            context.report.notApplied("landlock", "off by policy")
            return
        }
        let abi = Int(warden_landlock_abi())
        if abi < 0 {
            let error = Errno.current
            let unavailable = error.rawValue == ENOSYS || error.rawValue == EOPNOTSUPP
            if landlock.mode == .bestEffort && unavailable {
                context.report.notApplied("landlock", "kernel lacks Landlock (\(error.symbol))")
                return
            }
            throw HardeningFailure(step: name, errno: error, operation: "landlock_create_ruleset(VERSION)")
        }
        context.report.landlockABI = abi

        let ruleset = try check(name, "landlock_create_ruleset(ABI \(abi))",
                                warden_landlock_create_ruleset(LandlockAccess.handledFilesystem(abi: abi),
                                                               LandlockAccess.handledNetwork(abi: abi),
                                                               LandlockAccess.scoped(abi: abi), Int32(abi)))
        defer { try? FileDescriptor(rawValue: ruleset).close() }
        for rule in landlock.rules {
            let access = rule.readWrite ? LandlockAccess.readWrite(abi: abi) : LandlockAccess.readOnly(abi: abi)
            try check(name, "landlock_add_rule(\(rule.descriptor), \(rule.readWrite ? "read-write" : "read-only"))",
                      warden_landlock_add_path_beneath(ruleset, access, rule.descriptor.rawValue))
        }
        try check(name, "landlock_restrict_self()", warden_landlock_restrict_self(ruleset))

        let extras = (abi >= 4 ? ", no TCP bind/connect" : "") + (abi >= 6 ? ", signals and abstract sockets scoped" : "")
        let readWrite = landlock.rules.filter(\.readWrite).count
        context.report.applied("landlock", "ABI \(abi), \(landlock.rules.count) rules (\(readWrite) read-write)\(extras)")
    }
}
