import CWardenLinux
import Glibc
import WardenSystem

/// Reassembles length-prefixed frames from a non-blocking stream socket inside a poll loop,
/// so a peer that sends half a frame (or nothing) can never block the reader. Descriptors
/// passed with SCM_RIGHTS ride with the frame being assembled when they arrive.
public struct FrameReader {
    public enum Event {
        case frame([UInt8], FileDescriptor?)
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

    public init(socket: FileDescriptor) { self.socket = socket }

    /// Reads what is available now (the socket must be non-blocking) and returns the complete
    /// frames, in order; `.endOfStream` last when the peer closed.
    public mutating func drain() throws(Failure) -> [Event] {
        var events: [Event] = []
        var scratch = [UInt8](repeating: 0, count: chunk)
        while true {
            var passed: Int32 = -1
            let count = scratch.withUnsafeMutableBytes { raw in warden_recv_with_fd(socket.rawValue, raw.baseAddress, raw.count, &passed) }
            if passed >= 0 { pendingDescriptors.append(FileDescriptor(rawValue: passed)) }
            if count < 0 {
                let error = Errno.current
                if error == .wouldBlock { break }
                throw .io(error)
            }
            if count == 0 {
                try collect(into: &events)
                events.append(.endOfStream)
                return events
            }
            buffer.append(contentsOf: scratch[0..<count])
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
            events.append(.frame(payload, descriptor))
        }
    }

    /// Closes descriptors that arrived without a frame to carry them.
    public mutating func closeStrays() {
        for descriptor in pendingDescriptors { try? descriptor.close() }
        pendingDescriptors.removeAll()
    }
}
