/// When a module may start again: exponential back-off between restarts after failures, and
/// a start limit (at most `burst` starts within `interval`), as systemd's Restart= does.
/// Pure arithmetic on CLOCK_MONOTONIC nanoseconds, so it is tested without processes.
struct RestartThrottle: Sendable {
    let baseDelay: UInt64
    let maximumDelay: UInt64
    let burst: Int
    let interval: UInt64
    private(set) var starts: [UInt64] = []
    private(set) var failuresInARow = 0

    init(_ options: SupervisorOptions) {
        baseDelay = options.restartDelay.nanoseconds
        maximumDelay = max(options.restartDelayMaximum.nanoseconds, baseDelay)
        burst = max(1, options.startLimitBurst)
        interval = options.startLimitInterval.nanoseconds
    }

    /// Whether another start is allowed at `now` (false: the start limit is hit).
    func mayStart(at now: UInt64) -> Bool {
        starts.filter { now &- $0 < interval }.count < burst
    }

    mutating func recordStart(at now: UInt64) {
        starts = starts.filter { now &- $0 < interval } + [now]
    }

    /// Records how a run ended; returns the delay before the next start.
    mutating func recordEnd(failed: Bool, ranFor duration: UInt64) -> UInt64 {
        // A run that lasted a whole interval was healthy: the next failure starts over.
        if !failed || duration >= interval { failuresInARow = 0 }
        if failed { failuresInARow += 1 }
        guard failuresInARow > 0 else { return baseDelay }
        let shift = min(failuresInARow - 1, 40)
        let (delay, overflow) = baseDelay.multipliedReportingOverflow(by: UInt64(1) << UInt64(shift))
        return overflow ? maximumDelay : min(delay, maximumDelay)
    }

    /// `warden restart` clears the history (as `systemctl reset-failed` would).
    mutating func reset() {
        starts = []
        failuresInARow = 0
    }
}
