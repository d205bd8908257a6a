import CWardenLinux

/// wardend's start-up: from the moment it creates anything that must be cleaned up (its
/// control socket) until its service group handles SIGTERM and SIGINT itself, those signals
/// are only noted, never fatal. The service group then replaces the handler; a signal that
/// came before is acted on as if it had come after.
public enum EarlyTermination {
    /// Installs the noting handler for SIGTERM and SIGINT.
    public static func catchSignals() throws(Errno) {
        if warden_catch_early_termination() != 0 { throw .current }
    }

    /// The signal that arrived while the noting handler was installed, if any.
    public static var requested: SignalNumber? {
        let signal = warden_early_termination_signal()
        return signal == 0 ? nil : SignalNumber(rawValue: signal)
    }
}
