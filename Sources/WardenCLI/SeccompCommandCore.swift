import WardenHardening
import WardenLauncher
import WardenPolicy
import WardenSystem

/// `warden seccomp groups` and `warden seccomp export`: what the worker's allowlist is made
/// of, and the generated filter itself for auditors.
public enum SeccompCommandCore {
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
            OperatorOutput.printError("warden: cannot build the seccomp filter: \(error.message)")
            return 1
        }
    }

    /// The group names a policy's worker carries (for `policy explain`): sockets when it is
    /// handed a TCP listener outside per-connection mode, forking in per-connection mode,
    /// exec-load on the wasmtime engine.
    static func groupNames(for policy: Policy) -> [String] {
        let forking = policy.service.mode == .perConnection
        let sockets = !forking && policy.service.listen.contains { if case .tcp = $0 { true } else { false } }
        var plan = HardeningPlan.SeccompPlan(violation: .killProcess, socketsGranted: sockets)
        plan.forking = forking
        plan.publishingCode = policy.engine.name == .wasmtime // @exec-load
        return SyscallGroups.groups(for: plan).map(\.name)
    }
}

extension String {
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
