import WardenAudit
import WardenAuthoring
import WardenPolicy

// `warden policy suggest --from LOG --policy FILE` over arbitrary logs (and policies): a
// report and a diff, never a crash; and the policy the diff produces must still be valid
// (a suggestion an operator applies must not break the policy it fixes).
//
// Input: `POLICY\n%%\nLOG`; without the separator, the whole input is the log for a fixed
// policy with a read-only grant and a few limits (so read-only and limit suggestions happen).
enum SuggestHarness {
    static let harness = FuzzHarness("FuzzSuggest", generatedSeeds: seeds, check: check)

    static let defaultPolicy = """
        version = 1

        [module]
        name = "fuzz"
        path = "/srv/fuzz.wasm"

        [[preopen]]
        host = "/srv/in"
        guest = "/in"
        access = "read"

        [limits]
        memory = "64MiB"
        fuel = 1000000

        """

    static func check(_ bytes: [UInt8]) throws(HarnessFailure) {
        let input = String(decoding: bytes, as: UTF8.self)
        let policyText: String, log: String
        if let separator = input.firstRange(of: "\n%%\n") {
            policyText = String(input[..<separator.lowerBound]) + "\n"
            log = String(input[separator.upperBound...])
        } else {
            policyText = defaultPolicy
            log = input
        }
        let parsed = PolicyParser.parse(text: policyText, file: "fuzz.toml")
        guard let policy = parsed.policy, let locator = parsed.locator else { return }

        let events = AuditEvent.decodeLines(log).events
        let refusals = events.filter { $0.module == policy.module.name }.flatMap(Refusal.from)
        let suggester = PolicySuggester(policy: policy, text: policyText, file: "fuzz.toml", locator: locator)
        let report = suggester.suggest(refusals)
        let diff = suggester.diff(report.suggestions)
        guard diff.hasPrefix("--- fuzz.toml\n+++ fuzz.toml\n") else { throw HarnessFailure("diff without its header") }

        // Apply the suggestions as `patch` would and check the result.
        var lines = policyText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var replaced: Set<Int> = []
        var appended: [String] = []
        for suggestion in report.suggestions {
            if let line = suggestion.line {
                guard line >= 1, line <= lines.count else { throw HarnessFailure("suggestion for line \(line) of \(lines.count)") }
                guard suggestion.oldLine == lines[line - 1] else {
                    throw HarnessFailure("suggestion's old line \(suggestion.oldLine ?? "nil") is not line \(line): \(lines[line - 1])")
                }
                guard replaced.insert(line).inserted else { throw HarnessFailure("two suggestions replace line \(line): the diff cannot apply") }
            } else {
                appended += suggestion.newLines
            }
        }
        var patched: [String] = []
        for (index, line) in lines.enumerated() {
            if replaced.contains(index + 1), let suggestion = report.suggestions.first(where: { $0.line == index + 1 }) {
                patched += suggestion.newLines
            } else {
                patched.append(line)
            }
        }
        patched += appended
        let result = PolicyParser.parse(text: patched.joined(separator: "\n") + "\n", file: "fuzz.toml")
        if result.hasErrors {
            throw HarnessFailure("applying the suggestions breaks the policy: \(result.diagnostics.map(\.description))\n\(diff)")
        }
    }

    /// Logs of every event kind for the fixed policy, and for policies with and without
    /// [limits] and grants, each `POLICY\n%%\nLOG`.
    static let seedPolicies = [
        "version = 1\n[module]\nname = \"fuzz\"\npath = \"/srv/f.wasm\"\n",
        "version = 1\n[module]\nname = \"fuzz\"\npath = \"/srv/f.wasm\"\n[[preopen]]\nhost = \"/srv/in\"\nguest = \"/in\"\n[[preopen]]\nhost = \"/srv/out\"\nguest = \"/out\"\naccess = \"read\"\n[limits]\nfuel = 5\n",
    ]

    static func seeds() -> [(String, [UInt8])] {
        let log = Samples.events(module: "fuzz").flatMap { $0.jsonLine() }
        var seeds: [(String, [UInt8])] = [("log-only.jsonl", log)]
        for (index, policy) in seedPolicies.enumerated() {
            seeds.append(("policy-\(index)", Array((policy + "%%\n").utf8) + log))
        }
        return seeds
    }
}
