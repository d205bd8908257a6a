import Testing
import WardenPolicy
@testable import WardenAuthoring

/// `policy suggest` on known refusals: the smallest change, ranked, as a diff; never an
/// escape, never a system call, and a risky grant says why.
@Suite struct PolicySuggesterTests {
    static let policyText = """
        version = 1

        [module]
        name = "converter"
        path = "/srv/modules/convert.wasm"

        [[preopen]]
        host = "/srv/in"
        guest = "/in"
        access = "read"

        [[preopen]]
        host = "/srv/modules"
        guest = "/modules"
        access = "read"

        [limits]
        memory = "64MiB"
        open-files = 16

        """

    func suggester() throws -> PolicySuggester {
        let parsed = PolicyParser.parse(text: Self.policyText, file: "policy.toml")
        let policy = try #require(parsed.policy, "\(parsed.diagnostics)")
        return PolicySuggester(policy: policy, text: Self.policyText, file: "policy.toml", locator: try #require(parsed.locator))
    }

    @Test func readOnlyRefusalsFlipTheirGrantAndLimitsDouble() throws {
        let suggester = try suggester()
        let report = suggester.suggest([
            Refusal(layer: "wasi", operation: "path_open", preopen: "/in", path: "report.txt", reason: "read-only"),
            Refusal(layer: "wasi", operation: "path_unlink_file", preopen: "/in", path: "old.txt", reason: "read-only"),
            Refusal(layer: "limit", operation: "memory", reason: "limit", limit: "memory"),
            Refusal(layer: "wasi", operation: "path_open", preopen: "/in", path: "x", reason: "resource-limit"),
        ])
        #expect(report.suggestions.map(\.risk) == [.low, .low, .medium])
        #expect(report.suggestions.map(\.allows) == [1, 1, 2])
        #expect(suggester.diff(report.suggestions) == """
            --- policy.toml
            +++ policy.toml
            @@ -10,1 +10,1 @@
            -access = "read"
            +access = "read-write"
            @@ -18,1 +18,1 @@
            -memory = "64MiB"
            +memory = "128MiB"
            @@ -19,1 +19,1 @@
            -open-files = 16
            +open-files = 32

            """)
        #expect(report.notSuggested.isEmpty)
    }

    @Test func escapesAndSystemCallsAreNeverSuggested() throws {
        let report = try suggester().suggest([
            Refusal(layer: "wasi", operation: "path_open", preopen: "/in", path: "../../etc/passwd", reason: "escape-attempt"),
            Refusal(layer: "wasi", operation: "path_symlink", preopen: "/in", path: "l -> /etc", reason: "absolute-symlink"),
            Refusal(layer: "seccomp", operation: "ptrace", reason: "syscall"),
        ])
        #expect(report.suggestions.isEmpty)
        #expect(report.notSuggested.map(\.count).reduce(0, +) == 3)
        #expect(report.notSuggested.contains { $0.why.hasPrefix("escape attempts are never granted") && $0.count == 2 })
        #expect(report.notSuggested.contains { $0.why.hasPrefix("kernel refusals") })
    }

    @Test func aGrantThatWouldExposeTheModuleIsHighRiskAndSaysWhy() throws {
        let report = try suggester().suggest([
            Refusal(layer: "wasi", operation: "path_open", preopen: "/modules", path: "convert.wasm", reason: "read-only"),
        ])
        let suggestion = try #require(report.suggestions.first)
        #expect(suggestion.risk == .high)
        #expect(suggestion.summary.contains("policy check would warn: it contains the module file"))
    }
}
