import Foundation
import Testing
import WardenTestSupport

extension Faults {
    /// A worker meeting a limit or a hostile environment: it must end the way the limit says,
    /// with its event, never as a crash.
    @Suite struct Workers {
        /// The events warden printed on standard error (no --audit file).
        static func events(_ stderr: String, layer: String) -> [[String: Any]] {
            Warden.auditEvents(in: stderr).filter { $0["layer"] as? String == layer }
        }

        @Test("memory ceiling: memory.grow past the policy's memory fails with -1 and a limit event; the module goes on")
        func memoryCeiling() throws {
            let result = try Warden.run(["--max-memory", "1MiB", try Faults.auditProbe(), "grow", "100"], timeout: 60)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "-1\n")
            let limits = Self.events(result.stderr, layer: "limit")
            #expect(limits.count == 1, "\(result.stderr)")
            #expect(limits.first?["limit"] as? String == "memory" && limits.first?["action"] as? String == "refused")
        }

        @Test("RLIMIT_AS below the memory ceiling: the growth the host cannot back fails with -1 and a limit event, not a crash")
        func addressSpaceLimit() throws {
            // 1 GiB of linear memory asked for, under a 768 MiB address space (warden and its
            // worker inherit it; root cannot raise a hard limit back).
            let result = try Command.run("/usr/bin/prlimit", ["--as=\(768 << 20)", Warden.executable, "run", "--max-memory", "2GiB",
                                                              try Faults.auditProbe(), "grow", "16384"], timeout: 60)
            // Before the limiter asked the address space, the engine's failed allocation
            // trapped the module here (exit 134).
            #expect(!result.signaled)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "-1\n", "\(result.stderr)")
            let limits = Self.events(result.stderr, layer: "limit")
            #expect(limits.contains { $0["limit"] as? String == "memory" }, "\(result.stderr)")
        }

        @Test("a module writing to a closed standard output gets an error back (EPIPE), not SIGPIPE")
        func closedStdout() throws {
            let run = Process()
            run.executableURL = URL(fileURLWithPath: Warden.executable)
            run.arguments = ["run", try Faults.guest("stdout_writer")]
            let output = Pipe(), errors = Pipe()
            run.standardOutput = output
            run.standardError = errors
            try run.run()
            // The reader goes away before the module's first write is read.
            try output.fileHandleForReading.close()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            run.waitUntilExit()
            #expect(run.terminationReason == .exit && run.terminationStatus == 3, "\(run.terminationStatus): \(stderr)")
            #expect(stderr.contains("write failed after") && stderr.contains("Broken pipe"), "\(stderr)")
        }

        @Test("a SIGSTOPped worker still meets its wall-time: ended at the deadline, exit 124, one limit event")
        func stoppedWorkerWallTime() throws {
            let tree = try TemporaryTree()
            try tree.write("policy.toml", """
                version = 1
                [module]
                name = "frozen"
                path = "\(try Faults.auditProbe())"
                args = ["sleep", "30"]
                [limits]
                wall-time = "1500ms"
                [sandbox]
                user = "nobody"
                """)
            let run = Process()
            run.executableURL = URL(fileURLWithPath: Warden.executable)
            run.arguments = ["run", "--policy", tree.url("policy.toml")]
            let errors = Pipe()
            run.standardOutput = FileHandle.nullDevice
            run.standardError = errors
            let started = Date()
            try run.run()
            defer { if run.isRunning { kill(run.processIdentifier, SIGKILL); run.waitUntilExit() } }
            var worker: Int32 = 0
            Faults.eventually(timeout: 10) {
                worker = ProcessTable.children(of: run.processIdentifier).first ?? 0
                return worker > 0
            }
            #expect(worker > 0)
            Thread.sleep(forTimeInterval: 0.2)
            kill(worker, SIGSTOP)
            #expect(Faults.eventually(timeout: 2) { ProcessTable.statFields(worker)?.first == "T" }, "the worker is stopped")
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            run.waitUntilExit()
            let elapsed = Date().timeIntervalSince(started)
            #expect(run.terminationStatus == 124, "\(stderr)")
            #expect(elapsed < 6, "ended at its deadline (1.5 s), not later: \(elapsed) s")
            #expect(stderr.contains("module 'frozen' exceeded its wall-time limit (1500ms); ended"), "\(stderr)")
            let limits = Self.events(stderr, layer: "limit").filter { $0["limit"] as? String == "wall-time" }
            #expect(limits.count == 1, "\(stderr)")
            #expect(!WardendHarness.isAlive(worker))
        }
    }
}
