import WardenPolicy

/// `warden policy suggest`: the smallest change to a policy that would have allowed the
/// refusals in an audit log, as a diff, each change ranked by risk. It never suggests
/// granting an escape attempt, a system call, or a directory `policy check` would warn about
/// without saying so; those refusals are listed as not suggested, with the reason.
public struct PolicySuggester {
    public enum Risk: Int, Comparable, Sendable, CustomStringConvertible {
        case low, medium, high
        public static func < (a: Risk, b: Risk) -> Bool { a.rawValue < b.rawValue }
        public var description: String { ["low", "medium", "high"][rawValue] }
    }

    public struct Suggestion: Sendable, Equatable {
        public var risk: Risk
        /// What changes and why, in one paragraph.
        public var summary: String
        /// 1-based line to replace (nil: append `newLines` at the end of the file).
        public var line: Int?
        public var oldLine: String?
        public var newLines: [String]
        /// How many refusals this change would have allowed.
        public var allows: Int
    }

    public struct Report: Sendable {
        public var suggestions: [Suggestion]
        /// Refusals no policy change should allow, grouped: (why, count, example).
        public var notSuggested: [(why: String, count: Int, example: String)]
    }

    let policy: Policy
    let text: String
    let file: String
    let locator: SourceLocator
    let lines: [Substring]

    /// `locator` is the one `PolicyParser.parse` made of `text`.
    public init(policy: Policy, text: String, file: String, locator: SourceLocator) {
        self.policy = policy
        self.text = text
        self.file = file
        self.locator = locator
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    public func suggest(_ refusals: [Refusal]) -> Report {
        var suggestions: [Suggestion] = []
        var refused: [String: (count: Int, example: String)] = [:]
        func notSuggested(_ why: String, _ refusal: Refusal) {
            let example = "\(refusal.layer) \(refusal.operation)" + [refusal.preopen, refusal.path].compactMap { $0 }.map { " " + $0 }.joined()
            refused[why, default: (0, example)].count += refusal.count
        }

        // Mutations through read-only grants: flip the grant to read-write.
        var readOnlyHits: [Int: Int] = [:]
        var limitHits: [String: Int] = [:]
        for refusal in refusals {
            switch (refusal.layer, refusal.reason) {
            case ("wasi", "read-only"):
                if let index = policy.preopens.firstIndex(where: { $0.guest == refusal.preopen }), policy.preopens[index].access == .read {
                    readOnlyHits[index, default: 0] += refusal.count
                } else {
                    notSuggested("a read-only refusal through no read-only preopen of this policy (another policy's log?)", refusal)
                }
            case ("wasi", "escape-attempt"), ("wasi", "absolute-symlink"):
                notSuggested("escape attempts are never granted: the module reached for a path outside its grants", refusal)
            case ("wasi", "resource-limit") where refusal.operation == "path_open":
                limitHits["open-files", default: 0] += refusal.count
            case ("wasi", _):
                notSuggested("the module used a descriptor without the right (\(refusal.reason)); no grant changes that", refusal)
            case ("seccomp", _), ("landlock", _):
                notSuggested("kernel refusals are not a policy matter: the worker's allowlist is the same for every module", refusal)
            case ("limit", _):
                if let limit = refusal.limit ?? Self.limitName(refusal.operation) { limitHits[limit, default: 0] += refusal.count }
                else { notSuggested("an unknown limit", refusal) }
            default:
                notSuggested("not a refusal a policy grants (\(refusal.layer))", refusal)
            }
        }
        for (index, count) in readOnlyHits.sorted(by: { $0.key < $1.key }) {
            suggestions.append(readWrite(index, allows: count))
        }
        for (limit, count) in limitHits.sorted(by: { $0.key < $1.key }) {
            if let suggestion = raise(limit, allows: count) { suggestions.append(suggestion) }
        }
        suggestions.sort { ($0.risk, $0.line ?? .max) < ($1.risk, $1.line ?? .max) }
        let grouped = refused.map { (why: $0.key, count: $0.value.count, example: $0.value.example) }.sorted { $0.why < $1.why }
        return Report(suggestions: suggestions, notSuggested: grouped)
    }

    static func limitName(_ operation: String) -> String? {
        ["memory", "fuel", "cpu-time", "wall-time", "open-files"].first { operation.contains($0) }
    }

    // MARK: Grants

    private func readWrite(_ index: Int, allows count: Int) -> Suggestion {
        let preopen = policy.preopens[index]
        var risk = Risk.medium
        var summary = "make preopen '\(preopen.guest)' (\(preopen.host)) read-write: \(count) refused mutation\(count == 1 ? "" : "s") beneath it; the module could then create, change and delete anything there"
        // What `policy check` would say about the changed grant, said here first.
        if PolicyCheckRules.systemDirectories.contains(preopen.host) {
            risk = .high
            summary += "; policy check would warn: '\(preopen.host)' is a system directory"
        }
        if PolicyCheckRules.contains(preopen.host, policy.module.path) {
            risk = .high
            summary += "; policy check would warn: it contains the module file, which the module could then rewrite"
        }
        let position = locator.value(["preopen", String(index), "access"])
        if let position, let old = line(position.line) {
            return Suggestion(risk: risk, summary: summary, line: position.line, oldLine: old,
                              newLines: [old.replacingFirst("\"read\"", with: "\"read-write\"")], allows: count)
        }
        // No `access` key: the default (read) applies; add the key after the header.
        let header = preopen.line
        return Suggestion(risk: risk, summary: summary, line: header, oldLine: line(header),
                          newLines: [line(header) ?? "[[preopen]]", "access = \"read-write\""], allows: count)
    }

    // MARK: Limits

    private func raise(_ limit: String, allows count: Int) -> Suggestion? {
        let (value, rendered): (String, String)
        switch limit {
        case "memory":
            let doubled = policy.limits.memory * 2
            (value, rendered) = (Units.format(size: doubled), "\"\(Units.format(size: doubled))\"")
        case "cpu-time", "wall-time":
            let current = limit == "cpu-time" ? policy.limits.cpuTime : policy.limits.wallTime
            let doubled = (current ?? .seconds(30)) * 2
            (value, rendered) = (Units.format(duration: doubled), "\"\(Units.format(duration: doubled))\"")
        case "open-files":
            let doubled = policy.limits.openFiles * 2
            (value, rendered) = ("\(doubled)", "\(doubled)")
        case "fuel":
            guard policy.limits.fuel > 0 else { return nil }
            let doubled = policy.limits.fuel.multipliedReportingOverflow(by: 2)
            guard !doubled.overflow else { return nil }
            (value, rendered) = ("\(doubled.partialValue)", "\(doubled.partialValue)")
        default: return nil
        }
        let summary = "double \(limit) to \(value): the module reached its \(limit) limit \(count) time\(count == 1 ? "" : "s"); a limit only bounds resources, it grants no access"
        if let position = locator.value(["limits", limit]), let old = line(position.line) {
            let prefix = old.prefix { $0 != "=" }
            return Suggestion(risk: .low, summary: summary, line: position.line, oldLine: old,
                              newLines: ["\(prefix)= \(rendered)"], allows: count)
        }
        if let header = locator.header(["limits"]), let old = line(header.line) {
            return Suggestion(risk: .low, summary: summary, line: header.line, oldLine: old, newLines: [old, "\(limit) = \(rendered)"], allows: count)
        }
        return Suggestion(risk: .low, summary: summary, line: nil, oldLine: nil, newLines: ["", "[limits]", "\(limit) = \(rendered)"], allows: count)
    }

    private func line(_ number: Int) -> String? {
        number >= 1 && number <= lines.count ? String(lines[number - 1]) : nil
    }

    // MARK: Output

    /// Every suggestion as one unified diff against the policy file, in file order.
    public func diff(_ suggestions: [Suggestion]) -> String {
        var out = "--- \(file)\n+++ \(file)\n"
        var shift = 0
        for suggestion in suggestions.sorted(by: { ($0.line ?? .max) < ($1.line ?? .max) }) {
            let added = suggestion.newLines.count - (suggestion.oldLine == nil ? 0 : 1)
            if let line = suggestion.line, let old = suggestion.oldLine {
                out += "@@ -\(line),1 +\(line + shift),\(suggestion.newLines.count) @@\n-\(old)\n"
            } else {
                let end = lines.last == "" ? lines.count - 1 : lines.count
                out += "@@ -\(end),0 +\(end + shift + 1),\(suggestion.newLines.count) @@\n"
            }
            for new in suggestion.newLines { out += "+\(new)\n" }
            shift += added
        }
        return out
    }
}

extension String {
    /// Standard library only: `range(of:)` is Foundation's, which `warden` no longer links.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var result = self
        result.replaceSubrange(range, with: replacement)
        return result
    }
}
