import ArgumentParser
import WardenLauncher

public struct PolicyCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check, explain and suggest changes to policy files (see warden.policy(5)).",
        subcommands: [Check.self, Explain.self, Suggest.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check policy files; print file:line:col diagnostics.",
            discussion: "Besides the policy's own rules, whether it can run on this host: its module file exists and its [sandbox] user is an account (errors, with the fix). Exit status: 0 when clean (warnings allowed), 1 on warnings with --strict, 2 on any error.")

        @Flag(help: "Treat warnings as failures (exit 1).")
        var strict = false

        @Flag(help: "Check the policy's own rules only, not this host's module file and account (reviewing policies for another machine).")
        var offline = false

        @Option(help: "Output format: text (compiler style) or json (for editors and CI).")
        var format: String = "text"

        @Argument(help: "Policy files.")
        var files: [String]

        func validate() throws {
            guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
            guard !files.isEmpty else { throw ValidationError("name at least one policy file") }
        }

        func run() throws {
            throw ExitCode(PolicyCommandCore.check(files, strict: strict, format: format == "json" ? .json : .text, offline: offline))
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Describe in plain language what a policy lets its module do.")

        @Argument(help: "A policy file.")
        var file: String

        func run() throws {
            throw ExitCode(PolicyCommandCore.explain(file))
        }
    }

    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose the smallest policy change that would have allowed the refusals in an audit log.",
            discussion: """
                Prints each suggestion ranked by risk on standard error and one unified diff against \
                the policy on standard output (apply it with patch(1) after reading it). Escape \
                attempts and system calls are never suggested; a grant that policy check would warn \
                about says so. Only events of the policy's own module count.
                """)

        @Option(name: .customLong("from"), help: ArgumentHelp("An audit log (JSON Lines; repeatable).", valueName: "AUDITLOG"))
        var logs: [String] = []

        @Option(name: .customLong("policy"), help: ArgumentHelp("The policy to change.", valueName: "FILE"))
        var policy: String

        func validate() throws {
            guard !logs.isEmpty else { throw ValidationError("name an audit log with --from") }
        }

        func run() throws {
            throw ExitCode(SuggestCommandCore.suggest(logs: logs, policyPath: policy))
        }
    }
}
