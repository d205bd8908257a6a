import Glibc

/// getrlimit/setrlimit for the limits the supervisor and the zygote's instances touch. (The
/// worker's own limits are a hardening step, in WardenHardening.)
public enum ResourceLimit: Sendable {
    /// RLIMIT_CPU, seconds: SIGXCPU at the soft limit, SIGKILL at the hard one.
    case cpuTime
    /// RLIMIT_NOFILE: one more than the highest descriptor number that can be opened.
    case openFiles

    var resource: __rlimit_resource {
        switch self {
        case .cpuTime: RLIMIT_CPU
        case .openFiles: RLIMIT_NOFILE
        }
    }

    public func get() throws(Errno) -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { throw .current }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// No allocation: called in a freshly forked zygote instance.
    public func set(soft: UInt64, hard: UInt64) throws(Errno) {
        var limit = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
        guard setrlimit(resource, &limit) == 0 else { throw .current }
    }
}
