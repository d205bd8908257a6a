extension Duration {
    /// Whole nanoseconds, saturating (a negative duration is 0, a huge one UInt64.max): for
    /// deadlines on CLOCK_MONOTONIC.
    public var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (total, carry) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return carry ? .max : total
    }

    /// A cpu-time limit as RLIMIT_CPU counts it, in whole seconds: rounded up (never less
    /// CPU than the limit says; "1500ms" was enforced as 1s), at least 1.
    public var rlimitSeconds: UInt64 {
        let total = nanoseconds
        return max(1, total / 1_000_000_000 + (total % 1_000_000_000 == 0 ? 0 : 1))
    }

    /// How warden names a time limit in messages and audit events: "30s", or "300ms" when it
    /// is not whole seconds.
    public var limitText: String {
        let milliseconds = nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
