import CWardenLinux
import Glibc

public struct PollRequest: Sendable {
    public var descriptor: FileDescriptor
    public var events: Int16
    public var returnedEvents: Int16 = 0
    public init(descriptor: FileDescriptor, events: Int16) {
        self.descriptor = descriptor
        self.events = events
    }
    public static let readable = Int16(POLLIN)
    public static let writable = Int16(POLLOUT)
}

/// ppoll(2) with a nanosecond timeout (`nil` waits forever). Returns how many requests are
/// ready; an interrupted wait returns 0 so the caller re-evaluates its deadlines.
public func ppoll(_ requests: inout [PollRequest], timeoutNanoseconds: UInt64?) throws(Errno) -> Int {
    var raw = requests.map { pollfd(fd: $0.descriptor.rawValue, events: $0.events, revents: 0) }
    var timeout = timespec()
    if let nanoseconds = timeoutNanoseconds {
        timeout.tv_sec = Int(min(nanoseconds / 1_000_000_000, UInt64(Int32.max)))
        timeout.tv_nsec = Int(nanoseconds % 1_000_000_000)
    }
    let ready = raw.withUnsafeMutableBufferPointer { buffer in
        timeoutNanoseconds == nil
            ? warden_ppoll(buffer.baseAddress, nfds_t(buffer.count), nil)
            : warden_ppoll(buffer.baseAddress, nfds_t(buffer.count), &timeout)
    }
    if ready < 0 {
        let error = Errno.current
        if error == .interrupted { return 0 }
        throw error
    }
    for index in raw.indices { requests[index].returnedEvents = raw[index].revents }
    return Int(ready)
}
