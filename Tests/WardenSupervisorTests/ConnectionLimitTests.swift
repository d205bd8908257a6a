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
        let fields = try wardend.waitFor("stuck", "ended instance accounted") { $0["last_exit"] as? Int == 124 && $0["connections"] as? Int == 0 }
        #expect(fields["state"] as? String == "running", "the zygote keeps serving")
        let events = Warden.auditEvents(in: wardend.log)
        #expect(events.contains { $0["layer"] as? String == "limit" && $0["limit"] as? String == "connection-wall-time" && $0["value"] as? String == "300ms" },
                "\(wardend.log)")
        #expect(wardend.terminate() == 0)
    }
}

/// Descriptors: wardend holds a pidfd per live instance, so it takes its whole hard limit, and
/// with the table full it still serves (untracked instances) without spinning.
@Suite(.serialized) struct DescriptorLimitTests {
    static let prlimit = "/usr/bin/prlimit"

    @Test("the soft RLIMIT_NOFILE is raised to the hard limit",
          .enabled(if: FileManager.default.isExecutableFile(atPath: prlimit), "needs prlimit(1)"))
    func raisesSoftLimit() throws {
        let wardend = try WardendHarness(launch: false)
        try wardend.start([], prefix: [Self.prlimit, "--nofile=64:4096", "--"])
        let deadline = Date().addingTimeInterval(10)
        while !wardend.log.contains("supervising") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let limits = try String(contentsOfFile: "/proc/\(wardend.process.processIdentifier)/limits", encoding: .utf8)
        let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map(String.init) ?? ""
        #expect(line.split(separator: " ", omittingEmptySubsequences: true).suffix(3).prefix(2) == ["4096", "4096"], "\(line)")
        #expect(wardend.terminate() == 0)
    }

    @Test("with its descriptor table full, wardend still serves every connection and does not spin",
          .enabled(if: FileManager.default.isExecutableFile(atPath: prlimit), "needs prlimit(1)"))
    func fullTable() throws {
        let wardend = try WardendHarness(launch: false)
        let port = WardendHarness.freePort()
        try wardend.policy("slow", module: try ModeTests.guest("sleeper"), args: ["1500"],
                           service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]\nmax-connections = 200")
        try wardend.start([], prefix: [Self.prlimit, "--nofile=40:40", "--"])
        try wardend.waitFor("slow", "running") { $0["state"] as? String == "running" }
        let pid = wardend.process.processIdentifier
        let first = (0..<30).map { _ in Client.connect(port) }
        Thread.sleep(forTimeInterval: 0.4)
        let second = (0..<5).map { _ in Client.connect(port) }
        defer { for fd in first + second where fd >= 0 { close(fd) } }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
        #expect(open >= 38, "the table is (nearly) full: \(open) of 40")
        let cpuBefore = Self.cpuTicks(pid)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(Self.cpuTicks(pid) - cpuBefore < 25, "wardend spun")
        for fd in first + second where fd >= 0 { #expect(Client.readAll(fd) == "done\n") }
        #expect(Client.exchange(port, "") == "done\n")
        #expect(wardend.terminate() == 0)
    }

    /// utime + stime of a process, in clock ticks.
    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }
}
