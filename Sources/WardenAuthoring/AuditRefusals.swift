import WardenAudit

extension Refusal {
    /// The refusals an audit event records: none for lifecycle and policy events, one for a
    /// refusal or a limit, and for a rate limiter's summary one per (reason, operation) with
    /// its exact count.
    public static func from(_ event: AuditEvent) -> [Refusal] {
        switch event.kind {
        case .wasi(let refusal):
            return [Refusal(layer: "wasi", operation: refusal.operation, preopen: refusal.preopen, path: refusal.path, reason: refusal.reason)]
        case .seccomp(let refusal):
            return [Refusal(layer: "seccomp", operation: refusal.syscall, reason: SyscallRefusal.reason)]
        case .landlock(let refusal):
            return [Refusal(layer: "landlock", operation: refusal.operation, preopen: refusal.preopen, path: refusal.path, reason: LandlockRefusal.reason)]
        case .limit(let reached):
            return [Refusal(layer: "limit", operation: reached.limit.rawValue, reason: reached.action.rawValue, limit: reached.limit.rawValue)]
        case .suppressed(let summary):
            return summary.counts.map { counted in
                var refusal = Refusal(layer: summary.layer, operation: counted.operation, reason: counted.reason)
                refusal.count = Int(clamping: counted.count)
                return refusal
            }
        case .policy, .lifecycle, .other:
            return []
        }
    }
}
