import ArgumentParser
import WardenRun

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a WASI command module (.wasm or .wat), from flags or from a policy file.",
        usage: """
            warden run [--dir HOST[::GUEST]]... [--ro-dir HOST[::GUEST]]... [--env KEY=VALUE]... MODULE [ARGS...]
            warden run --policy FILE [--max-memory SIZE] [--fuel N] [--audit FILE] [-- ARGS...]
            """,
        discussion: """
            Every path the module uses resolves beneath a granted directory; '..' past it, absolute \
            paths and symlinks leading out are refused with ENOTCAPABLE and reported as one JSON \
            line on stderr (or in --audit FILE).

            With --policy, the module, its grants and limits come from the policy file. Command-line \
            flags may only narrow a policy, never widen it: --dir, --ro-dir, --env and --tcplisten are \
            refused, and --max-memory and --fuel may only lower the policy's limits. ARGS after '--' \
            are appended to the policy's args.

            Exit status: the module's exit code; 134 if it trapped; 128+N if it raised fatal \
            signal N; 124 if it ran past its wall-time limit, 152 past its cpu-time limit; 125 if \
            warden could not start it (unreadable, invalid or mis-pinned module, invalid policy, \
            missing directory); 64 on a usage error.
            """)

    @Option(name: .customLong("policy"), help: ArgumentHelp("Run the module this policy file names, with exactly its grants.", valueName: "FILE"))
    var policy: String?

    @Option(name: .customLong("dir"), help: ArgumentHelp("Grant HOST read-write, visible to the module as GUEST (default: HOST).", valueName: "HOST[::GUEST]"))
    var directories: [String] = []

    @Option(name: .customLong("ro-dir"), help: ArgumentHelp("Grant HOST read-only, visible as GUEST (default: HOST).", valueName: "HOST[::GUEST]"))
    var readOnlyDirectories: [String] = []

    @Option(name: .customLong("env"), help: ArgumentHelp("Set KEY=VALUE in the module's environment (KEY alone passes the host's value).", valueName: "KEY=VALUE"))
    var environment: [String] = []

    @Option(name: .customLong("tcplisten"), help: ArgumentHelp("Listen on HOST:PORT and hand the socket to the module (fd 3 onwards, before directories).", valueName: "HOST:PORT"))
    var tcpListeners: [String] = []

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Cap linear memory (default 256MiB; e.g. 64MiB, 4GiB); growth past it fails.", valueName: "SIZE"))
    var maxMemory: String?

    @Option(name: .customLong("fuel"), help: ArgumentHelp("Trap after about N executed instructions.", valueName: "N"))
    var fuel: UInt64?

    @Option(name: .customLong("audit"), help: ArgumentHelp("Append audit events (JSON Lines) to FILE instead of stderr.", valueName: "FILE"))
    var auditPath: String?

    @Flag(name: .customLong("no-sandbox"), help: "Debugging only: run the module inside the warden process, without the hardened worker (no seccomp, Landlock, namespaces or dropped capabilities).")
    var noSandbox = false

    @Option(name: .customLong("seccomp-drop-group"), help: ArgumentHelp("Leave a syscall group out of the worker's allowlist (narrowing only; see 'warden seccomp groups').", valueName: "GROUP"))
    var droppedGroups: [String] = []

    @Option(name: .customLong("seccomp-action"), help: ArgumentHelp("What a refused system call does without a policy: kill (default) or errno.", valueName: "ACTION"))
    var seccompAction: String?

    @Option(name: .customLong("debug-without"), help: ArgumentHelp("Debugging and cost measurement only: skip one hardening step (rlimits, namespaces, capabilities, no-new-privs, landlock, seccomp). Warden warns every time.", valueName: "STEP"))
    var debugWithout: [String] = []

    @Option(name: .customLong("user"), help: ArgumentHelp("When started as root, run the worker as this account (default: keep the invoking identity, every capability dropped).", valueName: "NAME"))
    var user: String?

    @Argument(help: ArgumentHelp("The module (.wasm binary or .wat text); not with --policy.", valueName: "MODULE"))
    var module: String?

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments for the module (with --policy: after '--').", valueName: "ARGS"))
    var arguments: [String] = []

    /// MODULE and ARGS as given; with --policy all of them are module arguments.
    var rest: [String] { (module.map { [$0] } ?? []) + arguments }

    mutating func run() throws {
        let options: RunOptions
        do throws(RunError) {
            options = try policy == nil ? fromFlags() : fromPolicy(policy!)
        } catch {
            switch error {
            case .usage(let message): throw ValidationError(message)
            default:
                RunCommandCore.printError("warden: \(error)")
                throw ExitCode(RunCommandCore.ExitStatus.launchFailure)
            }
        }
        var chosen = options
        if noSandbox {
            chosen.useWorker = false
            RunCommandCore.printError("warden: warning: --no-sandbox: the module runs inside the warden process without kernel confinement (debugging only)")
        }
        chosen.excludedSyscallGroups = droppedGroups
        let steps = ["rlimits", "namespaces", "capabilities", "no-new-privs", "landlock", "seccomp"]
        for step in debugWithout {
            guard steps.contains(step) else { throw ValidationError("--debug-without takes one of: \(steps.joined(separator: ", "))") }
            RunCommandCore.printError("warden: warning: --debug-without \(step): the worker runs without that layer (debugging only)")
        }
        chosen.skippedSteps = debugWithout
        if let seccompAction {
            guard ["kill", "errno"].contains(seccompAction) else { throw ValidationError("--seccomp-action must be kill or errno") }
            if policy != nil { throw ValidationError("--seccomp-action cannot be combined with --policy: the policy's [sandbox] on-syscall-violation applies") }
            chosen.onSyscallViolation = seccompAction
        }
        if let user {
            if policy != nil { throw ValidationError("--user cannot be combined with --policy: the policy's [sandbox] user applies") }
            chosen.user = user
        }
        throw ExitCode(RunCommandCore.run(chosen))
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
        if let first = rest.first, !CommandLine.arguments.contains("--") {
            throw .usage("with --policy the module comes from the policy; put module arguments after '--' (got '\(first)')")
        }
        narrowing.extraArguments = Array(rest.first == "--" ? rest.dropFirst() : rest[...])
        narrowing.fuel = fuel
        narrowing.auditPath = auditPath
        if let maxMemory { narrowing.maxMemoryBytes = try RunOptions.size(maxMemory) }
        return try RunOptions.from(policyFile: path, narrowing: narrowing)
    }
}
