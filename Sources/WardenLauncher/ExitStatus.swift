/// Exit statuses of `warden run` besides the module's own code (documented in warden(1)),
/// shared by every launch path so a cause reads the same wherever it ends a module.
public enum ExitStatus {
    public static let trap: Int32 = 134
    public static let launchFailure: Int32 = 125
    public static let usage: Int32 = 64
    /// The policy's wall-time ran out (as timeout(1)).
    public static let wallTime: Int32 = 124
    /// The policy's cpu-time ran out (128 + SIGXCPU).
    public static let cpuTime: Int32 = 152
    /// Warden ended the module because its audit events could no longer be written
    /// (`[audit] on-failure = "stop"`).
    public static let auditFailure: Int32 = 123
    public static func signal(_ number: Int32) -> Int32 { 128 &+ (number & 0x7f) }
}
