import CWardenLinux
import Glibc

/// Socket calls on descriptors that were handed in (the sandbox never creates sockets itself
/// from the guest's side; the launcher with ambient authority creates listeners).
extension FileDescriptor {
    public func accept(nonBlocking: Bool) throws(Errno) -> FileDescriptor {
        let flags = Int32(SOCK_CLOEXEC.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        return FileDescriptor(rawValue: try retryingOnInterrupt { warden_accept4(rawValue, flags) })
    }

    public func receive(_ vectors: UnsafeMutableBufferPointer<iovec>, flags: Int32) throws(Errno) -> (count: Int, truncated: Bool) {
        var header = msghdr()
        header.msg_iov = vectors.baseAddress
        header.msg_iovlen = vectors.count
        let count = try retryingOnInterrupt { recvmsg(rawValue, &header, flags) }
        return (count, (header.msg_flags & Int32(MSG_TRUNC)) != 0)
    }

    public func send(_ vectors: UnsafeMutableBufferPointer<iovec>) throws(Errno) -> Int {
        var header = msghdr()
        header.msg_iov = vectors.baseAddress
        header.msg_iovlen = vectors.count
        // MSG_NOSIGNAL: a peer that went away is EPIPE for the guest, not SIGPIPE for us.
        return try retryingOnInterrupt { sendmsg(rawValue, &header, Int32(MSG_NOSIGNAL)) }
    }

    public func shutdown(reading: Bool, writing: Bool) throws(Errno) {
        let how: Int32 = reading && writing ? Int32(SHUT_RDWR) : (reading ? Int32(SHUT_RD) : Int32(SHUT_WR))
        _ = try retryingOnInterrupt { Glibc.shutdown(rawValue, how) }
    }

    /// SOCK_STREAM or SOCK_DGRAM, or nil when this is not a socket.
    public func socketType() -> Int32? {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(rawValue, SOL_SOCKET, SO_TYPE, &type, &length) == 0 ? type : nil
    }
}
