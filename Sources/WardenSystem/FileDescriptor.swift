import CWardenLinux
import Glibc

/// An open host descriptor. A plain value: ownership (who closes it) is the holder's concern.
public struct FileDescriptor: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    @inlinable public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let standardInput = FileDescriptor(rawValue: 0)
    public static let standardOutput = FileDescriptor(rawValue: 1)
    public static let standardError = FileDescriptor(rawValue: 2)

    public var description: String { "fd \(rawValue)" }

    public func close() throws(Errno) {
        // close(2) must not be retried on EINTR: the descriptor is gone either way on Linux.
        if Glibc.close(rawValue) != 0 {
            let error = Errno.current
            if error != .interrupted { throw error }
        }
    }

    /// A duplicate at or above `minimum`, close-on-exec.
    public func duplicate(atLeast minimum: Int32 = 0) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingOnInterrupt { warden_fcntl_dupfd_cloexec(rawValue, minimum) })
    }

    /// Makes `target` refer to this descriptor's open file (dup2): `target` is closed first if
    /// open, and the copy is not close-on-exec. How a zygote instance puts its connection on
    /// stdin and stdout. No allocation.
    public func duplicate(onto target: FileDescriptor) throws(Errno) {
        _ = try retryingOnInterrupt { dup2(rawValue, target.rawValue) }
    }

    /// Sets FD_CLOEXEC (descriptors inherited from systemd arrive without it).
    public func setCloseOnExec() throws(Errno) {
        _ = try retryingOnInterrupt { warden_fcntl_setfd(rawValue, FD_CLOEXEC) }
    }

    public func statusFlags() throws(Errno) -> Int32 {
        try retryingOnInterrupt { warden_fcntl_getfl(rawValue) }
    }

    public func setStatusFlags(_ flags: Int32) throws(Errno) {
        _ = try retryingOnInterrupt { warden_fcntl_setfl(rawValue, flags) }
    }

    /// Turns O_NONBLOCK on or off, keeping the other status flags.
    public func setNonBlocking(_ on: Bool) throws(Errno) {
        let flags = try statusFlags()
        try setStatusFlags(on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    /// Bytes ready to read without blocking (pipes, sockets, ttys).
    public func bytesReadable() throws(Errno) -> Int {
        var count: Int32 = 0
        _ = try retryingOnInterrupt { warden_fionread(rawValue, &count) }
        return Int(count)
    }
}
