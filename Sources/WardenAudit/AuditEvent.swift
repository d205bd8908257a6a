/// One audit event: who (module, instance, pid, policy digest), when, and what was refused or
/// happened. Every event carries the same envelope; `kind` says which layer spoke. The JSON
/// form (`jsonLine()`, schema version 1) is documented in warden.audit(5); readers ignore
/// fields they do not know, so fields may be added without a new version.
public struct AuditEvent: Sendable, Equatable {
    /// The schema version written in `"v"`. Only an incompatible change raises it.
    public static let schemaVersion = 1

    public var version: Int = AuditEvent.schemaVersion
    public var time: AuditTime
    /// The module's name (a policy's `name`, else the module file name).
    public var module: String
    /// One run of the module (a worker), unique per host in practice: 16 random hex digits.
    public var instance: String
    /// The process the event is about (the worker), or nil when there was none yet.
    public var pid: Int32?
    /// sha256 (hex) of the policy file the module runs under; nil for a run from flags.
    public var policyDigest: String?
    public var kind: Kind

    public init(time: AuditTime, module: String, instance: String, pid: Int32?, policyDigest: String?, kind: Kind) {
        self.time = time
        self.module = module
        self.instance = instance
        self.pid = pid
        self.policyDigest = policyDigest
        self.kind = kind
    }

    public enum Kind: Sendable, Equatable {
        /// The WASI layer refused a guest call.
        case wasi(WASIRefusal)
        /// The seccomp allowlist refused a system call (reported from the notification listener).
        case seccomp(SyscallRefusal)
        /// The kernel (Landlock) refused a file operation the WASI layer had allowed: a
        /// defense-in-depth catch, and a sign of a gap in the layer above.
        case landlock(LandlockRefusal)
        /// A resource limit was reached (memory growth refused, fuel, cpu-time, wall-time, output).
        case limit(LimitReached)
        /// A policy refused to start or reload (digest mismatch, invalid policy).
        case policy(PolicyRefusal)
        /// The module started, exited, was restarted or crashed.
        case lifecycle(LifecycleChange)
        /// A summary of refusals the rate limiter held back: exact counts, never silence.
        case suppressed(Suppression)
        /// A layer this reader does not know (a newer writer): kept so filters and `--json`
        /// still pass it through.
        case other(layer: String, action: String, fields: [String: String])
    }
}

/// The layers an event can come from, as written in `"layer"`.
public enum AuditLayer: String, Sendable, CaseIterable {
    case wasi, seccomp, landlock, limit, policy, lifecycle
}

public struct WASIRefusal: Sendable, Equatable {
    /// The WASI function, e.g. `path_open`.
    public var operation: String
    public var fd: UInt32?
    /// The guest path of the preopen the call went through.
    public var preopen: String?
    /// The guest's own path string (host paths never appear).
    public var path: String?
    /// `escape-attempt`, `read-only`, `no-preopen`, `rights`, `absolute-symlink`, `resource-limit`.
    public var reason: String
    /// The WASI errno returned to the guest (witx spelling, e.g. `notcapable`).
    public var errno: String

    public init(operation: String, fd: UInt32? = nil, preopen: String? = nil, path: String? = nil, reason: String, errno: String) {
        self.operation = operation
        self.fd = fd
        self.preopen = preopen
        self.path = path
        self.reason = reason
        self.errno = errno
    }
}

public struct SyscallRefusal: Sendable, Equatable {
    public enum Action: String, Sendable { case denied, killed }
    public static let reason = "not-in-allowlist"
    public var syscall: String
    public var number: Int32
    public var arguments: [UInt64]
    public var action: Action
    /// The host errno the call failed with (`EPERM`), when the action is `denied`.
    public var errno: String?

    public init(syscall: String, number: Int32, arguments: [UInt64], action: Action, errno: String?) {
        self.syscall = syscall
        self.number = number
        self.arguments = arguments
        self.action = action
        self.errno = errno
    }
}

public struct LandlockRefusal: Sendable, Equatable {
    public static let reason = "kernel-refused"
    public var operation: String
    public var fd: UInt32?
    public var preopen: String?
    public var path: String?
    /// The host errno the kernel answered (`EACCES` or `EPERM`).
    public var errno: String

    public init(operation: String, fd: UInt32? = nil, preopen: String? = nil, path: String? = nil, errno: String) {
        self.operation = operation
        self.fd = fd
        self.preopen = preopen
        self.path = path
        self.errno = errno
    }
}

public struct LimitReached: Sendable, Equatable {
    public enum Limit: String, Sendable, CaseIterable {
        case memory, fuel, cpuTime = "cpu-time", wallTime = "wall-time", output
        /// wardend, per-connection mode: one instance ran past `connection-wall-time`.
        case connectionWallTime = "connection-wall-time"
    }
    public enum Action: String, Sendable {
        /// The request failed and the module went on (memory.grow returned -1, a write was cut).
        case refused
        /// The module was ended.
        case killed
    }
    public var limit: Limit
    public var action: Action
    /// The limit as configured, e.g. `64MiB`, `30s`, `1000000`.
    public var value: String
    /// What the module asked for, when that is known (bytes of memory, for example).
    public var requested: String?

    public init(limit: Limit, action: Action, value: String, requested: String? = nil) {
        self.limit = limit
        self.action = action
        self.value = value
        self.requested = requested
    }
}

public struct PolicyRefusal: Sendable, Equatable {
    public enum Reason: String, Sendable { case digestMismatch = "digest-mismatch", invalidPolicy = "invalid-policy" }
    public var reason: Reason
    /// The policy file, as named to warden.
    public var file: String?
    public var expected: String?
    public var actual: String?
    /// The policy's error diagnostics (`file:line:col: error: ...`).
    public var diagnostics: [String]

    public init(reason: Reason, file: String? = nil, expected: String? = nil, actual: String? = nil, diagnostics: [String] = []) {
        self.reason = reason
        self.file = file
        self.expected = expected
        self.actual = actual
        self.diagnostics = diagnostics
    }
}

public struct LifecycleChange: Sendable, Equatable {
    public enum Change: String, Sendable {
        case started, exited, restarted, crashed
        /// Warden ended the module because its audit events could no longer be written
        /// (`[audit] on-failure = "stop"`); `detail` names the error.
        case auditFailed = "audit-failed"
        /// The audit sink takes events again after losing `lost` of them
        /// (`on-failure = "continue"`); `detail` names the error and since when.
        case auditLost = "audit-lost"
        /// wardend will not start the module again until `warden restart`: it reached its
        /// start limit; `detail` names the limit.
        case startLimit = "start-limit"
    }
    public var change: Change
    /// The exit status warden reports for the module (exited, crashed).
    public var status: Int32?
    /// The signal that ended the worker (crashed).
    public var signal: Int32?
    /// One line of explanation (a trap reason, a restart cause).
    public var detail: String?
    /// Events that could not be written (audit-lost).
    public var lost: UInt64?

    public init(_ change: Change, status: Int32? = nil, signal: Int32? = nil, detail: String? = nil, lost: UInt64? = nil) {
        self.change = change
        self.status = status
        self.signal = signal
        self.detail = detail
        self.lost = lost
    }
}

/// Refusals the rate limiter held back since `since`, counted per reason and operation.
public struct Suppression: Sendable, Equatable {
    public struct Count: Sendable, Equatable {
        public var reason: String
        public var operation: String
        public var count: UInt64
        public init(reason: String, operation: String, count: UInt64) {
            self.reason = reason
            self.operation = operation
            self.count = count
        }
    }
    /// The layer of every suppressed event this summary counts.
    public var layer: String
    public var since: AuditTime
    public var counts: [Count]
    public var total: UInt64 { counts.reduce(0) { $0 + $1.count } }

    public init(layer: String, since: AuditTime, counts: [Count]) {
        self.layer = layer
        self.since = since
        self.counts = counts
    }
}
