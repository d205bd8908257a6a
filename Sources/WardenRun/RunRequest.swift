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
    public var fuel: UInt64?
    public var auditPath: String?
    public var noSandbox = false
    public var droppedGroups: [String] = []
    public var seccompAction: String?
    public var debugWithout: [String] = []
    public var user: String?
    public var timings = false
    /// `--engine NAME`.
    public var engine: String?
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
        var options = try policy == nil ? fromFlags() : fromPolicy(policy!)
        var warnings: [String] = []
        if noSandbox {
            options.useWorker = false
            warnings.append("warden: warning: --no-sandbox: the module runs inside the warden process without kernel confinement (debugging only)")
        }
        options.excludedSyscallGroups = droppedGroups
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
        if let user {
            if policy != nil { throw .usage("--user cannot be combined with --policy: the policy's [sandbox] user applies") }
            options.user = user
        }
        return (options, warnings)
    }

    private func fromFlags() throws(RunError) -> RunOptions {
        guard let module = rest.first, module != "--" else { throw .usage("missing MODULE (or --policy FILE)") }
        var options = RunOptions(modulePath: module)
        let arguments = Array(rest.dropFirst())
        options.arguments = arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
        options.environment = environment
        options.tcpListeners = tcpListeners
        options.fuel = fuel
        options.auditPath = auditPath
        for grant in directories { options.directories.append(try RunOptions.directoryGrant(grant, readOnly: false)) }
        for grant in readOnlyDirectories { options.directories.append(try RunOptions.directoryGrant(grant, readOnly: true)) }
        if let maxMemory { options.maxMemoryBytes = try RunOptions.size(maxMemory) }
        return options
    }

    private func fromPolicy(_ path: String) throws(RunError) -> RunOptions {
        var narrowing = RunOptions.Narrowing()
        if !directories.isEmpty { narrowing.grantFlagsGiven.append("--dir") }
        if !readOnlyDirectories.isEmpty { narrowing.grantFlagsGiven.append("--ro-dir") }
        if !environment.isEmpty { narrowing.grantFlagsGiven.append("--env") }
        if !tcpListeners.isEmpty { narrowing.grantFlagsGiven.append("--tcplisten") }
        if let first = rest.first, !separatorGiven {
            throw .usage("with --policy the module comes from the policy; put module arguments after '--' (got '\(first)')")
        }
        narrowing.extraArguments = Array(rest.first == "--" ? rest.dropFirst() : rest[...])
        narrowing.fuel = fuel
        narrowing.auditPath = auditPath
        if let maxMemory { narrowing.maxMemoryBytes = try RunOptions.size(maxMemory) }
        return try RunOptions.from(policyFile: path, narrowing: narrowing)
    }
}
