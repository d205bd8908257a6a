import WardenPolicy
import WardenSystem

/// How `wardend` runs: where policies and the control socket live, and the restart and
/// shutdown timings (systemd's RestartSec, StartLimitBurst/IntervalSec, TimeoutStopSec).
public struct SupervisorOptions: Sendable {
    public var policyDirectory = "/etc/warden/policies.d"
    public var controlSocket = "/run/warden/wardend.sock"
    /// Members of this group may use the control socket besides root.
    public var controlGroup: String?
    /// How long SIGTERM lets instances finish before they are ended.
    public var gracePeriod: Duration = .seconds(10)
    /// The first restart delay; each failure in a row doubles it, up to `restartDelayMaximum`.
    public var restartDelay: Duration = .milliseconds(100)
    public var restartDelayMaximum: Duration = .seconds(30)
    /// More than `startLimitBurst` starts within `startLimitInterval`: the module is failed
    /// and left stopped until `warden restart` asks again.
    public var startLimitBurst = 5
    public var startLimitInterval: Duration = .seconds(10)
    /// Engine → workers to keep exec'd and idle for `warden run` to borrow (`--warm wasmtime=2`).
    public var warm: [String: Int] = [:]
    /// `warden-worker`, next to `wardend` unless given.
    public var workerPath: String

    public init(workerPath: String) { self.workerPath = workerPath }
}

extension SupervisorOptions {
    /// "500ms", "10s", "1m": the policy files' duration syntax.
    public static func duration(_ text: String) -> Duration? { Units.duration(text) }

    /// `name` in the directory of this executable (/proc/self/exe), or `name` alone when that
    /// cannot be read: how wardend finds warden-worker installed beside it.
    public static func besideExecutable(_ name: String) -> String {
        guard let path = ProcessControl.executablePath() else { return name }
        return String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) + "/" + name
    }
}
