import CWardenLinux
import Glibc
import WardenSystem

/// Length-prefixed frames over a stream socket, optionally carrying one descriptor
/// (SCM_RIGHTS). Frames are bounded so a hostile peer cannot make the reader allocate freely.
public struct ControlChannel: Sendable {
    public let socket: FileDescriptor
    public static let maximumFrame = 16 << 20

    public init(socket: FileDescriptor) { self.socket = socket }

    /// The payload length in a frame's 4-byte little-endian header.
    static func frameLength(_ header: some Collection<UInt8>) -> Int {
        Int(header.prefix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    public func send(_ payload: [UInt8], passing descriptor: FileDescriptor? = nil) throws(Errno) {
        var frame = WireWriter()
        frame.u32(UInt32(payload.count))
        var bytes = frame.bytes
        bytes.append(contentsOf: payload)
        // Plain write(2) unless a descriptor rides along: a hardened worker's seccomp filter
        // allows sendmsg only where it must (passing its notification listener).
        let sent: Int
        if let descriptor {
            sent = bytes.withUnsafeBytes { raw in warden_send_with_fd(socket.rawValue, raw.baseAddress, raw.count, descriptor.rawValue) }
        } else {
            sent = bytes.withUnsafeBytes { raw in Glibc.write(socket.rawValue, raw.baseAddress, raw.count) }
        }
        if sent < 0 { throw Errno.current }
        if sent < bytes.count {
            let rest = Array(bytes[sent...])
            let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: rest.count, alignment: 1)
            defer { raw.deallocate() }
            raw.copyBytes(from: rest)
            try socket.writeAll(UnsafeRawBufferPointer(raw))
        }
    }

    /// The next frame, or nil at end of stream. A passed descriptor comes back with it.
    public func receive() throws(Errno) -> (payload: [UInt8], descriptor: FileDescriptor?)? {
        var header = [UInt8](repeating: 0, count: 4)
        var passed: Int32 = -1
        let first = header.withUnsafeMutableBytes { raw in warden_recv_with_fd(socket.rawValue, raw.baseAddress, 4, &passed) }
        if first < 0 { throw Errno.current }
        if first == 0 { return nil }
        if first < 4 { try readExactly(&header, from: first) }
        let length = Self.frameLength(header)
        guard length <= Self.maximumFrame else {
            if passed >= 0 { Glibc.close(passed) }
            throw Errno(rawValue: EMSGSIZE)
        }
        var payload = [UInt8](repeating: 0, count: length)
        try readExactly(&payload, from: 0)
        return (payload, passed >= 0 ? FileDescriptor(rawValue: passed) : nil)
    }

    private func readExactly(_ buffer: inout [UInt8], from start: Int) throws(Errno) {
        var done = start
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, buffer.count), alignment: 1)
        defer { chunk.deallocate() }
        while done < buffer.count {
            let count = try socket.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<(buffer.count - done)]))
            if count == 0 { throw Errno(rawValue: EPIPE) }
            for index in 0..<count { buffer[done + index] = chunk[index] }
            done += count
        }
    }
}
