import Foundation
import Testing
import WardenTestSupport

/// A signal that ends `warden run` ends the worker too, says so, exits 128 + N, and closes
/// the audit log with a lifecycle event naming the signal (it used to end at `started`).
@Suite struct RunSignalTests {
    @Test("SIGTERM, SIGINT, SIGHUP or SIGQUIT to warden run: message, 128 + N, and a closing lifecycle event",
          arguments: [SIGTERM, SIGINT, SIGHUP, SIGQUIT])
    func signalClosesTheLog(_ signal: Int32) throws {
        let spin = """
            (module
              (memory (export "memory") 1)
              (func (export "_start") (loop $l (br $l))))
            """
        let module = try Guests.wat(spin, name: "spin-signal")
        let tree = try TemporaryTree()
        let audit = tree.url("audit.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Warden.executable)
        process.arguments = ["run", "--audit", audit, "--wall-time", "60s", module]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait for the `started` event: the worker is running the guest.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !((try? tree.read("audit.jsonl")) ?? "").contains("\"started\"") {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(kill(process.processIdentifier, signal) == 0)
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let name = [SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGHUP: "SIGHUP", SIGQUIT: "SIGQUIT"][signal] ?? "?"
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 128 + signal)
        #expect(stderr.contains("warden received \(name); the worker was ended"), "\(stderr)")
        let events = Warden.auditEvents(in: try tree.read("audit.jsonl"))
        let last = try #require(events.last)
        #expect(last["layer"] as? String == "lifecycle")
        #expect(last["action"] as? String == "exited")
        #expect(last["signal"] as? Int == Int(signal))
        #expect(last["status"] as? Int == Int(128 + signal))
        #expect((last["detail"] as? String)?.contains(name) == true, "\(last)")
    }
}
