import CWardenLinux

/// An eventfd (non-blocking, close-on-exec) another thread signals to wake a poll loop: the
/// loop polls `descriptor` for input and drains it when woken.
public struct WakeupEvent: Sendable {
    public let descriptor: FileDescriptor

    public init() throws(Errno) {
        let fd = warden_eventfd()
        if fd < 0 { throw .current }
        descriptor = FileDescriptor(rawValue: fd)
    }

    /// Adds one to the counter (retrying EINTR); callable from any thread.
    public func signal() { warden_eventfd_signal(descriptor.rawValue) }

    /// Resets the counter, so the next poll waits again.
    public func drain() { warden_eventfd_drain(descriptor.rawValue) }
}
