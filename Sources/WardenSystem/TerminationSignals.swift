import CWardenLinux

/// `warden run`'s way of being stopped: SIGTERM, SIGINT, SIGHUP and SIGQUIT blocked in the
/// calling thread and delivered through a signalfd, so a signal ends the run through the
/// launcher's loop (the worker ended, the audit log closed) instead of killing warden.
public enum TerminationSignals {
    /// The signalfd (non-blocking, close-on-exec), or nil when none could be made (the
    /// signals then keep their default action).
    public static func descriptor() -> FileDescriptor? {
        let descriptor = warden_termination_signalfd()
        return descriptor >= 0 ? FileDescriptor(rawValue: descriptor) : nil
    }

    /// The next signal pending on `descriptor`, or nil.
    public static func take(from descriptor: FileDescriptor) -> SignalNumber? {
        let signal = warden_signalfd_take(descriptor.rawValue)
        return signal != 0 ? SignalNumber(rawValue: signal) : nil
    }
}
