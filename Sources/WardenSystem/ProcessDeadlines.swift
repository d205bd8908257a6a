import CWardenLinux

/// Wall-clock and CPU-time deadlines for this whole process (`warden run --no-sandbox`, where
/// the guest runs on the launcher's own thread and cannot be interrupted mid-instruction): a
/// wall timer (ITIMER_REAL) and RLIMIT_CPU, each ending the process from an async-signal-safe
/// handler that writes its message to fd 2, its audit line to `auditOutput`, and _exits.
public enum ProcessDeadlines {
    public struct Deadline {
        public var message: String
        public var auditLine: String
        public var exitStatus: Int32
        public init(message: String, auditLine: String, exitStatus: Int32) {
            self.message = message
            self.auditLine = auditLine
            self.exitStatus = exitStatus
        }
    }

    /// Arms both (0 disables one). The texts are copied by the shim before this returns.
    public static func arm(wallMilliseconds: UInt64, wall: Deadline, cpuSeconds: UInt64, cpu: Deadline, auditOutput: FileDescriptor) {
        _ = warden_arm_deadlines(wallMilliseconds, cpuSeconds,
                                 wall.message, wall.auditLine, wall.exitStatus,
                                 cpu.message, cpu.auditLine, cpu.exitStatus, auditOutput.rawValue)
    }
}
