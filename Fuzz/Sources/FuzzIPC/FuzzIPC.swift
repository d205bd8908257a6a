import Glibc
import WardenIPC
import WardenSystem

// The launcher's side of the worker protocol, fed what a compromised worker could send:
// any bytes on its control socket, split anywhere. The launcher must get frames, an
// end-of-stream or a `Failure` (on which it ends the worker), and each frame a message or a
// `WireError` — never a crash, a hang or an allocation the bytes asked for but did not send.
//
// Also: a message or configuration that decodes encodes back to the same bytes (one wire form
// per message, so nothing can be smuggled in a non-canonical encoding).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIPC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    decodeMessage(bytes)
    if let configuration = try? WorkerConfiguration.decode(bytes), configuration.encoded() != bytes {
        fatalError("configuration re-encodes differently")
    }
    readFrames(bytes)
    return 0
}

func decodeMessage(_ payload: [UInt8]) {
    guard let message = try? WorkerMessage.decode(payload) else { return }
    guard message.encoded() == payload else { fatalError("message re-encodes differently: \(message)") }
}

/// Sends the bytes over a socket pair in two writes (split where the first byte says), with a
/// drain after each, then closes the worker's end and drains to the end of the stream.
func readFrames(_ bytes: [UInt8]) {
    var pair: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
        fatalError("socketpair: \(errno)")
    }
    defer { close(pair[0]) }
    var reader = FrameReader(socket: FileDescriptor(rawValue: pair[0]))
    do { try reader.attestSenders() } catch { fatalError("SO_PASSCRED: \(error)") }
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    var ended = false
    var failed = false
    func drain() {
        guard !ended, !failed else { return }
        do {
            for event in try reader.drain() {
                switch event {
                case .frame(let payload, let descriptor, let sender):
                    guard payload.count <= 16 << 20 else { fatalError("frame of \(payload.count) bytes") }
                    guard descriptor == nil else { fatalError("a descriptor nobody sent") }
                    guard sender == nil || sender == getpid() else { fatalError("frame credited to pid \(sender!)") }
                    decodeMessage(payload)
                case .endOfStream:
                    ended = true
                }
            }
        } catch {
            failed = true  // the launcher ends the worker here
        }
    }
    send(pair[1], bytes[..<split])
    drain()
    send(pair[1], bytes[split...])
    close(pair[1])
    drain()
    guard ended || failed else { fatalError("no end of stream after the peer closed") }
    reader.closeStrays()
}

func send(_ socket: Int32, _ bytes: ArraySlice<UInt8>) {
    guard !bytes.isEmpty else { return }
    let sent = bytes.withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
    guard sent == bytes.count else { fatalError("short write of \(bytes.count) bytes: \(sent), errno \(errno)") }
}
