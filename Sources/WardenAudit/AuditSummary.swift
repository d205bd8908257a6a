/// Counts of refusals by module, layer, reason, operation and path: what `aureport` is to
/// auditd. A suppression summary adds its exact counts (per reason and operation), so the
/// totals are the same whether or not the rate limiter was involved.
public struct AuditSummary: Sendable, Equatable {
    public private(set) var events: UInt64 = 0
    public private(set) var refusals: UInt64 = 0
    public private(set) var byModule: [String: UInt64] = [:]
    public private(set) var byLayer: [String: UInt64] = [:]
    public private(set) var byReason: [String: UInt64] = [:]
    public private(set) var byOperation: [String: UInt64] = [:]
    public private(set) var byPath: [String: UInt64] = [:]
    /// Lifecycle events by change (started, exited, crashed, restarted).
    public private(set) var lifecycle: [String: UInt64] = [:]
    /// Refusals that reached the log only as counts (not one event each).
    public private(set) var suppressed: UInt64 = 0

    public init() {}

    public mutating func add(_ event: AuditEvent) {
        events += 1
        switch event.kind {
        case .lifecycle(let change):
            lifecycle[change.change.rawValue, default: 0] += 1
        case .suppressed(let summary):
            suppressed += summary.total
            refusals += summary.total
            byModule[event.module, default: 0] += summary.total
            byLayer[summary.layer, default: 0] += summary.total
            for count in summary.counts {
                byReason[count.reason, default: 0] += count.count
                byOperation[count.operation, default: 0] += count.count
            }
        default:
            refusals += 1
            byModule[event.module, default: 0] += 1
            byLayer[event.layer, default: 0] += 1
            if let reason = event.reason { byReason[reason, default: 0] += 1 }
            if let operation = event.operation { byOperation[operation, default: 0] += 1 }
            if let path = event.path { byPath[path, default: 0] += 1 }
        }
    }

    /// Tables, largest count first (ties by name), at most `top` rows each.
    public func rendered(top: Int = 20) -> String {
        var text = "\(refusals) refusal(s) in \(events) event(s)"
        if suppressed > 0 { text += ", \(suppressed) of them counted in suppression summaries" }
        text += "\n"
        for (title, counts) in [("module", byModule), ("layer", byLayer), ("reason", byReason), ("operation", byOperation),
                                ("path", byPath), ("lifecycle", lifecycle)] where !counts.isEmpty {
            text += "\nby \(title):\n"
            let rows = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let width = String(rows.first!.value).count
            for (name, count) in rows.prefix(top) {
                let number = String(count)
                text += "  " + String(repeating: " ", count: width - number.count) + number + "  " + AuditEvent.visible(name) + "\n"
            }
            if rows.count > top { text += "  ... \(rows.count - top) more\n" }
        }
        return text
    }
}
