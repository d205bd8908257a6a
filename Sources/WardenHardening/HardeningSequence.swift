import Glibc
import WardenSystem

// The worker's self-hardening room. The worker runs `HardeningSequence.apply(plan)` as the
// first thing in `main`, while it still has exactly one thread (capabilities, Landlock and
// seccomp are per-thread), and touches untrusted input only after it returns. Only this room
// imports libseccomp (CSeccomp) and libcap (CCap).

/// One hardening step: a small, separately testable piece of the sequence.
public protocol HardeningStep: Sendable {
    var name: HardeningStepName { get }
    func apply(_ plan: HardeningPlan, _ context: inout HardeningContext) throws(HardeningFailure)
}

/// State the steps share while the sequence runs: the report they fill in and what one step
/// leaves for a later one.
public struct HardeningContext: Sendable {
    public internal(set) var report = HardeningReport()
    /// Set by the namespaces step when the worker is root and drops to a service identity:
    /// a user namespace's creator can map only its own uid (it loses CAP_SETUID over the
    /// parent the moment it enters), so root would map root. The capabilities step enters the
    /// user namespace right after the id change instead, mapping the service ids to themselves.
    var userNamespaceDeferred = false

    public init() {}
}

/// The DESIGN order. Each step assumes the ones before it ran: capabilities after the
/// namespaces (a new user namespace hands back a full set), the parent-death signal after the
/// id change (which clears it), Landlock after no_new_privs (which it requires), seccomp last
/// (so the steps before it may still use the calls it forbids).
public struct HardeningSequence: Sendable {
    public let steps: [any HardeningStep]

    public static let standardSteps: [any HardeningStep] = [
        DescriptorStep(), ResourceLimitStep(), NamespaceStep(), CapabilityStep(),
        ProcessAttributeStep(), LandlockStep(), SeccompStep(),
    ]

    public init() { steps = Self.standardSteps }

    /// The standard order without `skipped` steps: only for measuring what one layer costs
    /// (`warden run --debug-without`), never a production configuration. Descriptor hygiene
    /// always runs: the layout it establishes is what the rest of the worker relies on.
    public init(skipping skipped: [HardeningStepName]) {
        steps = Self.standardSteps.filter { $0.name == .descriptors || !skipped.contains($0.name) }
    }

    /// Applies every step in order; the first failure stops the sequence (a half-hardened
    /// worker must exit, never go on). Returns what is in force.
    public func apply(_ plan: HardeningPlan) throws(HardeningFailure) -> HardeningReport {
        var context = HardeningContext()
        for step in steps {
            let start = SystemClock.monotonicNow()
            try step.apply(plan, &context)
            context.report.stepTimes.append((step.name, start, SystemClock.monotonicNow()))
        }
        return context.report
    }

    /// `HardeningSequence().apply(plan)`, or on failure: the operator line on standard error
    /// (prefixed with `prefix`, e.g. `module "thumbnailer": `) and `_exit` with the step's
    /// status. For a worker's `main`, where nothing may run after a failed step.
    public static func applyOrExit(_ plan: HardeningPlan, messagePrefix prefix: String = "") -> HardeningReport {
        do throws(HardeningFailure) {
            return try HardeningSequence().apply(plan)
        } catch {
            try? FileDescriptor.standardError.writeAll(prefix + error.message + "\n")
            _exit(error.exitStatus)
        }
    }
}
