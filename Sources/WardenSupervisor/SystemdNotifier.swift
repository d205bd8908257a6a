import CWardenLinux
import Glibc
import WardenSystem

/// sd_notify(3) without libsystemd: READY=1, STATUS=..., STOPPING=1 and WATCHDOG=1 as
/// datagrams to $NOTIFY_SOCKET. Silent when not started by systemd.
final class SystemdNotifier {
    private let socketPath: String?
    private let watchdogInterval: UInt64?
    private(set) var nextWatchdog: UInt64?

    init() {
        socketPath = getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        var interval: UInt64?
        if let text = getenv("WATCHDOG_USEC").map({ String(cString: $0) }), let microseconds = UInt64(text), microseconds > 0 {
            let pid = getenv("WATCHDOG_PID").map { String(cString: $0) }
            // Ping at half the interval, as sd_watchdog_enabled(3) advises.
            if pid == nil || Int32(pid!) == getpid() { interval = microseconds * 1000 / 2 }
        }
        watchdogInterval = interval
        nextWatchdog = interval.map { SystemClock.monotonicNow() &+ $0 }
        // Nothing this process starts should talk to systemd in its name.
        unsetenv("NOTIFY_SOCKET")
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
    }

    func send(_ message: String) {
        guard let socketPath else { return }
        if warden_notify_socket_send(socketPath, message) != 0 {
            SupervisorLog.warning("notify socket \(socketPath): \(Errno.current)")
        }
    }

    func watchdogIfDue(_ now: UInt64) {
        guard let interval = watchdogInterval, let due = nextWatchdog, now >= due else { return }
        send("WATCHDOG=1")
        nextWatchdog = now &+ interval
    }
}
