import Glibc
import Testing
import WardenIPC
import WardenSystem

/// Frames on a control socket are credited to the process the kernel names as their sender
/// (SO_PASSCRED); a frame whose bytes two processes wrote is credited to no one.
@Suite struct FrameSenderTests {
    /// Writes `bytes` to `fd` from a forked child (only write(2) and _exit(2) run there).
    func writeFromChild(_ fd: Int32, _ bytes: [UInt8]) -> pid_t {
        let child = fork()
        if child == 0 {
            bytes.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
            _exit(0)
        }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        return child
    }

    @Test func framesNameTheirSenderAndASplitFrameNamesNoOne() throws {
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]); close(pair[1]) }
        var reader = FrameReader(socket: FileDescriptor(rawValue: pair[0]))
        try reader.attestSenders()
        let frame: [UInt8] = [6, 0, 0, 0] + Array("abcdef".utf8)
        // A whole frame from one child; then one frame split across two children.
        let whole = writeFromChild(pair[1], frame)
        _ = writeFromChild(pair[1], Array(frame[..<7]))
        _ = writeFromChild(pair[1], Array(frame[7...]))
        #expect(fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK) == 0)
        let events = try reader.drain()
        let senders: [pid_t?] = events.compactMap { if case .frame(let payload, _, let sender) = $0, payload == Array("abcdef".utf8) { sender } else { nil } }
        #expect(senders.count == 2)
        #expect(senders.first == whole, "the whole frame names its writer")
        #expect(senders.last == .some(nil), "the split frame names no one")
    }
}
