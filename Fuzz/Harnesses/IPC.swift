import Glibc  // socketpair, write, getpid: the bytes travel over a real socket
import WardenIPC
import WardenSystem

// The launcher's side of the worker protocol, fed what a compromised worker could send:
// any bytes on its control socket, split anywhere. The launcher must get frames, an
// end-of-stream or a `Failure` (on which it ends the worker), and each frame a message or a
// `WireError` — never a crash, a hang or an allocation the bytes asked for but did not send.
//
// Also: a message or configuration that decodes encodes back to the same bytes (one wire form
// per message, so nothing can be smuggled in a non-canonical encoding).
enum IPCHarness {
    static let harness = FuzzHarness("FuzzIPC", generatedSeeds: seeds, check: check)

    static func check(_ bytes: [UInt8]) throws(HarnessFailure) {
        try decodeMessage(bytes)
        if let configuration = try? WorkerConfiguration.decode(bytes), configuration.encoded() != bytes {
            throw HarnessFailure("configuration re-encodes differently")
        }
        try readFrames(bytes)
    }

    static func decodeMessage(_ payload: [UInt8]) throws(HarnessFailure) {
        guard let message = try? WorkerMessage.decode(payload) else { return }
        guard message.encoded() == payload else { throw HarnessFailure("message re-encodes differently: \(message)") }
    }

    /// Sends the bytes over a socket pair in two writes (split where the first byte says), with a
    /// drain after each, then closes the worker's end and drains to the end of the stream.
    static func readFrames(_ bytes: [UInt8]) throws(HarnessFailure) {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            fatalError("socketpair: \(errno)")
        }
        var workerEnd = pair[1]
        defer {
            close(pair[0])
            if workerEnd >= 0 { close(workerEnd) }
        }
        var reader = FrameReader(socket: FileDescriptor(rawValue: pair[0]))
        do { try reader.attestSenders() } catch { fatalError("SO_PASSCRED: \(error)") }
        defer { reader.closeStrays() }
        let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        var ended = false
        var failed = false
        func drain() throws(HarnessFailure) {
            guard !ended, !failed else { return }
            let events: [FrameReader.Event]
            do { events = try reader.drain() } catch {
                failed = true  // the launcher ends the worker here
                return
            }
            for event in events {
                switch event {
                case .frame(let payload, let descriptor, let sender):
                    guard payload.count <= 16 << 20 else { throw HarnessFailure("frame of \(payload.count) bytes") }
                    guard descriptor == nil else { throw HarnessFailure("a descriptor nobody sent") }
                    guard sender == nil || sender == getpid() else { throw HarnessFailure("frame credited to pid \(sender!)") }
                    try decodeMessage(payload)
                case .endOfStream:
                    ended = true
                }
            }
        }
        try send(workerEnd, bytes[..<split])
        try drain()
        try send(workerEnd, bytes[split...])
        close(workerEnd)
        workerEnd = -1
        try drain()
        guard ended || failed else { throw HarnessFailure("no end of stream after the peer closed") }
    }

    static func send(_ socket: Int32, _ bytes: ArraySlice<UInt8>) throws(HarnessFailure) {
        guard !bytes.isEmpty else { return }
        let sent = bytes.withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
        guard sent == bytes.count else { fatalError("short write of \(bytes.count) bytes: \(sent), errno \(errno)") }
    }

    /// One file per message kind, each a framed payload as the worker sends it; two frames in
    /// one read; a worker configuration (the other direction's payload).
    static func seeds() -> [(String, [UInt8])] {
        let messages: [WorkerMessage] = [
            .ready(layers: ["rlimits", "landlock", "seccomp"]),
            .listener,
            .denial(operation: "path_open", fd: 5, preopen: "/in", path: "../etc/passwd", reason: "escape-attempt", errno: "notcapable"),
            .kernelRefusal(operation: "path_open", fd: 5, preopen: nil, path: "x", errno: 13),
            .limitReached(limit: "memory", requested: 1 << 30),
            .hardeningFailed(step: "landlock", errno: 1, message: "Operation not permitted"),
            .loadFailed(message: "invalid module"),
            .exited(code: 3), .signaled(signal: 9), .trapped(reason: "unreachable"),
            .timeline(names: ["spawn", "ready"], times: [1, 2]),
            .instanceStarted(pid: 42), .instanceEnded(pid: 42, status: 0),
            .accesses([LearnedAccess(preopen: 0, path: "a/b", kind: 1)]),
            .usage(memoryBytes: 65536, fuelConsumed: 7, peakOpenDescriptors: 5, environmentRead: true),
        ]
        var frames: [[UInt8]] = messages.map(frame)
        frames.append(frame(messages[0]) + frame(messages[2]))
        var configuration = WorkerConfiguration()
        configuration.moduleName = "fuzz"
        configuration.arguments = ["a"]
        configuration.preopens = [.init(guestPath: "/in", readWrite: false)]
        frames.append(configuration.encoded())
        return frames.enumerated().map { ("seed-\($0.offset)", $0.element) }
    }

    static func frame(_ message: WorkerMessage) -> [UInt8] {
        var writer = WireWriter()
        writer.blob(message.encoded())
        return writer.bytes
    }
}
