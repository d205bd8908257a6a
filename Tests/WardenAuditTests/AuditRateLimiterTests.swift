import Testing
import WardenAudit

@Suite struct AuditRateLimiterTests {
    func event(_ operation: String = "path_open", reason: String = "escape-attempt") -> AuditEvent {
        AuditEvent(time: AuditTime(millisecondsSinceEpoch: 1_000), module: "m", instance: "0123456789abcdef", pid: 7, policyDigest: nil,
                   kind: .wasi(WASIRefusal(operation: operation, reason: reason, errno: "notcapable")))
    }

    @Test func burstThenSuppressionWithExactCounts() {
        var limiter = AuditRateLimiter(AuditRateLimit(burst: 10, perSecond: 1))
        var admitted = 0
        for index in 0..<1000 where limiter.admit(event(index % 3 == 0 ? "path_unlink_file" : "path_open"), now: 0) { admitted += 1 }
        #expect(admitted == 10)
        #expect(limiter.suppressed == 990)
        let early = limiter.summaries(now: 0)
        #expect(early.isEmpty, "not due before the interval")
        let summaries = limiter.summaries(now: 0, flushAll: true)
        try? #require(summaries.count == 1)
        #expect(summaries[0].total == 990)
        #expect(summaries[0].counts.reduce(0) { $0 + $1.count } == 990)
        #expect(Set(summaries[0].counts.map(\.operation)) == ["path_open", "path_unlink_file"])
        #expect(!limiter.hasPending)
        let again = limiter.summaries(now: 0, flushAll: true)
        #expect(again.isEmpty, "each suppressed event is summarized once")
    }

    @Test func tokensRefillAtTheConfiguredRate() {
        var limiter = AuditRateLimiter(AuditRateLimit(burst: 2, perSecond: 10))
        let decisions = [limiter.admit(event(), now: 0), limiter.admit(event(), now: 0), limiter.admit(event(), now: 0),
                         limiter.admit(event(), now: 50_000_000),   // half a token
                         limiter.admit(event(), now: 100_000_000)]  // one token after 100 ms
        #expect(decisions == [true, true, false, false, true])
    }

    @Test func summaryIsDueAfterTheInterval() {
        var limiter = AuditRateLimiter(AuditRateLimit(burst: 1, perSecond: 1, summaryInterval: 1_000))
        _ = limiter.admit(event(), now: 0)
        let admitted = limiter.admit(event(), now: 1)
        #expect(!admitted)
        let early = limiter.summaries(now: 500)
        #expect(early.isEmpty)
        let due = limiter.summaries(now: 1_001)
        #expect(due.map(\.total) == [1])
    }

    @Test func madeUpNamesCannotGrowTheCountsPastTheKeyLimit() {
        var limiter = AuditRateLimiter(AuditRateLimit(burst: 1, perSecond: 1, maximumKeys: 4))
        for index in 0..<100 { _ = limiter.admit(event("op\(index)"), now: 0) }
        let summary = limiter.summaries(now: 0, flushAll: true)[0]
        #expect(summary.counts.count == 5)
        #expect(summary.counts.last == Suppression.Count(reason: "other", operation: "other", count: 95))
        #expect(summary.total == 99)
    }

    @Test func eventsThatEndAModuleAreNeverSuppressed() {
        var limiter = AuditRateLimiter(AuditRateLimit(burst: 1, perSecond: 1))
        _ = limiter.admit(event(), now: 0)
        let kill = AuditEvent(time: AuditTime(millisecondsSinceEpoch: 0), module: "m", instance: "i", pid: nil, policyDigest: nil,
                              kind: .limit(LimitReached(limit: .wallTime, action: .killed, value: "1s")))
        let exit = AuditEvent(time: AuditTime(millisecondsSinceEpoch: 0), module: "m", instance: "i", pid: nil, policyDigest: nil,
                              kind: .lifecycle(LifecycleChange(.exited, status: 0)))
        let decisions = [limiter.admit(kill, now: 0), limiter.admit(exit, now: 0), limiter.admit(event(), now: 0)]
        #expect(decisions == [true, true, false])
    }

    /// The writer puts a due summary before the next event, and flushes the rest on request.
    @Test func auditLogWritesSummariesInOrder() {
        let sink = MemorySink()
        var now: UInt64 = 0
        let log = AuditLog(context: AuditContext(module: "m"), sinks: [sink],
                           rateLimit: AuditRateLimit(burst: 1, perSecond: 1, summaryInterval: 1_000_000_000), clock: { now })
        for _ in 0..<5 { log.record(.wasi(WASIRefusal(operation: "path_open", reason: "escape-attempt", errno: "notcapable"))) }
        #expect(sink.events.count == 1)
        now = 2_000_000_000
        log.record(.wasi(WASIRefusal(operation: "path_open", reason: "escape-attempt", errno: "notcapable")))
        #expect(sink.events.map(\.action) == ["denied", "suppressed", "denied"])
        #expect(sink.events[1].refusalCount == 4)
        log.flushSummaries()
        #expect(sink.events.count == 3)
        #expect(log.written == 3)
    }
}

final class MemorySink: AuditSink {
    var events: [AuditEvent] = []
    var lines: [[UInt8]] = []
    func write(_ event: AuditEvent, line: [UInt8]) {
        events.append(event)
        lines.append(line)
    }
}
