import CWardenLinux
import Glibc

extension FileDescriptor {
    /// Makes this descriptor number refer to `other`'s open file, atomically (dup3), and closes
    /// `other`. A writer using this number concurrently writes wholly to the old file or wholly
    /// to the new one: how a log file is swapped after rotation without losing a line.
    public func replace(with other: FileDescriptor) throws(Errno) {
        _ = try retryingOnInterrupt { dup3(other.rawValue, rawValue, O_CLOEXEC) }
        try other.close()
    }

    /// One datagram (send(2) with MSG_NOSIGNAL); throws EMSGSIZE when it does not fit.
    public func sendDatagram(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        _ = try retryingOnInterrupt { Glibc.send(rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }
}

extension AmbientAuthority {
    /// A datagram socket connected to the unix socket at `path` (e.g. the journal's).
    public func connectUnixDatagram(_ path: String) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingOnInterrupt { warden_connect_unix_dgram(path) })
    }
}

/// SIGHUP as a flag: `watch()` installs a handler that only records the signal, `take()` says
/// (once) whether one arrived. Log writers poll it between events to reopen after rotation.
public enum HangupSignal {
    public static func watch() throws(Errno) {
        if warden_hangup_watch() != 0 { throw Errno.current }
    }

    public static func take() -> Bool { warden_hangup_take() != 0 }
}

/// The signals that end a long-running command (SIGINT, SIGTERM, SIGHUP), unblocked: a process
/// started from a thread that blocks them (Dispatch worker threads do) inherits that mask, and
/// `warden audit --follow` must still stop when asked.
public func unblockTerminationSignals() {
    var set = sigset_t()
    sigemptyset(&set)
    for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signal) }
    sigprocmask(SIG_UNBLOCK, &set, nil)
}
