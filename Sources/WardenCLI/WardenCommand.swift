import ArgumentParser
import WardenLauncher
import WardenSystem

/// `warden`: the root command and its subcommands.
public struct WardenCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "Run untrusted WebAssembly (WASI preview1) modules with exactly the capabilities you grant.",
        discussion: "See warden(1), warden.policy(5) and warden.audit(5). Nothing is granted by default: no directories, no environment, no network.",
        version: WardenCommand.version,
        subcommands: [Run.self, Learn.self, CompileCommand.self, CacheCommand.self, PolicyCommand.self, SeccompCommand.self, AuditCommand.self, StatusCommand.self,
                      ReloadCommand.self, StartCommand.self, StopCommand.self, RestartCommand.self])

    public static let version = WardenVersion.string

    public init() {}

    /// As swift-argument-parser's `main`, with one prefix style: its "Error: ..." lines read
    /// "warden: ...", as every other message warden prints (a usage error still shows the
    /// usage of the subcommand it belongs to, and exits 64).
    public static func main() {
        var command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(with: error, as: Self.self) }
        // A usage error found by a subcommand's run() comes with that subcommand's usage (the
        // root's fullMessage would show the top-level one).
        do { try command.run() } catch { exit(with: error, as: type(of: command)) }
        ProcessControl.exit(0)
    }

    static func exit(with error: any Error, as command: any ParsableCommand.Type) -> Never {
        let code = command.exitCode(for: error)
        var text = command.fullMessage(for: error)
        // A subcommand's own message says "See 'run --help'": the command is `warden run`.
        if command != Self.self, let see = text.firstRange(of: "See '"), !text[see.upperBound...].hasPrefix("warden ") {
            text.insert(contentsOf: "warden ", at: see.upperBound)
        }
        if code == .success {
            if !text.isEmpty { try? FileDescriptor.standardOutput.writeAll(text + "\n") }
        } else if !text.isEmpty {
            OperatorOutput.printError(prefixed(text, "warden"))
        }
        ProcessControl.exit(code.rawValue)
    }

    /// "Error: x" → "warden: x" (the rest of the message, usage included, unchanged).
    public static func prefixed(_ text: String, _ program: String) -> String {
        text.hasPrefix("Error: ") ? program + ": " + text.dropFirst("Error: ".count) : text
    }
}
