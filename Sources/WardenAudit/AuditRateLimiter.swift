/// How many refusals one module may write before the rest are summarized.
public struct AuditRateLimit: Sendable, Equatable {
    /// Events written back to back before limiting starts.
    public var burst: Int
    /// Events per second written in the long run.
    public var perSecond: Int
    /// While suppression lasts, a summary per layer at most this often (nanoseconds).
    public var summaryInterval: UInt64
    /// Distinct (reason, operation) pairs counted apart in one summary; the rest are counted
    /// together as ("other", "other"), so a hostile stream of made-up names cannot grow memory.
    public var maximumKeys: Int

    public init(burst: Int, perSecond: Int, summaryInterval: UInt64 = 1_000_000_000, maximumKeys: Int = 256) {
        self.burst = max(1, burst)
        self.perSecond = max(1, perSecond)
        self.summaryInterval = summaryInterval
        self.maximumKeys = max(1, maximumKeys)
    }

    /// `perSecond` events a second, and as many at once: what a policy's `[audit] rate-limit`
    /// means.
    public init(perSecond: Int) { self.init(burst: perSecond, perSecond: perSecond) }

    /// 100 a second, a policy's default: a module that floods cannot keep the writer (or the
    /// disk) from other modules' events, and a normal one never notices.
    public static let standard = AuditRateLimit(perSecond: 100)
}

/// A token bucket per module, with exact counts of what it held back. Nothing is dropped
/// without a count: every suppressed refusal is in exactly one `Suppression` summary, which
/// the caller writes when `summaries(now:)` hands it over (at most once per interval while
/// suppression lasts, and all of them at `flushAll`).
public struct AuditRateLimiter: Sendable {
    public let limit: AuditRateLimit
    var tokens: Double
    var lastRefill: UInt64?
    var pending: [String: Pending] = [:]
    var pendingOrder: [String] = []
    /// Refusals held back so far (all of them are, or will be, in a summary).
    public private(set) var suppressed: UInt64 = 0

    struct Key: Hashable, Sendable {
        var reason: String
        var operation: String
    }

    struct Pending: Sendable {
        var since: AuditTime
        var startedAt: UInt64
        var counts: [Key: UInt64] = [:]
        var order: [Key] = []
    }

    public init(_ limit: AuditRateLimit) {
        self.limit = limit
        self.tokens = Double(limit.burst)
    }

    /// Whether the rate limiter applies to an event at all: refusals a module can repeat at
    /// will. Events that end a module, policy refusals, lifecycle changes and summaries are
    /// bounded by nature and always written.
    public static func applies(to event: AuditEvent) -> Bool {
        switch event.kind {
        case .wasi, .landlock, .other: true
        case .seccomp(let refusal): refusal.action == .denied
        case .limit(let limit): limit.action == .refused
        case .policy, .lifecycle, .suppressed: false
        }
    }

    /// True when `event` may be written now (`now`: monotonic nanoseconds); otherwise it is
    /// counted under its layer, reason and operation.
    public mutating func admit(_ event: AuditEvent, now: UInt64) -> Bool {
        guard Self.applies(to: event) else { return true }
        if let lastRefill, now > lastRefill {
            tokens = min(Double(limit.burst), tokens + Double(now - lastRefill) * Double(limit.perSecond) / 1e9)
        }
        lastRefill = now
        if tokens >= 1 {
            tokens -= 1
            return true
        }
        count(event, now: now)
        return false
    }

    mutating func count(_ event: AuditEvent, now: UInt64) {
        let layer = event.layer
        if pending[layer] == nil {
            pending[layer] = Pending(since: event.time, startedAt: now)
            pendingOrder.append(layer)
        }
        var key = Key(reason: event.reason ?? "-", operation: event.operation ?? "-")
        if pending[layer]!.counts[key] == nil && pending[layer]!.counts.count >= limit.maximumKeys {
            key = Key(reason: "other", operation: "other")
        }
        if pending[layer]!.counts[key] == nil { pending[layer]!.order.append(key) }
        pending[layer]!.counts[key, default: 0] += 1
        suppressed += 1
    }

    /// Summaries due at `now` (their interval has passed), or every pending one with
    /// `flushAll` (at exit). Each suppressed refusal is handed over exactly once.
    public mutating func summaries(now: UInt64, flushAll: Bool = false) -> [Suppression] {
        guard !pending.isEmpty else { return [] }
        var due: [Suppression] = []
        for layer in pendingOrder {
            guard let entry = pending[layer], flushAll || now &- entry.startedAt >= limit.summaryInterval else { continue }
            let counts = entry.order.map { Suppression.Count(reason: $0.reason, operation: $0.operation, count: entry.counts[$0]!) }
            due.append(Suppression(layer: layer, since: entry.since, counts: counts))
            pending[layer] = nil
        }
        pendingOrder.removeAll { pending[$0] == nil }
        return due
    }

    /// Whether refusals are being held back and not yet summarized.
    public var hasPending: Bool { !pending.isEmpty }
}
