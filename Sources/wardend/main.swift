import ArgumentParser
import WardenSupervisor
import WardenSystem

/// `wardend`: the supervisor. Argument parsing here; everything else in WardenSupervisor.
@main
struct Wardend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wardend",
        abstract: "Run the WebAssembly modules of a policy directory as services (once, daemon, per-connection).",
        discussion: "See wardend(8) and warden.policy(5). SIGTERM drains and exits 0; SIGHUP reloads the directory.",
        version: WardenVersion.string)

    /// As swift-argument-parser's `main`, with warden's prefix style: "wardend: ..." rather
    /// than "Error: ...".
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand { try await asynchronous.run() } else { try command.run() }
        } catch {
            let code = exitCode(for: error)
            let text = fullMessage(for: error)
            if !text.isEmpty {
                let prefixed = text.hasPrefix("Error: ") ? "wardend: " + text.dropFirst("Error: ".count) : text
                try? (code == .success ? FileDescriptor.standardOutput : FileDescriptor.standardError).writeAll(prefixed + "\n")
            }
            ProcessControl.exit(code.rawValue)
        }
    }

    @Option(name: .long, help: "The directory of policies (*.toml).")
    var policies = "/etc/warden/policies.d"

    @Option(name: .long, help: "The control socket for 'warden status|reload|restart|stop'.")
    var controlSocket = "/run/warden/wardend.sock"

    @Option(name: .long, help: "A group whose members may use the control socket besides root.")
    var controlGroup: String?

    @Option(name: .long, help: "How long SIGTERM lets instances finish, e.g. 10s.")
    var gracePeriod = "10s"

    @Option(name: .long, help: "The first restart delay after a failure (doubles each time), e.g. 100ms.")
    var restartDelay = "100ms"

    @Option(name: .long, help: "The longest restart delay.")
    var restartDelayMax = "30s"

    @Option(name: .long, help: "Starts allowed within --start-limit-interval before a module is marked failed.")
    var startLimitBurst = 5

    @Option(name: .long, help: "The window of the start limit.")
    var startLimitInterval = "10s"

    @Option(name: .long, help: "The warden-worker executable (default: next to wardend).")
    var worker: String?

    @Option(name: .long, help: ArgumentHelp("Keep N workers of ENGINE exec'd and idle for 'warden run' (as root) to borrow, e.g. wasmtime=2. Repeatable.", valueName: "ENGINE=N"))
    var warm: [String] = []

    func run() async throws {
        var options = SupervisorOptions(workerPath: worker ?? SupervisorOptions.besideExecutable("warden-worker"))
        options.policyDirectory = policies
        options.controlSocket = controlSocket
        options.controlGroup = controlGroup
        options.gracePeriod = try Self.duration(gracePeriod, "--grace-period")
        options.restartDelay = try Self.duration(restartDelay, "--restart-delay")
        options.restartDelayMaximum = try Self.duration(restartDelayMax, "--restart-delay-max")
        options.startLimitBurst = startLimitBurst
        options.startLimitInterval = try Self.duration(startLimitInterval, "--start-limit-interval")
        options.warm = try Self.warmTargets(warm)
        throw ExitCode(await Supervisor.run(options))
    }

    /// "wasmtime=2" → ["wasmtime": 2]; an engine named twice takes the last count.
    static func warmTargets(_ specs: [String]) throws -> [String: Int] {
        var targets: [String: Int] = [:]
        for spec in specs {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["wasmkit", "wasmtime"].contains(parts[0]), let count = Int(parts[1]), (0...64).contains(count) else {
                throw ValidationError("--warm: '\(spec)' is not ENGINE=N (engine wasmkit or wasmtime, N from 0 to 64)")
            }
            targets[parts[0]] = count
        }
        return targets
    }

    static func duration(_ text: String, _ flag: String) throws -> Duration {
        guard let value = SupervisorOptions.duration(text) else { throw ValidationError("\(flag): invalid duration '\(text)' (e.g. 500ms, 10s, 1m)") }
        return value
    }
}
