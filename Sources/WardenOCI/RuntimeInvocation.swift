/// One call of the runtime, as runc's callers spell it:
/// `RT [--root DIR] [--log FILE] [--log-format json] [--systemd-cgroup] COMMAND [FLAGS] ID [ARGS]`.
/// Flags take one or two dashes and `--name=value` or `--name value`, as runc's parser does;
/// unknown global booleans (`--debug`) are accepted and ignored.
public struct RuntimeInvocation: Sendable, Equatable {
    public var root: String?
    public var logPath: String?
    public var logFormat = "text"
    public var systemdCgroup = false
    public var command: String
    /// Command flags by long name; booleans map to "true".
    public var flags: [String: String] = [:]
    public var positionals: [String] = []
    /// The arguments exactly as given (without argv[0]): what runc gets when a container is
    /// not Wasm.
    public var original: [String] = []

    public static let defaultRoot = "/run/warden-oci"

    /// Global flags that take a value; every other global flag is a boolean.
    static let globalValueFlags: Set<String> = ["root", "log", "log-format", "criu", "rootless"]

    /// Per command: short aliases and the flags that take a value.
    static func commandFlags(_ command: String) -> (aliases: [String: String], valued: Set<String>) {
        switch command {
        case "create", "run":
            (["b": "bundle"], ["bundle", "pid-file", "console-socket", "preserve-fds", "notify-socket"])
        case "exec":
            (["p": "process", "d": "detach", "t": "tty", "e": "env", "u": "user"],
             ["process", "pid-file", "console-socket", "cwd", "env", "user", "preserve-fds", "process-label", "apparmor", "cap"])
        case "kill": (["a": "all"], [])
        case "delete": (["f": "force"], [])
        case "ps", "list": (["f": "format"], ["format"])
        case "update": (["r": "resources"], ["resources"])
        default: ([:], [])
        }
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        case noCommand
        case missingValue(String)
        public var description: String {
            switch self {
            case .noCommand: "no command given (create, start, state, kill, delete, ps, features, pause, resume)"
            case .missingValue(let flag): "flag --\(flag) needs a value"
            }
        }
    }

    public static func parse(_ arguments: [String]) throws(ParseError) -> RuntimeInvocation {
        var index = 0
        var invocation = RuntimeInvocation(command: "")
        invocation.original = arguments
        func split(_ argument: String) -> (name: String, value: String?) {
            let body = argument.drop(while: { $0 == "-" })
            guard let equals = body.firstIndex(of: "=") else { return (String(body), nil) }
            return (String(body[..<equals]), String(body[body.index(after: equals)...]))
        }
        while index < arguments.count, arguments[index].hasPrefix("-"), arguments[index] != "-" {
            let (name, inline) = split(arguments[index])
            // `--version` and `--help` are commands in flag form (runc accepts both spellings).
            if ["version", "v", "help", "h"].contains(name) && inline == nil {
                invocation.command = arguments[index]
                return invocation
            }
            index += 1
            var value = inline ?? "true"
            if globalValueFlags.contains(name) && inline == nil {
                guard index < arguments.count else { throw .missingValue(name) }
                value = arguments[index]
                index += 1
            }
            switch name {
            case "root": invocation.root = value
            case "log": invocation.logPath = value
            case "log-format": invocation.logFormat = value
            case "systemd-cgroup": invocation.systemdCgroup = value != "false"
            default: break
            }
        }
        guard index < arguments.count else { throw .noCommand }
        invocation.command = arguments[index]
        index += 1
        let (aliases, valued) = commandFlags(invocation.command)
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
                invocation.positionals.append(argument)
                continue
            }
            if argument == "--" { onlyPositionals = true; continue }
            var (name, inline) = split(argument)
            name = aliases[name] ?? name
            var value = inline ?? "true"
            if valued.contains(name) && inline == nil {
                guard index < arguments.count else { throw .missingValue(name) }
                value = arguments[index]
                index += 1
            }
            invocation.flags[name] = value
        }
        return invocation
    }

    /// The state directory: `--root`, else warden-oci's own default (podman passes none).
    public var stateRoot: String { root ?? Self.defaultRoot }
}
