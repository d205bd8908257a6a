import Testing
import WardenAudit

@Suite struct AuditFilterTests {
    static let now = AuditTime(rfc3339: "2026-11-21T12:00:00Z")!

    func event(_ kind: AuditEvent.Kind, module: String = "m", at time: String = "2026-11-21T11:30:00Z") -> AuditEvent {
        AuditEvent(time: AuditTime(rfc3339: time)!, module: module, instance: "i", pid: 1, policyDigest: nil, kind: kind)
    }

    @Test func agesCountBackFromNow() {
        #expect(AuditFilter.time("90s", now: Self.now)?.description == "2026-11-21T11:58:30.000Z")
        #expect(AuditFilter.time("15m", now: Self.now)?.description == "2026-11-21T11:45:00.000Z")
        #expect(AuditFilter.time("2h", now: Self.now)?.description == "2026-11-21T10:00:00.000Z")
        #expect(AuditFilter.time("7d", now: Self.now)?.description == "2026-11-14T12:00:00.000Z")
        for bad in ["", "m", "-5m", "5w", "99999999999999999d", "yesterday"] { #expect(AuditFilter.time(bad, now: Self.now) == nil, "\(bad)") }
    }

    @Test func fieldsCombineAndValuesAlternate() {
        let escape = event(.wasi(WASIRefusal(operation: "path_open", path: "../etc/passwd", reason: "escape-attempt", errno: "notcapable")))
        let syscall = event(.seccomp(SyscallRefusal(syscall: "ptrace", number: 101, arguments: [], action: .killed, errno: nil)), module: "n")
        var filter = AuditFilter()
        filter.reasons = ["escape-attempt", "not-in-allowlist"]
        #expect(filter.matches(escape) && filter.matches(syscall))
        filter.modules = ["n"]
        #expect(!filter.matches(escape) && filter.matches(syscall))
        filter = AuditFilter()
        filter.operations = ["ptrace"]
        #expect(!filter.matches(escape) && filter.matches(syscall))
        filter = AuditFilter()
        filter.paths = ["*/passwd"]
        #expect(filter.matches(escape) && !filter.matches(syscall), "an event without a path never matches a path filter")
        filter = AuditFilter()
        filter.since = AuditTime(rfc3339: "2026-11-21T11:30:00Z")
        filter.until = AuditTime(rfc3339: "2026-11-21T11:30:00Z")
        #expect(filter.matches(escape), "both bounds are inclusive")
    }

    @Test func aSummaryMatchesWhatItCounts() {
        let summary = event(.suppressed(Suppression(layer: "wasi", since: Self.now, counts: [
            .init(reason: "read-only", operation: "path_unlink_file", count: 3)])))
        var filter = AuditFilter()
        filter.reasons = ["read-only"]
        filter.operations = ["path_unlink_file"]
        filter.layers = ["wasi"]
        #expect(filter.matches(summary))
        filter.reasons = ["escape-attempt"]
        #expect(!filter.matches(summary))
    }
}
