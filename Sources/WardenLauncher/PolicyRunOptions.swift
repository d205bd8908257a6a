import WardenPolicy

extension RunOptions {
    /// What `warden run --policy` may still say on the command line. Flags may only narrow a
    /// policy: a grant flag is refused outright, a limit flag must not exceed the policy's.
    public struct Narrowing: Sendable {
        public var grantFlagsGiven: [String] = []
        public var maxMemoryBytes: Int?
        public var fuel: UInt64?
        public var wallTime: Duration?
        public var cpuTime: Duration?
        public var auditPath: String?
        /// `--audit-on-failure`: may make a policy's `continue` a `stop`, never the reverse.
        public var auditOnFailure: Policy.Audit.OnFailure?
        public var extraArguments: [String] = []
        public init() {}
    }

    /// The run a policy describes, narrowed by `narrowing`.
    public static func from(policy: Policy, narrowing: Narrowing) throws(RunError) -> RunOptions {
        if let flag = narrowing.grantFlagsGiven.first {
            throw .usage("\(flag) cannot be combined with --policy: command-line flags may only narrow a policy, never widen it")
        }
        var options = RunOptions(modulePath: policy.module.path)
        options.moduleName = policy.module.name
        options.sha256 = policy.module.sha256
        options.arguments = policy.module.args + narrowing.extraArguments
        options.environment = policy.module.env.map { "\($0.name)=\($0.value)" }
        options.directories = policy.preopens.map {
            DirectoryGrant(host: $0.host, guest: $0.guest, readOnly: $0.access == .read)
        }
        options.maxMemoryBytes = policy.limits.memory
        if let requested = narrowing.maxMemoryBytes {
            guard requested <= policy.limits.memory else {
                throw .usage("--max-memory \(Units.format(size: requested)) exceeds the policy's memory limit \(Units.format(size: policy.limits.memory)); flags may only narrow a policy")
            }
            options.maxMemoryBytes = requested
        }
        options.engine = policy.engine.name.rawValue
        options.fuel = policy.limits.fuel == 0 ? nil : policy.limits.fuel
        if let requested = narrowing.fuel {
            if let allowed = options.fuel, requested > allowed {
                throw .usage("--fuel \(requested) exceeds the policy's fuel limit \(allowed); flags may only narrow a policy")
            }
            options.fuel = requested
        }
        options.maxOpenDescriptors = policy.limits.openFiles
        options.wallTime = policy.limits.wallTime
        options.cpuTime = policy.limits.cpuTime
        for (flag, requested, allowed) in [("--wall-time", narrowing.wallTime, policy.limits.wallTime),
                                           ("--cpu-time", narrowing.cpuTime, policy.limits.cpuTime)] {
            guard let requested else { continue }
            guard requested <= allowed else {
                throw .usage("\(flag) \(Units.format(duration: requested)) exceeds the policy's \(flag.dropFirst(2)) limit \(Units.format(duration: allowed)); flags may only narrow a policy")
            }
            if flag == "--wall-time" { options.wallTime = requested } else { options.cpuTime = requested }
        }
        options.stdinNull = policy.stdio.stdin == .null
        options.stdoutNull = policy.stdio.stdout == .null
        options.stderrNull = policy.stdio.stderr == .null
        options.auditPath = narrowing.auditPath ?? policy.audit.log
        options.auditRateLimit = policy.audit.rateLimit
        options.auditSync = policy.audit.fsync
        options.auditOnFailure = policy.audit.onFailure
        if let requested = narrowing.auditOnFailure {
            guard requested == .stop || policy.audit.onFailure == .continue else {
                throw .usage("--audit-on-failure continue would widen the policy's [audit] on-failure = \"stop\"; flags may only narrow a policy")
            }
            options.auditOnFailure = requested
        }
        options.user = policy.sandbox.user
        options.namespaces = policy.sandbox.namespaces.map(\.rawValue)
        options.namespacesRequired = policy.sandbox.namespacesRequired
        options.landlock = policy.sandbox.landlock.rawValue
        options.onSyscallViolation = policy.sandbox.onSyscallViolation.rawValue
        for listen in policy.service.listen {
            // `warden run` hands TCP listeners to the module itself; the supervisor owns the
            // per-connection model and the other address kinds.
            if case .tcp(let host, let port) = listen, policy.service.mode != .perConnection {
                options.tcpListeners.append("\(host):\(port)")
            }
        }
        return options
    }
}

extension RunOptions {
    /// Loads and validates a policy file, then applies `narrowing`. An invalid policy is a
    /// launch failure carrying every error diagnostic.
    public static func from(policyFile path: String, narrowing: Narrowing) throws(RunError) -> RunOptions {
        let (text, result) = PolicyFile.load(path)
        guard let policy = result.policy else {
            let errors = result.diagnostics.filter { $0.severity == .error }.map(\.description)
            throw .invalidPolicy(path: path, diagnostics: errors)
        }
        var options = try from(policy: policy, narrowing: narrowing)
        options.policyPath = path
        options.policyDigest = text.map(PolicyFile.digest)
        return options
    }
}
