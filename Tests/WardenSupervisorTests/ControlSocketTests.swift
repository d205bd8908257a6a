import Foundation
import Testing
import WardenTestSupport

/// The control socket: status, stop/start, and refusal of clients that are not root.
@Suite(.serialized) struct ControlSocketTests {
    @Test("warden status lists state, mode, pids, restarts, last exit, connections, denials, layers and limits")
    func statusText() throws {
        let wardend = try WardendHarness(launch: false)
        try wardend.policy("ticker", module: try ModeTests.guest("sleeper"), service: "mode = \"daemon\"")
        try wardend.start([])
        try wardend.waitFor("ticker", "running") { $0["state"] as? String == "running" }
        let result = try wardend.warden(["status"])
        #expect(result.status == 0, "\(result.stderr)")
        let header = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        for column in ["MODULE", "STATE", "MODE", "PID", "UPTIME", "RESTARTS", "LAST EXIT", "CONNECTIONS", "DENIALS"] {
            #expect(header.contains(column), "\(header)")
        }
        #expect(result.stdout.contains("ticker  running  daemon"), "\(result.stdout)")
        #expect(result.stdout.contains("applied seccomp"))
        #expect(result.stdout.contains("applied landlock") || result.stdout.contains("not applied landlock"))
        #expect(result.stdout.contains("limits: engine memory 16MiB; rlimits cpu 10s"), "\(result.stdout)")
        #expect(result.stdout.contains("cgroup"), "says whether cgroup limits are in force")
        #expect(wardend.terminate() == 0)
    }

    @Test("warden stop keeps a daemon stopped; warden start brings it back; unknown modules are an error")
    func stopAndStart() throws {
        let wardend = try WardendHarness(launch: false)
        try wardend.policy("ticker", module: try ModeTests.guest("sleeper"), service: "mode = \"daemon\"")
        try wardend.start([])
        try wardend.waitFor("ticker", "running") { $0["state"] as? String == "running" }
        #expect(try wardend.warden(["stop", "ticker"]).status == 0)
        try wardend.waitFor("ticker", "stopped") { $0["state"] as? String == "stopped" && ($0["pids"] as? [Int])?.isEmpty == true }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try wardend.status()["ticker"]?["state"] as? String == "stopped", "not restarted")
        #expect(try wardend.warden(["start", "ticker"]).status == 0)
        try wardend.waitFor("ticker", "running again") { $0["state"] as? String == "running" }
        let unknown = try wardend.warden(["restart", "nosuch"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no module named \"nosuch\""))
        #expect(wardend.terminate() == 0)
    }

    @Test("a client that is not root is refused (SO_PEERCRED), even when the socket's mode would let it connect",
          .enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv(1) to run a client as another user"))
    func refusesNonRoot() throws {
        let wardend = try WardendHarness(launch: false)
        try wardend.start([])
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: wardend.controlSocket) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        var info = stat()
        #expect(stat(wardend.controlSocket, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600, "root only by default")
        // Widen the mode (and the directory's) as a mistaken operator might: the credential check still holds.
        chmod(wardend.controlSocket, 0o666)
        chmod(wardend.tree.path, 0o755)
        let result = try Command.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                         Warden.executable, "status", "--socket", wardend.controlSocket])
        #expect(result.status == 1)
        #expect(result.stderr.contains("permission denied: uid 65534"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(wardend.log.contains("control socket: permission denied: uid 65534"))
        #expect(try wardend.warden(["status"]).status == 0, "root still may")
        #expect(wardend.terminate() == 0)
    }
}
