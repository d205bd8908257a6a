import WardenSystem

/// sd_notify(3) without libsystemd: READY=1, STATUS=..., STOPPING=1 and WATCHDOG=1 as
/// datagrams to $NOTIFY_SOCKET. Silent when not started by systemd.
final class SystemdNotifier {
    private let socketPath: String?
    private let watchdogInterval: UInt64?
    private(set) var nextWatchdog: UInt64?
    private let authority = AmbientAuthority(purpose: "wardend: systemd's notify socket ($NOTIFY_SOCKET)")

    init() {
        socketPath = Environment.value("NOTIFY_SOCKET")
        var interval: UInt64?
        if let text = Environment.value("WATCHDOG_USEC"), let microseconds = UInt64(text), microseconds > 0 {
            let pid = Environment.value("WATCHDOG_PID")
            // Ping at half the interval, as sd_watchdog_enabled(3) advises.
            if pid == nil || Int32(pid!) == ProcessControl.currentID { interval = microseconds * 1000 / 2 }
        }
        watchdogInterval = interval
        nextWatchdog = interval.map { SystemClock.monotonicNow() &+ $0 }
        // Nothing this process starts should talk to systemd in its name.
        Environment.remove("NOTIFY_SOCKET")
        Environment.remove("WATCHDOG_USEC")
        Environment.remove("WATCHDOG_PID")
    }

    func send(_ message: String) {
        guard let socketPath else { return }
        do throws(Errno) { try authority.sendDatagram(message, to: socketPath) } catch {
            SupervisorLog.warning("notify socket \(socketPath): \(error)")
        }
    }

    func watchdogIfDue(_ now: UInt64) {
        guard let interval = watchdogInterval, let due = nextWatchdog, now >= due else { return }
        send("WATCHDOG=1")
        nextWatchdog = now &+ interval
    }
}
