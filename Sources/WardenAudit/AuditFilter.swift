import WardenSystem

/// What `warden audit` keeps. Within one field any of the values may match; across fields all
/// must. Paths are shell patterns (`fnmatch`: `*`, `?`, `[...]`; `*` also crosses `/`).
public struct AuditFilter: Sendable, Equatable {
    public var modules: [String] = []
    public var layers: [String] = []
    public var reasons: [String] = []
    public var operations: [String] = []
    public var paths: [String] = []
    public var since: AuditTime?
    public var until: AuditTime?

    public init() {}

    public func matches(_ event: AuditEvent) -> Bool {
        if let since, event.time < since { return false }
        if let until, event.time > until { return false }
        if !modules.isEmpty, !modules.contains(event.module) { return false }
        if !layers.isEmpty, !layers.contains(event.layer) { return false }
        if !reasons.isEmpty, !reasons.contains(where: { reasonsOf(event).contains($0) }) { return false }
        if !operations.isEmpty, !operations.contains(where: { operationsOf(event).contains($0) }) { return false }
        if !paths.isEmpty {
            guard let path = event.path, paths.contains(where: { shellPatternMatches($0, path) }) else { return false }
        }
        return true
    }

    /// A suppression summary matches a reason or operation that it counts.
    func reasonsOf(_ event: AuditEvent) -> [String] {
        if case .suppressed(let summary) = event.kind { return summary.counts.map(\.reason) }
        return event.reason.map { [$0] } ?? []
    }

    func operationsOf(_ event: AuditEvent) -> [String] {
        if case .suppressed(let summary) = event.kind { return summary.counts.map(\.operation) }
        return event.operation.map { [$0] } ?? []
    }

    /// `--since`/`--until` values: RFC 3339 or a prefix of it (`2026-11-21`, UTC), or an age
    /// before `now`: `90s`, `15m`, `2h`, `7d`.
    public static func time(_ text: String, now: AuditTime = .now()) -> AuditTime? {
        if let absolute = AuditTime(rfc3339: text) { return absolute }
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        default: return nil
        }
        let (product, overflow) = amount.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        return AuditTime(millisecondsSinceEpoch: now.millisecondsSinceEpoch - product)
    }
}
