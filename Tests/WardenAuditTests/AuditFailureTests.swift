import Foundation
import Testing
import WardenAudit
import WardenTestSupport

/// The audit trail fails closed: on a full filesystem (a real tmpfs, ENOSPC from the kernel)
/// a module whose refusals cannot be recorded is ended (`stop`, the default), or runs on with
/// the loss counted and written once the disk has room again (`continue`).
@Suite(.enabled(if: Tmpfs.available, "mounting a tmpfs needs root (CAP_SYS_ADMIN)"))
struct AuditFailureTests {
    /// The measurement from the issue: a flood into a full disk used to run to exit 0 with one
    /// warning. Now the module is ended, exit 123, and the reason is on stderr, in words and as
    /// a `lifecycle` `audit-failed` event.
    @Test func aFullDiskEndsTheModuleByDefault() throws {
        let disk = try Tmpfs(size: "256k")
        try disk.fill()
        let tree = try TemporaryTree()
        try tree.makeDirectory("in")
        let log = disk.path + "/audit.jsonl"
        let result = try Warden.run(["--audit", log, "--ro-dir", "\(tree.url("in"))::/in", try AuditProbe.module(), "escape", "1000"],
                                    timeout: 60)
        #expect(result.status == 123, "\(result.stderr)")
        #expect(result.stdout == "", "the module must not finish its flood")
        #expect(result.stderr.contains("could no longer write its audit events (No space left on device (ENOSPC)); ended ([audit] on-failure = stop)"),
                "\(result.stderr)")
        let reasons = Warden.auditEvents(in: result.stderr).filter { $0["layer"] as? String == "lifecycle" && $0["action"] as? String == "audit-failed" }
        #expect(reasons.count == 1, "\(result.stderr)")
        #expect((reasons.first?["detail"] as? String)?.contains("ENOSPC") == true)
    }

    /// The disk fills in the middle of a flood: what fit is in the log, then the module ends.
    @Test func aDiskFillingUpMidRunEndsTheModuleThere() throws {
        let disk = try Tmpfs(size: "256k")
        try disk.fill(leaving: 8192)
        let tree = try TemporaryTree()
        try tree.makeDirectory("in")
        let log = disk.path + "/audit.jsonl"
        let result = try Warden.run(["--audit", log, "--ro-dir", "\(tree.url("in"))::/in", try AuditProbe.module(), "escape", "5000", "paced", "1"],
                                    timeout: 60)
        #expect(result.status == 123, "\(result.stderr)")
        #expect(result.stdout == "")
        let events = try AuditProbe.events(log)
        let refusals = events.filter { if case .wasi = $0.kind { true } else { false } }.count
        #expect(refusals > 0 && refusals < 100, "\(refusals) refusals written before the disk filled")
        #expect(events.first.map { if case .lifecycle(let change) = $0.kind { change.change == .started } else { false } } == true)
    }

    /// `continue`: the module runs on; once the disk has room the log says how many events
    /// were lost, and written + lost accounts for every event.
    @Test func continueCountsTheLossOnceTheDiskHasRoom() throws {
        let disk = try Tmpfs(size: "256k")
        try disk.fill()
        let tree = try TemporaryTree()
        try tree.makeDirectory("in")
        let log = disk.path + "/audit.jsonl"
        let total = 60
        let run = Process()
        run.executableURL = URL(fileURLWithPath: Warden.executable)
        run.arguments = ["run", "--audit", log, "--audit-on-failure", "continue", "--ro-dir", "\(tree.url("in"))::/in",
                         try AuditProbe.module(), "escape", String(total), "paced", "20"]
        let output = Pipe(), errors = Pipe()
        run.standardOutput = output
        run.standardError = errors
        try run.run()
        // Some refusals while the disk is full: the worker is up, then 0.6 s (about 30).
        let deadline = Date().addingTimeInterval(20)
        while !Self.hasChild(run.processIdentifier) && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.6)
        disk.free()
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        #expect(run.terminationStatus == 0, "\(stderr)")
        #expect(stdout == "\(total)\n")
        #expect(stderr.contains("(their count is in the log)"), "\(stderr)")

        var refusals = 0, lost: UInt64 = 0, lostEvents = 0
        for event in try AuditProbe.events(log) {
            switch event.kind {
            case .wasi: refusals += 1
            case .lifecycle(let change) where change.change == .auditLost:
                lostEvents += 1
                lost += change.lost ?? 0
                #expect(change.detail?.contains("ENOSPC") == true)
            default: break
            }
        }
        #expect(lostEvents == 1)
        // The `started` event was the first one lost.
        #expect(lost > 1, "the disk was full for the module's first 0.6 s")
        #expect(UInt64(refusals) + lost == UInt64(total) + 1, "\(refusals) written + \(lost) lost")
    }

    /// Whether `pid` has a child process yet (warden's worker).
    static func hasChild(_ pid: Int32) -> Bool {
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return !children.trimmingCharacters(in: .whitespaces).isEmpty
    }

    /// The policy key and the flag: a flag may turn a policy's `continue` into `stop`, never the reverse.
    @Test func theFlagMayOnlyNarrowThePolicy() throws {
        let tree = try TemporaryTree()
        try tree.write("policy.toml", """
            version = 1
            [module]
            name = "probe"
            path = "\(try AuditProbe.module())"
            args = ["escape", "1"]
            [audit]
            on-failure = "stop"
            """)
        let widened = try Warden.run(["--policy", tree.url("policy.toml"), "--audit-on-failure", "continue"], timeout: 30)
        #expect(widened.status == 64, "\(widened.stderr)")
        #expect(widened.stderr.contains("flags may only narrow a policy"))
        let invalid = try Warden.run(["--audit-on-failure", "sometimes", try AuditProbe.module(), "escape", "1"], timeout: 30)
        #expect(invalid.status == 64, "\(invalid.stderr)")
    }
}
