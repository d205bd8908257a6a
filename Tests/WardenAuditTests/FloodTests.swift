import Foundation
import Testing
import WardenAudit
import WardenTestSupport

/// A module that refuses as fast as it can: the rate limiter summarizes, and nothing is lost
/// without a count.
@Suite struct FloodTests {
    @Test func hundredThousandRefusalsAreAllAccountedFor() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("in")
        let log = tree.url("audit.jsonl")
        let result = try Warden.run(["--audit", log, "--ro-dir", "\(tree.url("in"))::/in", try AuditProbe.module(), "escape", "100000"],
                                    timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "100000\n")
        let events = try AuditProbe.events(log)
        var written = 0, suppressed: UInt64 = 0
        for event in events {
            switch event.kind {
            case .wasi(let refusal):
                #expect(refusal.operation == "path_open" && refusal.path == "../escape" && refusal.reason == "escape-attempt")
                written += 1
            case .suppressed(let summary):
                #expect(summary.layer == "wasi")
                #expect(summary.counts.allSatisfy { $0.reason == "escape-attempt" && $0.operation == "path_open" })
                suppressed += summary.total
            case .lifecycle: break
            default: Issue.record("unexpected event \(event.jsonText)")
            }
        }
        #expect(UInt64(written) + suppressed == 100_000, "\(written) written + \(suppressed) suppressed")
        #expect(suppressed > 0, "the limiter should have summarized a flood")
        #expect(written >= AuditRateLimit.standard.burst)
        // The summaries come before the exit event, and the file is bounded far below 100,000 lines.
        #expect(events.last.map { if case .lifecycle(let change) = $0.kind { change.change == .exited } else { false } } == true)
        #expect(events.count < 50_000)
    }

    /// A run ended by its wall-time limit right after a flood still accounts for every refusal:
    /// the launcher ends the worker from its own loop and then flushes the pending summaries.
    @Test func aWallTimeKillLosesNoSuppressedCount() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("in")
        let log = tree.url("audit.jsonl")
        try tree.write("policy.toml", """
            version = 1
            [module]
            name = "flood"
            path = "\(try AuditProbe.module())"
            args = ["escape", "5000", "then-spin"]
            [[preopen]]
            host = "\(tree.url("in"))"
            guest = "/in"
            access = "read"
            [limits]
            wall-time = "3s"
            [sandbox]
            user = "nobody"
            [audit]
            log = "\(log)"
            """)
        // 3 s, not 1: the 5000 refusals must all happen before the kill, and a debug build on
        // a loaded machine spends half a second translating (validating) the whole module
        // before `_start`.
        let result = try Warden.run(["--policy", tree.url("policy.toml")], timeout: 60)
        #expect(result.status == 124, "\(result.stderr)")
        #expect(result.stdout == "5000\n")
        var written = 0, suppressed: UInt64 = 0, wallTime = 0
        for event in try AuditProbe.events(log) {
            switch event.kind {
            case .wasi: written += 1
            case .suppressed(let summary): suppressed += summary.total
            case .limit(let limit) where limit.limit == .wallTime: wallTime += 1
            default: break
            }
        }
        #expect(suppressed > 0, "the limiter should have summarized a flood")
        #expect(UInt64(written) + suppressed == 5_000, "\(written) written + \(suppressed) suppressed")
        #expect(wallTime == 1)
    }
}
