import WardenHardening
import WardenSystem

/// `warden seccomp groups` and `warden seccomp export`: what the worker's allowlist is made
/// of, and the generated filter itself for auditors.
public enum SeccompCommands {
    public static func groups(verbose: Bool) -> Int32 {
        let listing = SyscallGroups.listing()
        let width = listing.map(\.name.count).max() ?? 0
        for group in listing {
            print(group.name.padding(to: width) + "  " + group.description)
            if verbose { print(String(repeating: " ", count: width + 2) + group.syscalls.joined(separator: " ")) }
        }
        return 0
    }

    /// Prints the filter libseccomp generates for a worker (PFC, its pseudo-code), for the
    /// given violation action and socket grant, or for a per-connection zygote (`forking`).
    public static func export(errnoAction: Bool, sockets: Bool, forking: Bool = false) -> Int32 {
        var plan = HardeningPlan.SeccompPlan(violation: errnoAction ? .permissionDenied : .killProcess, socketsGranted: sockets)
        plan.forking = forking
        do throws(HardeningFailure) {
            try SeccompFilter(plan: plan).exportPFC(to: .standardOutput)
            return 0
        } catch {
            RunCommandCore.printError("warden: cannot build the seccomp filter: \(error.message)")
            return 1
        }
    }

    /// The group names a policy's worker carries (for `policy explain`).
    static func groupNames(sockets: Bool, forking: Bool = false, publishingCode: Bool = false) -> [String] {
        var plan = HardeningPlan.SeccompPlan(violation: .killProcess, socketsGranted: sockets)
        plan.forking = forking
        plan.publishingCode = publishingCode
        return SyscallGroups.groups(for: plan).map(\.name)
    }
}

extension String {
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
