import Foundation
import Testing
import WardenTestSupport

/// max-connections refuses with a logged reason; connection-wall-time ends an instance.
@Suite(.serialized) struct ConnectionLimitTests {
    @Test("a connection beyond max-connections is refused (closed at once) and logged; the live one is served")
    func fullIsRefused() throws {
        let wardend = try WardendHarness(launch: false)
        let port = WardendHarness.freePort()
        try wardend.policy("slow", module: try ModeTests.guest("sleeper"), args: ["1500"],
                           service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]\nmax-connections = 1")
        try wardend.start([])
        try wardend.waitFor("slow", "running") { $0["state"] as? String == "running" }
        let first = Client.connect(port)
        #expect(first >= 0)
        try wardend.waitFor("slow", "one live") { $0["connections"] as? Int == 1 }
        let started = Date()
        #expect(Client.exchange(port, "") == "", "refused: closed without an answer")
        #expect(Date().timeIntervalSince(started) < 1.0, "refused at once, not queued")
        #expect(Client.readAll(first) == "done\n")
        close(first)
        let fields = try wardend.waitFor("slow", "refusal counted") { $0["connections_refused"] as? Int == 1 }
        #expect(fields["connections_served"] as? Int == 1)
        #expect(wardend.log.contains("module \"slow\": connection refused: max-connections (1) live"), "\(wardend.log)")
        #expect(wardend.terminate() == 0)
    }

    @Test("connection-wall-time ends an instance that takes too long, with a limit audit event")
    func connectionWallTime() throws {
        let wardend = try WardendHarness(launch: false)
        let port = WardendHarness.freePort()
        try wardend.policy("stuck", module: try ModeTests.guest("sleeper"), args: ["60000"],
                           service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]\nconnection-wall-time = \"300ms\"")
        try wardend.start([])
        try wardend.waitFor("stuck", "running") { $0["state"] as? String == "running" }
        let started = Date()
        #expect(Client.exchange(port, "") == "")
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.25 && elapsed < 5, "\(elapsed)")
        let fields = try wardend.waitFor("stuck", "ended instance accounted") { $0["last_exit"] as? Int == 137 && $0["connections"] as? Int == 0 }
        #expect(fields["state"] as? String == "running", "the zygote keeps serving")
        let events = Warden.auditEvents(in: wardend.log)
        #expect(events.contains { $0["layer"] as? String == "limit" && $0["limit"] as? String == "connection-wall-time" && $0["value"] as? String == "300ms" },
                "\(wardend.log)")
        #expect(wardend.terminate() == 0)
    }
}
