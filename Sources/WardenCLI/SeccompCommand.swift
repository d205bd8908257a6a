import ArgumentParser
import WardenLauncher

public struct SeccompCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "seccomp",
        abstract: "Show the worker's seccomp allowlist.",
        subcommands: [Groups.self, Export.self])

    struct Groups: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the named syscall groups with a description each.")
        @Flag(name: .shortAndLong, help: "Also list each group's system calls.")
        var verbose = false
        func run() throws { throw ExitCode(SeccompCommandCore.groups(verbose: verbose)) }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the generated filter as libseccomp PFC, for auditors.")
        @Option(help: "The action on a violation: kill or errno (as [sandbox] on-syscall-violation).")
        var action: String = "kill"
        @Flag(help: "Include the @sockets group (a module granted listening sockets).")
        var sockets = false
        @Flag(help: "The filter of a per-connection zygote: @zygote, and kill/tgkill left to the launcher's self-signal check.")
        var perConnection = false
        func validate() throws {
            guard ["kill", "errno"].contains(action) else { throw ValidationError("--action must be kill or errno") }
        }
        func run() throws { throw ExitCode(SeccompCommandCore.export(errnoAction: action == "errno", sockets: sockets, forking: perConnection)) }
    }
}
