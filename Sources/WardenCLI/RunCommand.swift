import ArgumentParser
import WardenLauncher

public struct Run: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Run a WASI command module (.wasm or .wat), from flags or from a policy file.",
        usage: """
            warden run [--dir HOST[::GUEST]]... [--ro-dir HOST[::GUEST]]... [--env KEY=VALUE]... MODULE [ARGS...]
            warden run --policy FILE [--max-memory SIZE] [--fuel N] [--wall-time D] [--cpu-time D] [--user NAME] [--audit FILE] [--audit-on-failure stop] [-- ARGS...]
            """,
        discussion: """
            Every path the module uses resolves beneath a granted directory; '..' past it, absolute \
            paths and symlinks leading out are refused with ENOTCAPABLE and reported as one JSON \
            line on stderr (or in --audit FILE).

            Without --policy, the flags are a policy: each grant, environment name and limit is \
            judged by the rules of warden.policy(5) (absolute guest paths, never nested or granted \
            twice; valid environment names; memory between 64KiB and 4GiB), and limits not given \
            take the policy defaults (256MiB, cpu-time 30s, wall-time 60s).

            With --policy, the module, its grants and limits come from the policy file. Command-line \
            flags may only narrow a policy, never widen it: --dir, --ro-dir, --env and --tcplisten are \
            refused, and --max-memory, --fuel, --wall-time and --cpu-time may only lower the policy's limits. ARGS after '--' \
            are appended to the policy's args.

            Exit status: the module's exit code; 134 if it trapped; 128+N if it raised fatal \
            signal N; 124 if it ran past its wall-time limit, 152 past its cpu-time limit; 125 if \
            warden could not start it (unreadable, invalid or mis-pinned module, invalid policy, \
            missing directory); 123 if warden ended it because its audit events could no longer be \
            written (--audit-on-failure stop, the default); 64 on a usage error.
            """)

    @Option(name: .customLong("policy"), help: ArgumentHelp("Run the module this policy file names, with exactly its grants.", valueName: "FILE"))
    var policy: String?

    @Option(name: .customLong("dir"), help: ArgumentHelp("Grant HOST read-write, visible to the module as GUEST (an absolute path; default: HOST when HOST is absolute).", valueName: "HOST[::GUEST]"))
    var directories: [String] = []

    @Option(name: .customLong("ro-dir"), help: ArgumentHelp("Grant HOST read-only, visible as GUEST (as for --dir).", valueName: "HOST[::GUEST]"))
    var readOnlyDirectories: [String] = []

    @Option(name: .customLong("env"), help: ArgumentHelp("Set KEY=VALUE in the module's environment (KEY alone passes the host's value).", valueName: "KEY=VALUE"))
    var environment: [String] = []

    @Option(name: .customLong("tcplisten"), help: ArgumentHelp("Listen on HOST:PORT and hand the socket to the module (fd 3 onwards, before directories).", valueName: "HOST:PORT"))
    var tcpListeners: [String] = []

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Cap linear memory (default 256MiB; 64KiB to 4GiB, e.g. 64MiB); growth past it fails.", valueName: "SIZE"))
    var maxMemory: String?

    @Option(name: .customLong("fuel"), parsing: .unconditional, help: ArgumentHelp("Trap after about N executed instructions (0: unmetered, the default).", valueName: "N"))
    var fuel: String?

    @Option(name: .customLong("wall-time"), help: ArgumentHelp("End the run after this much wall-clock time (default 60s; e.g. 500ms, 30s, 5m, 1h); exit 124.", valueName: "DURATION"))
    var wallTime: String?

    @Option(name: .customLong("cpu-time"), help: ArgumentHelp("End the run after this much CPU time (default 30s; RLIMIT_CPU, whole seconds); exit 152.", valueName: "DURATION"))
    var cpuTime: String?

    @Option(name: .customLong("audit"), help: ArgumentHelp("Append audit events (JSON Lines) to FILE instead of stderr.", valueName: "FILE"))
    var auditPath: String?

    @Option(name: .customLong("audit-on-failure"), help: ArgumentHelp("When audit events can no longer be written (a full disk, EIO): stop (default) ends the module; continue runs on and writes how many were lost once writing works again.", valueName: "ACTION"))
    var auditOnFailure: String?

    @Flag(name: .customLong("no-sandbox"), help: "Debugging only: run the module inside the warden process, without the hardened worker (no seccomp, Landlock, namespaces or dropped capabilities).")
    var noSandbox = false

    @Option(name: .customLong("seccomp-drop-group"), help: ArgumentHelp("Leave a syscall group out of the worker's allowlist (narrowing only; see 'warden seccomp groups').", valueName: "GROUP"))
    var droppedGroups: [String] = []

    @Option(name: .customLong("seccomp-action"), help: ArgumentHelp("What a refused system call does without a policy: kill (default) or errno.", valueName: "ACTION"))
    var seccompAction: String?

    @Option(name: .customLong("debug-without"), help: ArgumentHelp("Debugging and cost measurement only: skip one hardening step (rlimits, namespaces, capabilities, no-new-privs, landlock, seccomp), or wasi-read-only (the WASI layer lets writes through read-only grants, to check that Landlock catches them). Warden warns every time.", valueName: "STEP"))
    var debugWithout: [String] = []

    @Option(name: .customLong("user"), help: ArgumentHelp("When started as root, run the worker as this account (default: keep the invoking identity, every capability dropped).", valueName: "NAME"))
    var user: String?

    @Option(name: .customLong("engine"), help: ArgumentHelp("Run on wasmkit (default: interpreter, no executable memory) or wasmtime (Cranelift: compiled code, locked once loaded).", valueName: "NAME"))
    var engine: String?

    @Option(name: .customLong("artifact-cache"), help: ArgumentHelp("On wasmtime: the compiled-artifact cache (default: $WARDEN_ARTIFACT_CACHE, else /var/cache/warden; 'off': the worker compiles).", valueName: "DIR"))
    var artifactCache: String?

    @Option(name: .customLong("artifact"), help: ArgumentHelp("On wasmtime: load this artifact ('warden compile -o FILE') instead of compiling; refused unless compiled from this module with this run's settings.", valueName: "FILE"))
    var artifact: String?

    @Option(name: .customLong("warm"), help: ArgumentHelp("As root: borrow a worker wardend keeps exec'd (wardend --warm ENGINE=N): auto (default: when wardend has one, else start one), off, or require. wardend's socket: $WARDEN_CONTROL_SOCKET, else /run/warden/wardend.sock.", valueName: "MODE"))
    var warm: String?

    @Argument(help: ArgumentHelp("The module (.wasm binary or .wat text); not with --policy.", valueName: "MODULE"))
    var module: String?

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments for the module (with --policy: after '--').", valueName: "ARGS"))
    var arguments: [String] = []

    @Flag(name: .customLong("timings"), help: "Print where start-up time went (launcher, each hardening step, module load) on stderr when the run ends.")
    var timings = false

    /// The command line as typed, for the one resolver both parsers share. `commandLine` is
    /// the whole argv (the parsed properties cannot tell whether `--` was given).
    public func request(commandLine: [String] = CommandLine.arguments) -> RunRequest {
        var request = RunRequest()
        request.policy = policy
        request.directories = directories
        request.readOnlyDirectories = readOnlyDirectories
        request.environment = environment
        request.tcpListeners = tcpListeners
        request.maxMemory = maxMemory
        request.fuel = fuel
        request.wallTime = wallTime
        request.cpuTime = cpuTime
        request.auditPath = auditPath
        request.auditOnFailure = auditOnFailure
        request.noSandbox = noSandbox
        request.droppedGroups = droppedGroups
        request.seccompAction = seccompAction
        request.debugWithout = debugWithout
        request.user = user
        request.timings = timings
        request.engine = engine
        request.artifactCache = artifactCache
        request.artifactPath = artifact
        request.warm = warm
        request.rest = (module.map { [$0] } ?? []) + arguments
        request.separatorGiven = commandLine.contains("--")
        return request
    }

    public init() {}

    public mutating func run() throws {
        let resolved: (options: RunOptions, warnings: [String])
        do throws(RunError) {
            resolved = try request().resolve()
        } catch {
            if case .usage(let message) = error { throw ValidationError(message) }
            if case .invalidPolicy(let path, let diagnostics) = error {
                RunAuditor.reportInvalidPolicy(path: path, diagnostics: diagnostics, auditPath: auditPath)
            }
            OperatorOutput.printError("warden: \(error)")
            throw ExitCode(ExitStatus.launchFailure)
        }
        for warning in resolved.warnings { OperatorOutput.printError(warning) }
        var options = resolved.options
        if timings { options.timeline = StartupTimeline() }
        throw ExitCode(OneShotRun.run(options))
    }
}
