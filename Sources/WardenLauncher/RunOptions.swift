import WardenAuthoring
import WardenPolicy

/// What `warden run` was asked to grant, as parsed from the command line.
public struct RunOptions {
    public struct DirectoryGrant: Sendable, Equatable {
        public var host: String
        public var guest: String
        public var readOnly: Bool
        public init(host: String, guest: String, readOnly: Bool) {
            self.host = host
            self.guest = guest
            self.readOnly = readOnly
        }
    }

    public var modulePath: String
    public var arguments: [String] = []
    public var directories: [DirectoryGrant] = []
    /// "KEY=VALUE" entries, or "KEY" to pass the host's value through.
    public var environment: [String] = []
    public var tcpListeners: [String] = []
    /// Linear memory ceiling; finite by default, as a policy's is.
    public var maxMemoryBytes: Int? = RunOptions.defaultMaxMemory
    public static let defaultMaxMemory = 256 << 20
    public var fuel: UInt64?
    /// `wasmkit` (default) or `wasmtime` (`[engine] name`, `--engine`).
    public var engine = "wasmkit"
    /// The artifact cache directory (`--artifact-cache`; nil: `ArtifactCache.configuredPath`)
    /// and a compiled artifact to run instead (`--artifact FILE`). wasmtime only.
    public var artifactCache: String?
    public var artifactPath: String?
    /// Whether to borrow a warm worker from wardend (`--warm`), and wardend's control socket.
    public var warm = WarmUse.auto
    public var controlSocket = "/run/warden/wardend.sock"
    public var auditPath: String?
    /// Guest descriptor bound (`open-files`).
    public var maxOpenDescriptors: Int = 1024
    /// Deadlines: wall clock (the launcher ends the run) and CPU time (RLIMIT_CPU).
    public var wallTime: Duration?
    public var cpuTime: Duration?
    public var stdinNull = false
    public var stdoutNull = false
    public var stderrNull = false
    /// The module's standard output goes to warden's standard error (`warden learn` prints
    /// the policy on standard output).
    public var stdoutToStderr = false
    /// A `sha256 =` pin from a policy: the module file must hash to exactly this.
    public var sha256: String?
    /// Run in a separate hardened `warden-worker` process (experimental while the worker
    /// issue lands; the default is still in-process).
    public var useWorker = true
    /// The service account the worker drops to when warden runs as root (a policy's
    /// `[sandbox] user`, or `--user`); nil keeps the invoking identity, capabilities dropped.
    public var user: String?
    /// A flag run started as root without `--user`: the worker runs as a transient uid and
    /// gid of its own (`WorkerLauncher.transientIdentity`), never as root.
    public var transientIdentity = false
    /// Kernel layers, as a policy's `[sandbox]` asks for them.
    public var namespaces: [String] = ["user", "mount", "net", "ipc", "uts"]
    public var namespacesRequired = false
    public var landlock: String = "best-effort"
    public var onSyscallViolation: String = "kill"
    /// Seccomp groups to leave out of the worker's allowlist (narrowing; for audits and tests).
    public var excludedSyscallGroups: [String] = []
    /// Hardening steps left out, for debugging and measuring a layer's cost only.
    public var skippedSteps: [String] = []
    /// `warden learn`: the worker reports every allowed access and its usage here.
    public var learner: AccessLearner?
    /// `--timings`: print where start-up time went (stderr) when the run ends.
    public var timeline: StartupTimeline?
    /// The module's name for audit events and messages (a policy's `name`, else the file name).
    public var moduleName: String?
    /// The guest's argv[0] when it is not the module file's name (warden-oci passes the
    /// container's `process.args[0]`; the module itself is read through /proc/self/fd).
    public var programName: String?
    /// Also send audit events to the systemd journal when it runs (warden-oci).
    public var auditJournal = false
    /// sha256 (hex) of the policy file, stamped on every audit event; nil for a run from flags.
    public var policyDigest: String?
    /// The policy file as named on the command line (for policy audit events).
    public var policyPath: String?
    /// Audit events per second before the rest are summarized (`[audit] rate-limit`).
    public var auditRateLimit = 100
    /// fdatasync the audit file after every event (`[audit] fsync`).
    public var auditSync = false
    /// When audit events can no longer be written: end the module (the default) or run on and
    /// count the loss (`[audit] on-failure`, `--audit-on-failure`).
    public var auditOnFailure: Policy.Audit.OnFailure = .stop

    public init(modulePath: String) { self.modulePath = modulePath }

    /// `HOST[::GUEST]`: the guest path defaults to the host path, as in wasmtime.
    /// A relative HOST needs an explicit GUEST: guest paths are absolute, as in a policy.
    public static func directoryGrant(_ text: String, readOnly: Bool, flag: String = "--dir") throws(RunError) -> DirectoryGrant {
        let parts = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let host = parts[0], guest = parts.count > 1 ? parts[1] : parts[0]
        guard !host.isEmpty else { throw .usage("\(flag) '\(text)': empty host directory") }
        guard !guest.isEmpty else { throw .usage("\(flag) '\(text)': empty guest path") }
        guard parts.count > 1 || host.hasPrefix("/") else {
            throw .usage("\(flag) '\(text)': a relative host directory needs an absolute guest path (\(flag) \(host)::/\(host.split(separator: "/").last ?? "data"))")
        }
        guard !guest.utf8.contains(0) else { throw .usage("\(flag) '\(text)': guest path contains a NUL byte") }
        return DirectoryGrant(host: host, guest: guest, readOnly: readOnly)
    }

    /// Sizes like `64MiB`, `1GiB`, `512KiB`, `65536` (bytes), as policies spell them
    /// (`Units.size`); the short `k`/`K`/`M`/`G` forms mean the same binary units.
    public static func size(_ text: String) throws(RunError) -> Int {
        let binary: [Character: String] = ["k": "KiB", "K": "KiB", "M": "MiB", "G": "GiB"]
        let spelled = text.last.flatMap { binary[$0] }.map { String(text.dropLast()) + $0 } ?? text
        guard let bytes = Units.size(spelled) ?? Units.size(spelled + "B") else {
            throw .usage("invalid size '\(text)' (examples: 65536, 64MiB, 1GiB)")
        }
        return bytes
    }
}

/// Why `warden run` could not start the guest; rendered as one line for the operator.
public enum RunError: Error, CustomStringConvertible, Sendable {
    case usage(String)
    case module(path: String, reason: String)
    case grant(String)
    /// The policy file has errors (their diagnostics); nothing was started.
    case invalidPolicy(path: String, diagnostics: [String])

    public var description: String {
        switch self {
        case .usage(let message): message
        case .module(let path, let reason): "\(path): \(reason)"
        case .grant(let message): message
        case .invalidPolicy(let path, let diagnostics):
            "invalid policy (run 'warden policy check \(path)'):\n" + diagnostics.joined(separator: "\n")
        }
    }
}
