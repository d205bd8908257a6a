// Glibc for types only: pid_t
import Glibc
import WardenPolicy
import WardenLauncher
import WardenSystem

/// One module as the supervisor runs it: its policy, its worker, and what `warden status`
/// reports. Owned by the reactor thread.
final class ModuleRuntime {
    enum State: Equatable {
        /// Spawned, hardening, not yet ready.
        case starting
        case running
        /// Waiting to restart at this CLOCK_MONOTONIC time.
        case backingOff(until: UInt64)
        /// A `once` module finished, or `restart` said not to start it again.
        case exited
        /// The start limit was hit or it cannot start; left stopped until `warden restart`.
        case failed(String)
        /// Stopped by `warden stop` (or being stopped for a restart or reload).
        case stopped
        /// SIGTERM: finishing what it was doing.
        case draining

        var name: String {
            switch self {
            case .starting: "starting"
            case .running: "running"
            case .backingOff: "restarting"
            case .exited: "exited"
            case .failed: "failed"
            case .stopped: "stopped"
            case .draining: "draining"
            }
        }
    }

    /// A per-connection instance the zygote forked.
    struct Instance {
        let pidfd: FileDescriptor
        let startedAt: UInt64
        /// Sent SIGKILL for its connection-wall-time; waiting for it to go.
        var killed = false
    }

    let name: String
    var file: String
    var policy: Policy
    /// SHA-256 of the policy file's text, stamped on every audit event of this version.
    var policyDigest: String?
    var prepared: PreparedModule?
    var worker: WorkerProcess?
    var state: State = .stopped
    var throttle: RestartThrottle
    var restarts = 0
    var lastExit: String?
    var lastExitCode: Int32?
    /// Audit events counted for versions no longer prepared.
    var earlierDenials = 0
    var instances: [pid_t: Instance] = [:]
    /// Instances ended for their connection-wall-time whose end is not yet reported.
    var wallTimeKilled: Set<pid_t> = []
    /// Connections handed to the zygote that it has not yet reported as started.
    var handoffs = 0
    var connectionsServed = 0
    var connectionsRefused = 0
    /// A policy to switch to once the running worker is gone (reload, restart).
    var pending: (file: String, policy: Policy, digest: String?)?
    /// Restart when the worker is gone (reload, `warden restart`) instead of applying `restart`.
    var restartWhenGone = false
    /// When a stop must have ended the worker (SIGKILL then).
    var stopDeadline: UInt64?
    var lastLayers: [String] = []
    /// The sockets of `listen`, from the pool.
    var listenSockets: [FileDescriptor] = []
    /// accept() failed for want of descriptors or memory: not polled again before this.
    var acceptPausedUntil: UInt64?
    /// accept() failures in a row (the first is logged, the recovery says how many).
    var acceptFailures = 0
    /// Its policy was removed: forget it once the worker is gone.
    var removeWhenGone = false
    /// When the current worker became ready (uptime).
    var startedAt: UInt64?
    var listenAddresses: [String] { policy.service.listen.map(\.description) }

    init(file: String, policy: Policy, policyDigest: String?, options: SupervisorOptions) {
        name = policy.module.name
        self.file = file
        self.policy = policy
        self.policyDigest = policyDigest
        throttle = RestartThrottle(options)
    }

    var mode: Policy.Service.Mode { policy.service.mode }
    var denials: Int { earlierDenials + (prepared?.auditor.refusalCount ?? 0) }
    var liveConnections: Int { instances.count + handoffs }
}
