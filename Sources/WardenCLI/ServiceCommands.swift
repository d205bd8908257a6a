import ArgumentParser
import WardenLauncher

/// Options every control-socket command shares.
struct ControlSocketOption: ParsableArguments {
    @Option(name: .long, help: "wardend's control socket (default: $WARDEN_CONTROL_SOCKET or /run/warden/wardend.sock).")
    var socket: String?
}

public struct StatusCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show wardend's modules: state, mode, pids, uptime, restarts, last exit, connections, denials, kernel layers and limits.")
    @OptionGroup var control: ControlSocketOption
    @Flag(help: "Print JSON.") var json = false
    public func run() throws { throw ExitCode(ControlClient.run(json ? "status --json" : "status", socket: ControlClient.socketPath(control.socket))) }
}

public struct ReloadCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make wardend re-read its policy directory (as SIGHUP); rejected policies are listed and their running versions kept.")
    @OptionGroup var control: ControlSocketOption
    public func run() throws { throw ExitCode(ControlClient.run("reload", socket: ControlClient.socketPath(control.socket))) }
}

/// `warden start|stop|restart MODULE`.
struct ModuleControlCommand: ParsableArguments {
    @OptionGroup var control: ControlSocketOption
    @Argument(help: "The module's name ([module] name).") var module: String
    func send(_ verb: String) -> Int32 { ControlClient.run("\(verb) \(module)", socket: ControlClient.socketPath(control.socket)) }
}

public struct RestartCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart a module (clears a failed module's start limit).")
    @OptionGroup var target: ModuleControlCommand
    public func run() throws { throw ExitCode(target.send("restart")) }
}

public struct StopCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a module and keep it stopped (per-connection: live connections finish first).")
    @OptionGroup var target: ModuleControlCommand
    public func run() throws { throw ExitCode(target.send("stop")) }
}

public struct StartCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a stopped, exited or failed module.")
    @OptionGroup var target: ModuleControlCommand
    public func run() throws { throw ExitCode(target.send("start")) }
}
