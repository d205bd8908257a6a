import Glibc

/// A signal number, named, so rooms outside this one need no libc constants to say which.
public struct SignalNumber: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let hangup = SignalNumber(rawValue: SIGHUP)
    public static let interrupt = SignalNumber(rawValue: SIGINT)
    public static let kill = SignalNumber(rawValue: SIGKILL)
    public static let terminate = SignalNumber(rawValue: SIGTERM)
    public static let brokenPipe = SignalNumber(rawValue: SIGPIPE)
    /// Sent on a write past RLIMIT_FSIZE.
    public static let fileSizeExceeded = SignalNumber(rawValue: SIGXFSZ)
    /// Sent by the kernel for a system call a seccomp filter traps or kills.
    public static let badSystemCall = SignalNumber(rawValue: SIGSYS)
    /// Sent at the soft RLIMIT_CPU.
    public static let cpuTimeExceeded = SignalNumber(rawValue: SIGXCPU)

    /// The C library's name for the signal ("Killed", "Bad system call"), for messages.
    public var name: String { String(cString: strsignal(rawValue)) }

    /// Sets this signal's disposition to "ignore" for the whole process (signal(2) SIG_IGN):
    /// a write to a closed pipe is then EPIPE, one past RLIMIT_FSIZE EFBIG, instead of death.
    /// An ignored disposition survives exec; a process spawned with default handlers resets it.
    public func ignore() {
        _ = Glibc.signal(rawValue, SIG_IGN)
    }
}
