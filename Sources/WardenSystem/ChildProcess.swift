import CWardenLinux
import Glibc

/// A child process spawned with an exact descriptor layout, held by a pidfd (which never
/// names a recycled pid), and reaped with its resource usage.
public enum ChildProcess {
    /// A connected pair of close-on-exec Unix stream sockets (socketpair(2)).
    public static func socketPair() throws(Errno) -> (FileDescriptor, FileDescriptor) {
        var pair: [Int32] = [-1, -1]
        guard warden_socketpair(&pair) == 0 else { throw .current }
        return (FileDescriptor(rawValue: pair[0]), FileDescriptor(rawValue: pair[1]))
    }

    /// posix_spawn of `path` with `arguments` and an empty environment, where child
    /// descriptor i is `layout[i]` and every other descriptor is closed; signal mask empty,
    /// every signal at its default action. Returns the child's pid.
    public static func spawn(_ path: String, arguments: [String], layout: [Int32]) throws(Errno) -> pid_t {
        var child: pid_t = 0
        let result = withCStrings(arguments) { argv in
            withCStrings([]) { envp in warden_spawn_layout(path, argv, envp, layout, Int32(layout.count), &child) }
        }
        guard result == 0 else { throw .current }
        return child
    }

    /// A pidfd for `pid` (pidfd_open(2)).
    public static func pidfd(for pid: pid_t) throws(Errno) -> FileDescriptor {
        let descriptor = warden_pidfd_open(pid)
        guard descriptor >= 0 else { throw .current }
        return FileDescriptor(rawValue: descriptor)
    }

    /// kill(2) by pid: only for a process that cannot have been reaped yet (this process's
    /// unreaped child, or the sender of a pending seccomp notification).
    public static func signal(_ pid: pid_t, _ signal: SignalNumber) {
        _ = Glibc.kill(pid, signal.rawValue)
    }

    /// How a reaped child ended, and the CPU time it used.
    public struct Ended: Sendable {
        /// The wait status (WIFEXITED/WIFSIGNALED encoding).
        public var status: Int32
        /// User plus system CPU time, in nanoseconds.
        public var cpuNanoseconds: UInt64

        public init(status: Int32, cpuNanoseconds: UInt64) {
            self.status = status
            self.cpuNanoseconds = cpuNanoseconds
        }
    }

    /// Waits for `pid` to end and reaps it (wait4(2), retried on EINTR).
    @discardableResult
    public static func reap(_ pid: pid_t) -> Ended {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        func nanoseconds(_ time: timeval) -> UInt64 { UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1000 }
        return Ended(status: status, cpuNanoseconds: nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime))
    }
}

/// NULL-terminated C string arrays for exec-style calls.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
