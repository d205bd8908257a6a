import Foundation
import Testing
import WardenTestSupport

/// sd_notify(3) as systemd's Type=notify sees it, through a datagram socket of our own as
/// $NOTIFY_SOCKET: READY=1 once the modules are started, STATUS lines, WATCHDOG=1 at half
/// of WATCHDOG_USEC, STOPPING=1 on SIGTERM.
@Suite(.serialized) struct NotifyTests {
    @Test("READY, STATUS, WATCHDOG and STOPPING reach $NOTIFY_SOCKET")
    func notifications() throws {
        let wardend = try WardendHarness(launch: false)
        try wardend.policy("ticker", module: try ModeTests.guest("sleeper"), service: "mode = \"daemon\"")
        let path = wardend.tree.url("notify.sock")
        let socket = try Self.datagramSocket(path)
        defer { close(socket) }
        try wardend.start([], environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"])
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && messages.filter({ $0 == "WATCHDOG=1" }).count < 2 {
            if let message = Self.receive(socket) { messages.append(message) }
        }
        #expect(messages.first?.hasPrefix("READY=1\nSTATUS=1 modules:") == true, "\(messages)")
        #expect(messages.contains("STATUS=1 modules: 1 running, 0 failed"), "\(messages)")
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 2, "pinged every 100 ms: \(messages)")
        kill(wardend.process.processIdentifier, SIGTERM)
        var stopping = false
        while Date() < deadline.addingTimeInterval(5) && !stopping {
            if let message = Self.receive(socket) { stopping = message == "STOPPING=1" }
        }
        #expect(stopping)
        #expect(wardend.waitForExit(timeout: 10) == 0)
        #expect(!wardend.log.contains("notify socket"), "no send errors: \(wardend.log)")
    }

    static func datagramSocket(_ path: String) throws -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw Guests.BuildError(description: "bind \(path): errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func receive(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}
