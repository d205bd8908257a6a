import CWardenLinux
import Glibc

/// Messages on Unix stream sockets that carry a descriptor (SCM_RIGHTS) and, where asked
/// for, the sender's pid as the kernel attests it (SCM_CREDENTIALS). The shim retries EINTR.
extension FileDescriptor {
    /// What one `receiveMessage` call read.
    public struct ReceivedMessage {
        /// Bytes read; 0 at end of stream.
        public var count: Int
        /// A descriptor that came with the bytes (close-on-exec); further ones are closed.
        public var descriptor: FileDescriptor?
        /// The sending process, when SO_PASSCRED is on and the kernel attached credentials.
        public var sender: pid_t?
    }

    /// sendmsg(MSG_NOSIGNAL) of `bytes`, passing `descriptor` with SCM_RIGHTS when given.
    /// Returns how many bytes went (a stream socket may take fewer).
    public func send(_ bytes: UnsafeRawBufferPointer, passing descriptor: FileDescriptor?) throws(Errno) -> Int {
        let sent = warden_send_with_fd(rawValue, bytes.baseAddress, bytes.count, descriptor?.rawValue ?? -1)
        if sent < 0 { throw .current }
        return sent
    }

    /// The most descriptors one message carries (`send(_:passing:)`, `receiveMessage(into:keeping:)`).
    public static let maximumPassed = Int(WARDEN_MAX_PASSED_FDS)

    /// sendmsg(MSG_NOSIGNAL) of `bytes` with `descriptors` (at most `maximumPassed`) in one SCM_RIGHTS
    /// message: the receiver gets all of them with the first byte, or none.
    public func send(_ bytes: UnsafeRawBufferPointer, passing descriptors: [FileDescriptor]) throws(Errno) -> Int {
        let numbers = descriptors.map(\.rawValue)
        let sent = numbers.withUnsafeBufferPointer { warden_send_with_fds(rawValue, bytes.baseAddress, bytes.count, $0.baseAddress, Int32($0.count)) }
        if sent < 0 { throw .current }
        return sent
    }

    /// recvmsg(MSG_CMSG_CLOEXEC) into `buffer`, keeping up to `capacity` (at most `maximumPassed`) passed
    /// descriptors, in the order sent; any beyond are closed.
    public func receiveMessage(into buffer: UnsafeMutableRawBufferPointer, keeping capacity: Int) throws(Errno) -> (count: Int, descriptors: [FileDescriptor]) {
        var numbers = [Int32](repeating: -1, count: Self.maximumPassed)
        var kept: Int32 = 0
        var sender: pid_t = -1
        let count = numbers.withUnsafeMutableBufferPointer {
            warden_recv_with_fds_and_sender(rawValue, buffer.baseAddress, buffer.count, $0.baseAddress, Int32(min(capacity, Self.maximumPassed)), &kept, &sender)
        }
        if count < 0 { throw .current }
        return (count, numbers.prefix(Int(kept)).map { FileDescriptor(rawValue: $0) })
    }

    /// recvmsg(MSG_CMSG_CLOEXEC) into `buffer`.
    public func receiveMessage(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> ReceivedMessage {
        var passed: Int32 = -1
        var sender: pid_t = -1
        let count = warden_recv_with_fd_and_sender(rawValue, buffer.baseAddress, buffer.count, &passed, &sender)
        if count < 0 { throw .current }
        return ReceivedMessage(count: count, descriptor: passed >= 0 ? FileDescriptor(rawValue: passed) : nil,
                               sender: sender >= 0 ? sender : nil)
    }

    /// SO_PASSCRED on: every message received from now on carries its sender's credentials
    /// (the kernel records a sender only while it is on).
    public func passCredentials() throws(Errno) {
        if warden_pass_credentials(rawValue) != 0 { throw .current }
    }
}
