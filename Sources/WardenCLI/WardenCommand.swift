import ArgumentParser

/// `warden`: the root command and its subcommands.
public struct WardenCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "Run untrusted WebAssembly (WASI preview1) modules with exactly the capabilities you grant.",
        discussion: "See warden(1), warden.policy(5) and warden.audit(5). Nothing is granted by default: no directories, no environment, no network.",
        version: WardenCommand.version,
        subcommands: [Run.self, Learn.self, PolicyCommand.self, SeccompCommand.self, AuditCommand.self, StatusCommand.self,
                      ReloadCommand.self, StartCommand.self, StopCommand.self, RestartCommand.self])

    public static let version = "0.1.0"

    public init() {}
}
