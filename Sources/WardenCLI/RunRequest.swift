import WardenHardening
import WardenLauncher
import WardenPolicy

/// `warden run` as typed: every flag's raw value, before any meaning is given to it. Both
/// command-line parsers (swift-argument-parser's `Run`, and `RunCommandLine` on the start-up
/// path) produce one of these, and `resolve()` is the one place that turns it into a run.
public struct RunRequest: Equatable, Sendable {
    public var policy: String?
    public var directories: [String] = []
    public var readOnlyDirectories: [String] = []
    public var environment: [String] = []
    public var tcpListeners: [String] = []
    public var maxMemory: String?
    /// As typed: the policy rules judge it (`--fuel -5` names the flag and the range).
    public var fuel: String?
    public var wallTime: String?
    public var cpuTime: String?
    public var auditPath: String?
    /// `--audit-on-failure stop|continue`.
    public var auditOnFailure: String?
    public var noSandbox = false
    public var droppedGroups: [String] = []
    public var seccompAction: String?
    public var debugWithout: [String] = []
    public var user: String?
    public var timings = false
    /// `--engine NAME`.
    public var engine: String?
    /// `--artifact-cache DIR` and `--artifact FILE` (wasmtime only).
    public var artifactCache: String?
    public var artifactPath: String?
    /// `--warm auto|off|require`.
    public var warm: String?
    /// MODULE and ARGS as given (with --policy: the module arguments).
    public var rest: [String] = []
    /// Whether `--` appeared on the command line (with --policy, module arguments need it).
    public var separatorGiven = false

    public init() {}

    /// Hardening steps `--debug-without` may name (descriptor hygiene always runs).
    public static let skippableSteps = ["rlimits", "namespaces", "capabilities", "no-new-privs", "landlock", "seccomp", "wasi-read-only"]

    /// The run this request describes, and the warnings to print before it starts. Throws
    /// `.usage` for a command-line mistake (exit 64) and other cases for a failed launch (125).
    public func resolve() throws(RunError) -> (options: RunOptions, warnings: [String]) {
        let onFailure = try auditOnFailure.map { (text) throws(RunError) -> Policy.Audit.OnFailure in
            guard let action = Policy.Audit.OnFailure(rawValue: text) else { throw .usage("--audit-on-failure must be stop or continue") }
            return action
        }
        var options = try policy == nil ? fromFlags() : fromPolicy(policy!, auditOnFailure: onFailure)
        if policy == nil, let onFailure { options.auditOnFailure = onFailure }
        var warnings: [String] = []
        if noSandbox {
            options.useWorker = false
            warnings.append("warden: warning: --no-sandbox: the module runs inside the warden process without kernel confinement (debugging only)")
        }
        options.excludedSyscallGroups = try Self.syscallGroups(droppedGroups)
        for step in debugWithout {
            guard Self.skippableSteps.contains(step) else {
                throw .usage("--debug-without takes one of: \(Self.skippableSteps.joined(separator: ", "))")
            }
            warnings.append("warden: warning: --debug-without \(step): the worker runs without that layer (debugging only)")
        }
        options.skippedSteps = debugWithout
        if let seccompAction {
            guard ["kill", "errno"].contains(seccompAction) else { throw .usage("--seccomp-action must be kill or errno") }
            if policy != nil { throw .usage("--seccomp-action cannot be combined with --policy: the policy's [sandbox] on-syscall-violation applies") }
            options.onSyscallViolation = seccompAction
        }
        if let engine {
            guard ["wasmkit", "wasmtime"].contains(engine) else { throw .usage("--engine must be wasmkit or wasmtime") }
            if policy != nil && engine != options.engine {
                throw .usage("--engine cannot be combined with --policy: the policy's [engine] name (\(options.engine)) applies")
            }
            options.engine = engine
        }
        if options.engine != "wasmkit" && noSandbox {
            throw .usage("--no-sandbox runs the module in warden's own process, on WasmKit only; drop --engine \(options.engine)")
        }
        if artifactPath != nil || artifactCache != nil {
            guard options.engine == "wasmtime" else {
                throw .usage("--artifact and --artifact-cache are for the wasmtime engine (--engine wasmtime or [engine] name); WasmKit compiles nothing")
            }
            options.artifactPath = artifactPath
            options.artifactCache = artifactCache
        }
        if let warm {
            guard let use = WarmUse(rawValue: warm) else { throw .usage("--warm must be auto, off or require") }
            options.warm = use
        }
        options.controlSocket = ControlClient.socketPath(nil)
        if let user {
            // With a policy, another account narrows it; root never does.
            if policy != nil, user == "root", options.user != "root" {
                throw .usage("--user root cannot be combined with --policy whose [sandbox] user is '\(options.user ?? "")': flags may only narrow a policy")
            }
            options.user = user
        } else if policy == nil {
            // Flags as root: a transient identity, root only when asked for (--user root).
            options.transientIdentity = true
        }
        return (options, warnings)
    }

    /// Flags are a policy: grants, environment and limits are written into a policy document
    /// (`FlagPolicy`) and judged by the policy rules, so a flag is refused exactly when the key
    /// it stands for would be. Limits left unset take the policy defaults (memory, cpu-time,
    /// wall-time).
    private func fromFlags() throws(RunError) -> RunOptions {
        guard let module = rest.first, module != "--" else { throw .usage("missing MODULE (or --policy FILE)") }
        var options = RunOptions(modulePath: module)
        let arguments = Array(rest.dropFirst())
        options.arguments = arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
        options.environment = environment
        options.tcpListeners = tcpListeners
        options.auditPath = auditPath
        var document = FlagPolicy()
        for (flag, grants, readOnly) in [("--dir", directories, false), ("--ro-dir", readOnlyDirectories, true)] {
            for text in grants {
                let grant = try RunOptions.directoryGrant(text, readOnly: readOnly, flag: flag)
                options.directories.append(grant)
                document.grant(host: grant.host, guest: grant.guest, readOnly: readOnly, origin: "\(flag) '\(text)'")
            }
        }
        for entry in environment {
            let name = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            document.environment(name: String(name), value: "", origin: "--env '\(entry)'")
        }
        for (key, flag, text) in [("memory", "--max-memory", maxMemory), ("fuel", "--fuel", fuel),
                                  ("wall-time", "--wall-time", wallTime), ("cpu-time", "--cpu-time", cpuTime)] {
            if let text { document.limit(key, text: text, origin: "\(flag) '\(text)'") }
        }
        if let user { document.user(user, origin: "--user '\(user)'") }
        let policy: Policy
        switch document.validate() {
        case .success(let valid): policy = valid
        case .failure(let refusal): throw .usage(refusal.messages.joined(separator: "\nwarden: "))
        }
        // The policy's normalized guest paths ("/out/" → "/out"), in the same order.
        for index in options.directories.indices { options.directories[index].guest = policy.preopens[index].guest }
        options.maxMemoryBytes = policy.limits.memory
        options.fuel = policy.limits.fuel == 0 ? nil : policy.limits.fuel
        options.wallTime = policy.limits.wallTime
        options.cpuTime = policy.limits.cpuTime
        return options
    }

    /// `--seccomp-drop-group`: a group `warden seccomp groups` lists, with or without its '@'.
    static func syscallGroups(_ names: [String]) throws(RunError) -> [String] {
        guard !names.isEmpty else { return [] }
        let known = SyscallGroups.all.map(\.name)
        return try names.map { (name) throws(RunError) -> String in
            let spelled = name.hasPrefix("@") ? name : "@" + name
            guard known.contains(spelled) else {
                throw .usage("--seccomp-drop-group '\(name)': unknown syscall group; 'warden seccomp groups' lists them: \(known.joined(separator: ", "))")
            }
            return spelled
        }
    }

    private func fromPolicy(_ path: String, auditOnFailure: Policy.Audit.OnFailure?) throws(RunError) -> RunOptions {
        var narrowing = RunOptions.Narrowing()
        if !directories.isEmpty { narrowing.grantFlagsGiven.append("--dir") }
        if !readOnlyDirectories.isEmpty { narrowing.grantFlagsGiven.append("--ro-dir") }
        if !environment.isEmpty { narrowing.grantFlagsGiven.append("--env") }
        if !tcpListeners.isEmpty { narrowing.grantFlagsGiven.append("--tcplisten") }
        if let first = rest.first, !separatorGiven {
            throw .usage("with --policy the module comes from the policy; put module arguments after '--' (got '\(first)')")
        }
        narrowing.extraArguments = Array(rest.first == "--" ? rest.dropFirst() : rest[...])
        if let fuel {
            guard let value = UInt64(fuel) else { throw .usage("--fuel '\(fuel)': expected a whole number of instructions, 0 or more") }
            narrowing.fuel = value
        }
        narrowing.auditPath = auditPath
        narrowing.auditOnFailure = auditOnFailure
        if let maxMemory { narrowing.maxMemoryBytes = try RunOptions.size(maxMemory) }
        for (flag, text) in [("--wall-time", wallTime), ("--cpu-time", cpuTime)] {
            guard let text else { continue }
            guard let duration = Units.duration(text) else {
                throw .usage("\(flag) '\(text)': invalid duration (examples: 500ms, 30s, 5m, 1h)")
            }
            if flag == "--wall-time" { narrowing.wallTime = duration } else { narrowing.cpuTime = duration }
        }
        return try RunOptions.from(policyFile: path, narrowing: narrowing)
    }
}
