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
        try send(payload, passing: descriptor.map { [$0] } ?? [])
    }

    /// A frame with `descriptors` (at most `FileDescriptor.maximumPassed`), all attached to its first byte.
    public func send(_ payload: [UInt8], passing descriptors: [FileDescriptor]) throws(Errno) {
        var frame = WireWriter()
        frame.u32(UInt32(payload.count))
        var bytes = frame.bytes
        bytes.append(contentsOf: payload)
        // Plain write(2) unless a descriptor rides along: a hardened worker's seccomp filter
        // allows sendmsg only where it must (passing its notification listener).
        let sent = try bytes.withUnsafeBytes { raw in
            Result { () throws(Errno) in
                if descriptors.isEmpty { try socket.write(raw) } else { try socket.send(raw, passing: descriptors) }
            }
        }.get()
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
        guard let frame = try receive(keeping: 1) else { return nil }
        return (frame.payload, frame.descriptors.first)
    }

    /// The next frame and up to `capacity` descriptors that came with it (any more are
    /// closed), or nil at end of stream.
    public func receive(keeping capacity: Int) throws(Errno) -> (payload: [UInt8], descriptors: [FileDescriptor])? {
        var header = [UInt8](repeating: 0, count: 4)
        let first = try header.withUnsafeMutableBytes { raw in
            Result { () throws(Errno) in try socket.receiveMessage(into: raw, keeping: capacity) }
        }.get()
        if first.count == 0 { return nil }
        do throws(Errno) {
            if first.count < 4 { try readExactly(&header, from: first.count) }
            let length = Self.frameLength(header)
            guard length <= Self.maximumFrame else { throw .messageTooLong }
            var payload = [UInt8](repeating: 0, count: length)
            try readExactly(&payload, from: 0)
            return (payload, first.descriptors)
        } catch {
            for descriptor in first.descriptors { try? descriptor.close() }
            throw error
        }
    }

    private func readExactly(_ buffer: inout [UInt8], from start: Int) throws(Errno) {
        var done = start
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, buffer.count), alignment: 1)
        defer { chunk.deallocate() }
        while done < buffer.count {
            let count = try socket.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<(buffer.count - done)]))
            if count == 0 { throw .brokenPipe }
            for index in 0..<count { buffer[done + index] = chunk[index] }
            done += count
        }
    }
}
