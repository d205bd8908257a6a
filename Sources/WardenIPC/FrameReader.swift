// Glibc for types only: pid_t
import Glibc
import WardenSystem

/// Reassembles length-prefixed frames from a non-blocking stream socket inside a poll loop,
/// so a peer that sends half a frame (or nothing) can never block the reader. Descriptors
/// passed with SCM_RIGHTS ride with the frame being assembled when they arrive.
public struct FrameReader {
    public enum Event {
        /// A frame, the descriptor that came with it, and its sender's pid as the kernel
        /// attested it (nil when senders are not attested, or when the frame's bytes came
        /// from more than one process: interleaved writes).
        case frame([UInt8], FileDescriptor?, sender: pid_t?)
        case endOfStream
    }

    public enum Failure: Error, Sendable, Equatable {
        case oversized(Int)
        case io(Errno)
    }

    let socket: FileDescriptor
    var buffer: [UInt8] = []
    var pendingDescriptors: [FileDescriptor] = []
    let chunk = 64 << 10
    /// Who sent the buffered bytes, in order: (byte count, pid), when senders are attested.
    var senders: [(count: Int, pid: pid_t)] = []
    /// Whether the kernel attests senders (`attestSenders()` succeeded).
    public private(set) var attested = false

    public init(socket: FileDescriptor) { self.socket = socket }

    /// Asks the kernel to attest each message's sender (SO_PASSCRED): a zygote's instances
    /// share their control socket, and a report must be attributed to the process that sent
    /// it, whatever the report says.
    public mutating func attestSenders() throws(Errno) {
        try socket.passCredentials()
        attested = true
    }

    /// Reads what is available now (the socket must be non-blocking) and returns the complete
    /// frames, in order; `.endOfStream` last when the peer closed.
    public mutating func drain() throws(Failure) -> [Event] {
        var events: [Event] = []
        var scratch = [UInt8](repeating: 0, count: chunk)
        while true {
            let message: FileDescriptor.ReceivedMessage
            do throws(Errno) {
                message = try scratch.withUnsafeMutableBytes { raw in
                    Result { () throws(Errno) in try socket.receiveMessage(into: raw) }
                }.get()
            } catch {
                if error == .wouldBlock { break }
                // The peer closed while something we sent was still unread (a worker that
                // died, or never read all of its configuration): a hang-up like any other,
                // after whatever it sent first. How it ended is its exit status's to say.
                if error == .connectionReset {
                    try collect(into: &events)
                    events.append(.endOfStream)
                    return events
                }
                throw .io(error)
            }
            if let passed = message.descriptor { pendingDescriptors.append(passed) }
            let count = message.count
            if count == 0 {
                try collect(into: &events)
                events.append(.endOfStream)
                return events
            }
            buffer.append(contentsOf: scratch[0..<count])
            if attested { senders.append((count, message.sender ?? -1)) }
            try collect(into: &events)
        }
        return events
    }

    private mutating func collect(into events: inout [Event]) throws(Failure) {
        while buffer.count >= 4 {
            let length = ControlChannel.frameLength(buffer)
            guard length <= ControlChannel.maximumFrame else { throw .oversized(length) }
            guard buffer.count >= 4 + length else { return }
            let payload = Array(buffer[4..<4 + length])
            buffer.removeFirst(4 + length)
            let descriptor = pendingDescriptors.isEmpty ? nil : pendingDescriptors.removeFirst()
            events.append(.frame(payload, descriptor, sender: attested ? takeSender(of: 4 + length) : nil))
        }
    }

    /// The one process that sent the next `count` buffered bytes, or nil if several did.
    private mutating func takeSender(of count: Int) -> pid_t? {
        var remaining = count
        var found: pid_t?
        var mixed = false
        while remaining > 0, !senders.isEmpty {
            let run = senders[0]
            if found == nil { found = run.pid } else if found != run.pid { mixed = true }
            if run.count <= remaining {
                remaining -= run.count
                senders.removeFirst()
            } else {
                senders[0].count -= remaining
                remaining = 0
            }
        }
        return mixed || found == -1 ? nil : found
    }

    /// Closes descriptors that arrived without a frame to carry them.
    public mutating func closeStrays() {
        for descriptor in pendingDescriptors { try? descriptor.close() }
        pendingDescriptors.removeAll()
    }
}
