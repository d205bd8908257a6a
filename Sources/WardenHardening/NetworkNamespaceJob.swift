import CWardenLinux
import WardenSystem

/// An empty network namespace made for a worker before it asks for one: the kernel takes
/// 0.5-0.8 ms to set one up, so a launcher starts it as soon as a launch begins, on a
/// short-lived C thread that does nothing else (no Swift, no allocation, a 64 KiB stack).
/// Needs CAP_SYS_ADMIN.
public final class NetworkNamespaceJob {
    private var job: OpaquePointer?

    /// Starts making one on its own thread; if no thread can be started, `take()` makes it.
    public init() {
        job = warden_netns_begin()
    }

    /// The namespace (a descriptor to pass to the worker), waiting for the thread if needed;
    /// nil when the kernel refused one here (the worker then makes its own, as an
    /// unprivileged one does). Throws only when this thread could not return to warden's own
    /// network namespace. Call once.
    public func take() throws(Errno) -> FileDescriptor? {
        let descriptor: Int32
        if let job {
            self.job = nil
            descriptor = warden_netns_end(job)
        } else {
            descriptor = warden_new_netns()
        }
        if descriptor == -2 { throw .current }
        return descriptor >= 0 ? FileDescriptor(rawValue: descriptor) : nil
    }

    /// A launch that stops early still waits for its thread and closes what it made.
    deinit {
        if let job {
            let descriptor = warden_netns_end(job)
            if descriptor >= 0 { try? FileDescriptor(rawValue: descriptor).close() }
        }
    }
}
