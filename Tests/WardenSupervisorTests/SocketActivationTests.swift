import Foundation
import Testing
import WardenTestSupport

/// Sockets handed in by systemd (LISTEN_FDS / LISTEN_FDNAMES), through systemd-socket-activate.
@Suite(.serialized) struct SocketActivationTests {
    static let activate = "/usr/bin/systemd-socket-activate"

    @Test("a socket-activated start serves on the passed descriptor named in systemd:NAME",
          .enabled(if: FileManager.default.isExecutableFile(atPath: activate), "needs systemd-socket-activate(1) (package systemd)"))
    func activated() throws {
        let activate = Self.activate
        let wardend = try WardendHarness(launch: false)
        let port = WardendHarness.freePort()
        try wardend.policy("greeter", module: try ModeTests.guest("greeter"), service: "mode = \"per-connection\"\nlisten = [\"systemd:greeter\"]")
        // systemd-socket-activate listens, then starts wardend with the socket as fd 3 once the
        // first client connects, as systemd would for a .socket unit.
        try wardend.start([], prefix: [activate, "--listen=127.0.0.1:\(port)", "--fdname=greeter"])
        var answer: String?
        let deadline = Date().addingTimeInterval(10)
        while answer == nil && Date() < deadline {
            answer = Client.exchange(port, "activated\n")
            if answer == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(answer == "hello activated #1\n", "\(wardend.log)")
        #expect(Client.exchange(port, "again\n") == "hello again #1\n")
        #expect(wardend.log.contains("supervising 1 module"))
        #expect(wardend.terminate() == 0)
    }
}
