import WardenPolicy
import WardenSystem

/// `warden run --timings`: where start-up time goes, from the launcher's first instruction to
/// the module's `_start` and its exit. Launcher and worker both stamp CLOCK_MONOTONIC, so the
/// worker's milestones (sent in one `timeline` message) merge into the launcher's in order.
public final class StartupTimeline {
    private var marks: [(name: String, time: UInt64)] = []

    /// `startedAt`: when `warden` began (main's first line), else now.
    public init(startedAt: UInt64? = nil) {
        marks.append(("warden started", startedAt ?? SystemClock.monotonicNow()))
    }

    public func mark(_ name: String, at time: UInt64 = SystemClock.monotonicNow()) {
        marks.append((name, time))
    }

    /// The worker's milestones; times before warden started (impossible unless forged) are
    /// dropped rather than shown as negative.
    func merge(names: [String], times: [UInt64]) {
        let origin = marks[0].time
        for (name, time) in zip(names, times) where time >= origin {
            marks.append(("worker: " + OperatorOutput.sanitized(name), time))
        }
    }

    /// One line per milestone: milliseconds since warden started, and since the previous one.
    public func rendered() -> String {
        let ordered = marks.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        let origin = ordered.first?.time ?? 0
        var previous = origin
        var text = "warden: start-up timings (ms since warden started, ms since the previous milestone):\n"
        for mark in ordered {
            text += "  " + Self.padded(Units.milliseconds(mark.time - origin)) + "  " + Self.padded("+" + Units.milliseconds(mark.time - previous))
                + "  " + mark.name + "\n"
            previous = mark.time
        }
        return text
    }

    static func padded(_ text: String) -> String { String(repeating: " ", count: max(0, 8 - text.count)) + text }
}
