import Foundation
import Testing
import WardenTestSupport

extension Faults {
    /// The audit log failing under a module that keeps refusing.
    @Suite struct AuditLog {
        /// The audit lines of a file (or of text read from one), decoded.
        static func objects(_ text: String) -> [[String: Any]] { Warden.auditEvents(in: text) }

        static func policy(name: String, probeArguments: [String], grant: String, log: String, extra: String = "") throws -> String {
            """
            version = 1
            [module]
            name = "\(name)"
            path = "\(try Faults.auditProbe())"
            args = [\(probeArguments.map { "\"\($0)\"" }.joined(separator: ", "))]
            [[preopen]]
            host = "\(grant)"
            guest = "/in"
            access = "read"
            [sandbox]
            user = "nobody"
            [audit]
            log = "\(log)"
            \(extra)
            """
        }

        @Test("wardend, disk full: the module is ended with the reason in wardend's log, and comes back once the disk has room",
              .enabled(if: Tmpfs.available, "mounting a tmpfs needs root (CAP_SYS_ADMIN)"))
        func wardendFailsClosed() throws {
            let disk = try Tmpfs(size: "256k")
            let wardend = try WardendHarness(launch: false)
            try wardend.tree.makeDirectory("in")
            let log = disk.path + "/audit.jsonl"
            try wardend.tree.write("policies/prober.toml", try Self.policy(
                name: "prober", probeArguments: ["escape", "1000000", "paced", "5"], grant: wardend.tree.url("in"), log: log,
                extra: "[service]\nmode = \"daemon\"\nrestart = \"always\""))
            try wardend.start(["--start-limit-burst", "1000"])
            let first = try #require((try wardend.waitFor("prober", "running") { $0["state"] as? String == "running" })["pids"] as? [Int])
            #expect(Faults.eventually(timeout: 10) { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("\"layer\":\"wasi\"") })

            try disk.fill()
            let reason = "module \"prober\": could no longer write its audit events (No space left on device (ENOSPC)); ended ([audit] on-failure = stop)"
            #expect(Faults.eventually(timeout: 10) { wardend.log.contains(reason) }, "\(wardend.log)")
            let failed = Self.objects(wardend.log).filter { $0["action"] as? String == "audit-failed" }
            #expect(!failed.isEmpty, "the lifecycle reason is in wardend's own log too")
            #expect((failed.first?["detail"] as? String)?.contains("ENOSPC") == true)
            #expect(failed.first?["module"] as? String == "prober")
            // The end is the audit failure's own status (123), not a crash.
            try wardend.waitFor("prober", "ended for its audit log") { $0["last_exit"] as? Int == 123 }

            disk.free()
            try wardend.waitFor("prober", timeout: 15, "back once the log takes events") {
                $0["state"] as? String == "running" && ($0["pids"] as? [Int]) != first && ($0["uptime_seconds"] as? Int ?? 0) >= 1
            }
            let after = Self.objects((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
            #expect(after.contains { $0["action"] as? String == "started" && $0["pid"] as? Int != first.first })
            #expect(wardend.terminate() == 0, "\(wardend.log)")
        }

        @Test("the audit log renamed, then deleted, under a flood: nothing is lost (stop), or the loss is counted (continue)",
              arguments: ["stop", "continue"])
        func renamedAndDeleted(_ onFailure: String) throws {
            let tree = try TemporaryTree()
            try tree.makeDirectory("in")
            let log = tree.url("audit.jsonl")
            let total = 1500
            try tree.write("policy.toml", try Self.policy(
                name: "prober", probeArguments: ["escape", String(total), "paced", "1"], grant: tree.url("in"), log: log,
                extra: "rate-limit = 1000000\non-failure = \"\(onFailure)\""))
            let run = Process()
            run.executableURL = URL(fileURLWithPath: Warden.executable)
            run.arguments = ["run", "--policy", tree.url("policy.toml")]
            let output = Pipe(), errors = Pipe()
            run.standardOutput = output
            run.standardError = errors
            try run.run()
            defer { if run.isRunning { kill(run.processIdentifier, SIGKILL); run.waitUntilExit() } }

            #expect(Faults.eventually(timeout: 20) { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count > 100 })
            let rotated = tree.url("audit.jsonl.1")
            #expect(rename(log, rotated) == 0)
            Thread.sleep(forTimeInterval: 0.3)
            // Hold the renamed file open (what is written to it stays readable), then delete it.
            let held = try FileHandle(forReadingFrom: URL(fileURLWithPath: rotated))
            #expect(unlink(rotated) == 0)
            let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            run.waitUntilExit()
            #expect(run.terminationStatus == 0, "\(stderr)")
            #expect(stdout == "\(total)\n")

            let old = Self.objects(String(decoding: held.readDataToEndOfFile(), as: UTF8.self))
            let new = Self.objects((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
            #expect(!new.isEmpty, "events after the delete went to a new file by the same name")
            let refusals = (old + new).filter { $0["layer"] as? String == "wasi" }.count
            let lost = (old + new).filter { $0["action"] as? String == "audit-lost" }.compactMap { $0["lost"] as? Int }.reduce(0, +)
            #expect(refusals + lost == total, "\(refusals) written + \(lost) lost")
            if onFailure == "stop" { #expect(refusals == total) }
            #expect(new.last?["action"] as? String == "exited")
        }
    }
}
