import WardenAuthoring
import WardenLauncher
import WardenAudit
import WardenPolicy
import WardenSystem

/// `warden policy suggest --from LOG --policy FILE`: reads the log, keeps the policy's own
/// module's refusals, and prints the ranked suggestions (stderr) and the diff (stdout).
public enum SuggestCommandCore {
    public static func suggest(logs: [String], policyPath: String) -> Int32 {
        let (text, parsed) = PolicyFile.load(policyPath)
        guard let text, let policy = parsed.policy, let locator = parsed.locator else {
            for diagnostic in parsed.diagnostics { OperatorOutput.printError("\(diagnostic)") }
            return 2
        }
        var refusals: [Refusal] = []
        var otherModules = 0
        // Suggestions from part of a log would be wrong, not just fewer: an unreadable log stops here.
        let read = AuditCommandCore.forEachEvent(in: logs) { event in
            if event.module == policy.module.name { refusals += Refusal.from(event) } else { otherModules += 1 }
        }
        guard read == 0 else { return 1 }
        let suggester = PolicySuggester(policy: policy, text: text, file: policyPath, locator: locator)
        let report = suggester.suggest(refusals)
        let total = refusals.reduce(0) { $0 + $1.count }
        var summary = "warden: \(report.suggestions.count) suggestion\(report.suggestions.count == 1 ? "" : "s") for \(policyPath) from \(total) refusal\(total == 1 ? "" : "s") of module '\(policy.module.name)'"
        if otherModules > 0 { summary += " (\(otherModules) events of other modules ignored)" }
        OperatorOutput.printError(summary)
        for (number, suggestion) in report.suggestions.enumerated() {
            OperatorOutput.printError("  \(number + 1). [\(suggestion.risk) risk] \(suggestion.summary)")
        }
        for skipped in report.notSuggested {
            OperatorOutput.printError("  not suggested (\(skipped.count)): \(skipped.why); e.g. \(OperatorOutput.sanitized(skipped.example))")
        }
        guard !report.suggestions.isEmpty else { return 0 }
        try? FileDescriptor.standardOutput.writeAll(suggester.diff(report.suggestions))
        return 0
    }
}
