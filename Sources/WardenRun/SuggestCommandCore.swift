import WardenAudit
import WardenPolicy
import WardenSystem

/// `warden policy suggest --from LOG --policy FILE`: reads the log, keeps the policy's own
/// module's refusals, and prints the ranked suggestions (stderr) and the diff (stdout).
public enum SuggestCommandCore {
    public static func suggest(logs: [String], policyPath: String) -> Int32 {
        let (text, parsed) = PolicyCommands.load(policyPath)
        guard let text, let policy = parsed.policy else {
            for diagnostic in parsed.diagnostics { RunCommandCore.printError("\(diagnostic)") }
            return 2
        }
        var refusals: [Refusal] = []
        var otherModules = 0, unreadable = 0
        let authority = AmbientAuthority(purpose: "warden policy suggest: the audit logs named")
        for log in logs {
            let reader: AuditLogReader
            do { reader = try AuditLogReader(path: log, authority: authority) } catch {
                RunCommandCore.printError("warden: cannot read audit log '\(log)': \(error)")
                return 1
            }
            while let record = try? reader.next() {
                guard case .success(let event) = record.event else {
                    unreadable += 1
                    continue
                }
                guard event.module == policy.module.name else {
                    otherModules += 1
                    continue
                }
                refusals += Refusal.from(event)
            }
        }
        let suggester = PolicySuggester(policy: policy, text: text, file: policyPath)
        let report = suggester.suggest(refusals)
        let total = refusals.reduce(0) { $0 + $1.count }
        var summary = "warden: \(report.suggestions.count) suggestion\(report.suggestions.count == 1 ? "" : "s") for \(policyPath) from \(total) refusal\(total == 1 ? "" : "s") of module '\(policy.module.name)'"
        if otherModules > 0 { summary += " (\(otherModules) events of other modules ignored)" }
        if unreadable > 0 { summary += " (\(unreadable) unreadable lines skipped; see warden audit)" }
        RunCommandCore.printError(summary)
        for (number, suggestion) in report.suggestions.enumerated() {
            RunCommandCore.printError("  \(number + 1). [\(suggestion.risk) risk] \(suggestion.summary)")
        }
        for skipped in report.notSuggested {
            RunCommandCore.printError("  not suggested (\(skipped.count)): \(skipped.why); e.g. \(RunCommandCore.sanitized(skipped.example))")
        }
        guard !report.suggestions.isEmpty else { return 0 }
        try? FileDescriptor.standardOutput.writeAll(suggester.diff(report.suggestions))
        return 0
    }
}
