/// A hand parser for `warden run`'s command line, used on the start-up path: the swift-argument-
/// parser pass costs about 1.7 ms of Swift runtime conformance lookups per launch, more than
/// the whole hardening sequence. It accepts only what it fully understands; anything else
/// (help, a usage error, an unknown or repeated option) returns nil and the full parser in
/// WardenCLI takes over, so help and errors read the same either way. A differential test
/// checks that both produce the same `RunRequest`.
public enum RunCommandLine {
    /// `arguments` is the whole argv (`warden run ...`); nil unless it is a `run` this parser
    /// can read exactly.
    public static func parse(_ arguments: [String]) -> RunRequest? {
        guard arguments.count >= 2, arguments[1] == "run" else { return nil }
        var request = RunRequest()
        request.separatorGiven = arguments.contains("--")
        // The single-use options already given. An array, not a Set<String>: a handful of
        // names, and the first Set<String> in a process instantiates its generic metadata
        // (0.04 ms of every `warden run` before the worker is spawned, perf).
        var seen: [String] = []
        var index = 2
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            if token == "--" {
                // The terminator itself is consumed; everything after it is MODULE and ARGS.
                request.rest = Array(arguments[index...])
                break
            }
            if token.hasPrefix("-") && !token.hasPrefix("--") { return nil }  // -h, -x, '-'
            guard token.hasPrefix("--") else {
                // MODULE: it and everything after it belong to the module, verbatim.
                request.rest = Array(arguments[(index - 1)...])
                break
            }
            var name = token, inlineValue: String?
            if let equals = token.firstIndex(of: "=") {
                name = String(token[..<equals])
                inlineValue = String(token[token.index(after: equals)...])
            }
            switch name {
            case "--no-sandbox", "--timings":
                guard inlineValue == nil, !seen.contains(name) else { return nil }
                seen.append(name)
                if name == "--no-sandbox" { request.noSandbox = true } else { request.timings = true }
                continue
            default: break
            }
            let value: String
            if let inlineValue {
                // `--audit=` with nothing after '=' makes the full parser take the next word.
                guard !inlineValue.isEmpty else { return nil }
                value = inlineValue
            } else {
                // A value that looks like an option is a usage error for the full parser to word.
                guard index < arguments.count, !arguments[index].hasPrefix("-") else { return nil }
                value = arguments[index]
                index += 1
            }
            switch name {
            case "--dir": request.directories.append(value)
            case "--ro-dir": request.readOnlyDirectories.append(value)
            case "--env": request.environment.append(value)
            case "--tcplisten": request.tcpListeners.append(value)
            case "--seccomp-drop-group": request.droppedGroups.append(value)
            case "--debug-without": request.debugWithout.append(value)
            case "--policy", "--max-memory", "--fuel", "--wall-time", "--cpu-time", "--audit", "--audit-on-failure", "--seccomp-action", "--user", "--engine", "--artifact-cache", "--artifact", "--warm":
                guard !seen.contains(name) else { return nil }
                seen.append(name)
                switch name {
                case "--policy": request.policy = value
                case "--max-memory": request.maxMemory = value
                case "--fuel": request.fuel = value
                case "--wall-time": request.wallTime = value
                case "--cpu-time": request.cpuTime = value
                case "--audit": request.auditPath = value
                case "--audit-on-failure": request.auditOnFailure = value
                case "--seccomp-action": request.seccompAction = value
                case "--engine": request.engine = value
                case "--artifact-cache": request.artifactCache = value
                case "--artifact": request.artifactPath = value
                case "--warm": request.warm = value
                default: request.user = value
                }
            default: return nil
            }
        }
        return request
    }
}
