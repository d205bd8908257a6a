import CWardenLinux

/// The zygote's signal discipline (a per-connection worker that forks one instance per
/// connection): SIGCHLD and SIGTERM stay blocked except inside `wait`/`pause`, whose ppoll
/// unblocks them atomically, so neither a child's end nor a drain request is lost between
/// checking and sleeping. No allocation: this is the fork loop.
public enum ZygoteSignals {
    /// Installs the no-op SIGCHLD and flag-setting SIGTERM handlers and blocks both.
    public static func install() throws(Errno) {
        if warden_zygote_signals() != 0 { throw .current }
    }

    /// Waits until `descriptor` is readable or a signal arrives; once SIGTERM has come, only
    /// looks without waiting. `nil` watches no descriptor. `readable`: the descriptor has an
    /// event (input, hang-up or error); `terminated`: SIGTERM has arrived (now or before).
    public static func wait(for descriptor: FileDescriptor?) -> (readable: Bool, terminated: Bool) {
        var fd = descriptor?.rawValue ?? -1
        var returned: Int16 = 0
        var terminated: Int32 = 0
        _ = warden_zygote_wait(&fd, descriptor == nil ? 0 : 1, &returned, &terminated)
        return (returned != 0, terminated != 0)
    }

    /// Sleeps until a signal (a child's SIGCHLD) arrives, or returns at once if one is pending.
    public static func pause() {
        warden_zygote_pause()
    }

    /// In a freshly forked instance: default handlers and an empty signal mask again.
    public static func resetInInstance() {
        warden_zygote_child_signals()
    }
}
