import ArgumentParser
import WardenAudit
import WardenLauncher

/// The filter options `warden audit` and `warden audit summary` share.
struct AuditFilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this module (repeatable).", valueName: "NAME"))
    var module: [String] = []

    @Option(help: ArgumentHelp("Only events at or after TIME: RFC 3339 (2026-11-21T14:00:00Z), a date (UTC), or an age (90s, 15m, 2h, 7d).", valueName: "TIME"))
    var since: String?

    @Option(help: ArgumentHelp("Only events at or before TIME (same forms as --since).", valueName: "TIME"))
    var until: String?

    @Option(help: ArgumentHelp("Only this layer: wasi, seccomp, landlock, limit, policy, lifecycle (repeatable).", valueName: "LAYER"))
    var layer: [String] = []

    @Option(help: ArgumentHelp("Only this reason, e.g. escape-attempt, read-only (repeatable).", valueName: "REASON"))
    var reason: [String] = []

    @Option(name: .customLong("op"), help: ArgumentHelp("Only this operation: a WASI function, system call or limit (repeatable).", valueName: "OP"))
    var operation: [String] = []

    @Option(help: ArgumentHelp("Only guest paths matching this shell pattern (repeatable; '*' also matches '/').", valueName: "PATTERN"))
    var path: [String] = []

    @Argument(help: ArgumentHelp("Audit logs (JSON Lines); standard input when none.", valueName: "FILE"))
    var files: [String] = []

    func filter() throws -> AuditFilter {
        var filter = AuditFilter()
        filter.modules = module
        let layers = AuditLayer.allCases.map(\.rawValue)
        for name in layer where !layers.contains(name) {
            throw ValidationError("--layer '\(name)': unknown layer; expected one of: \(layers.joined(separator: ", "))")
        }
        filter.layers = layer
        filter.reasons = reason
        filter.operations = operation
        filter.paths = path
        if let since {
            guard let time = AuditFilter.time(since) else { throw ValidationError("invalid --since '\(since)' (examples: 2026-11-21T14:00:00Z, 2026-11-21, 15m)") }
            filter.since = time
        }
        if let until {
            guard let time = AuditFilter.time(until) else { throw ValidationError("invalid --until '\(until)' (examples: 2026-11-21T14:00:00Z, 2026-11-21, 15m)") }
            filter.until = time
        }
        return filter
    }
}

public struct AuditCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read audit logs: every refused access, limit and lifecycle event (see warden.audit(5)).",
        discussion: "Lines that are not audit events are skipped with a file:line warning on stderr. Exit status 0, or 1 when a log cannot be read.",
        subcommands: [Show.self, Summary.self],
        defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        // The usage a person types (`show` is the default and never needed), as warden(1) has it.
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Print the events a filter matches (the default).",
            usage: "warden audit [--module NAME] [--since TIME] [--until TIME] [--layer LAYER] [--reason REASON] [--op OP] [--path PATTERN] [--json] [--follow] [FILE...]")

        @OptionGroup var filters: AuditFilterOptions

        @Flag(help: "Print matching events as their JSON lines, unchanged (unknown fields included).")
        var json = false

        @Flag(name: .shortAndLong, help: "Keep reading the last file as it grows (and after rotation), like tail -F.")
        var follow = false

        func validate() throws {
            _ = try filters.filter()
            if follow && filters.files.isEmpty { throw ValidationError("--follow needs a FILE") }
        }

        func run() throws {
            throw ExitCode(AuditCommandCore.show(filters.files, filter: try filters.filter(), json: json, follow: follow))
        }
    }

    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count refusals by module, layer, reason, operation and path (as aureport for auditd).")

        @OptionGroup var filters: AuditFilterOptions

        @Option(help: ArgumentHelp("Rows per table (default 20).", valueName: "N"))
        var top: Int = 20

        func validate() throws {
            _ = try filters.filter()
            guard top > 0 else { throw ValidationError("--top must be positive") }
        }

        func run() throws {
            throw ExitCode(AuditCommandCore.summary(filters.files, filter: try filters.filter(), top: top))
        }
    }
}
