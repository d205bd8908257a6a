import WardenSystem

/// The hardening steps, in the order `HardeningSequence` runs them, each with the exit status
/// the worker ends with when that step fails. The statuses sit in 101...107, clear of the
/// ones `warden run` already uses (64 usage, 124 wall time, 125 launch failure, 128+N signal,
/// 134 trap, 152 cpu time); a module's own exit code cannot collide because hardening fails
/// before the module is parsed.
///
/// | status | step | what it does |
/// |---|---|---|
/// | 101 | `descriptors` | close everything above the layout, leave the terminal's session |
/// | 102 | `rlimits` | core 0, open files, address space, data, file size, cpu |
/// | 103 | `namespaces` | user (with id maps), mount, net, ipc, uts, pid, cgroup |
/// | 104 | `capabilities` | bounding set, ambient, securebits, set*id, clear P/E/I |
/// | 105 | `no-new-privs` | no_new_privs, not dumpable, parent-death signal |
/// | 106 | `landlock` | filesystem rules from the preopen descriptors, no TCP, scoped signals |
/// | 107 | `seccomp` | the syscall allowlist, loaded last |
public enum HardeningStepName: String, Sendable, CaseIterable, CustomStringConvertible {
    case descriptors
    case rlimits
    case namespaces
    case capabilities
    case noNewPrivs = "no-new-privs"
    case landlock
    case seccomp

    public var description: String { rawValue }

    /// The worker's exit status when this step fails.
    public var exitStatus: Int32 {
        switch self {
        case .descriptors: 101
        case .rlimits: 102
        case .namespaces: 103
        case .capabilities: 104
        case .noNewPrivs: 105
        case .landlock: 106
        case .seccomp: 107
        }
    }

    /// The step whose failure ends the worker with `status`, if any.
    public init?(exitStatus status: Int32) {
        guard let step = Self.allCases.first(where: { $0.exitStatus == status }) else { return nil }
        self = step
    }
}

/// A hardening step could not do what the plan asked. The worker must not go on: it reports
/// this and exits with `exitStatus`.
public struct HardeningFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let step: HardeningStepName
    public let errno: Errno
    /// The call or check that failed (`setrlimit(RLIMIT_NOFILE, 1048577)`), for the operator.
    public let operation: String

    public init(step: HardeningStepName, errno: Errno, operation: String) {
        self.step = step
        self.errno = errno
        self.operation = operation
    }

    public var exitStatus: Int32 { step.exitStatus }

    /// `hardening step landlock failed: Operation not permitted (EPERM)`, then where.
    public var message: String {
        "hardening step \(step) failed: \(errno.description)" + (operation.isEmpty ? "" : " in \(operation)")
    }

    public var description: String { message }
}

/// Runs a libc-style call (negative result = failure, errno set) and turns a failure into a
/// `HardeningFailure` for `step`.
@discardableResult
func check<T: BinaryInteger>(_ step: HardeningStepName, _ operation: @autoclosure () -> String,
                             _ result: T) throws(HardeningFailure) -> T {
    if result < 0 { throw HardeningFailure(step: step, errno: .current, operation: operation()) }
    return result
}
