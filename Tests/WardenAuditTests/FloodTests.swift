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
}
