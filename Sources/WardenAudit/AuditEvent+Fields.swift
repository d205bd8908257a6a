/// A field value as the sinks write it: the JSON Lines sink as JSON, the journal sink as text.
public enum AuditFieldValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case strings([String])
    case counts([Suppression.Count])
}

extension AuditEvent {
    /// `"layer"`: where the refusal happened (for a suppression summary, the layer it counts).
    public var layer: String {
        switch kind {
        case .wasi: AuditLayer.wasi.rawValue
        case .seccomp: AuditLayer.seccomp.rawValue
        case .landlock: AuditLayer.landlock.rawValue
        case .limit: AuditLayer.limit.rawValue
        case .policy: AuditLayer.policy.rawValue
        case .lifecycle: AuditLayer.lifecycle.rawValue
        case .suppressed(let summary): summary.layer
        case .other(let layer, _, _): layer
        }
    }

    /// `"action"`: denied, killed, refused, suppressed, or the lifecycle change.
    public var action: String {
        switch kind {
        case .wasi, .landlock: "denied"
        case .seccomp(let refusal): refusal.action.rawValue
        case .limit(let limit): limit.action.rawValue
        case .policy: "refused"
        case .lifecycle(let change): change.change.rawValue
        case .suppressed: "suppressed"
        case .other(_, let action, _): action
        }
    }

    /// What was attempted: a WASI function, a system call, a limit. Nil for lifecycle events.
    public var operation: String? {
        switch kind {
        case .wasi(let refusal): refusal.operation
        case .seccomp(let refusal): refusal.syscall
        case .landlock(let refusal): refusal.operation
        case .limit(let limit): limit.limit.rawValue
        case .policy, .lifecycle, .suppressed: nil
        case .other(_, _, let fields): fields["op"]
        }
    }

    /// Why it was refused, in one word (what `warden audit --reason` matches).
    public var reason: String? {
        switch kind {
        case .wasi(let refusal): refusal.reason
        case .seccomp: SyscallRefusal.reason
        case .landlock: LandlockRefusal.reason
        case .limit(let limit): limit.limit.rawValue
        case .policy(let refusal): refusal.reason.rawValue
        case .lifecycle, .suppressed: nil
        case .other(_, _, let fields): fields["reason"]
        }
    }

    /// The guest path involved, if any.
    public var path: String? {
        switch kind {
        case .wasi(let refusal): refusal.path
        case .landlock(let refusal): refusal.path
        case .policy(let refusal): refusal.file
        case .seccomp, .limit, .lifecycle, .suppressed: nil
        case .other(_, _, let fields): fields["path"]
        }
    }

    /// How many refusals this event stands for: 1, or a suppression summary's total (0 for
    /// lifecycle events, which refuse nothing).
    public var refusalCount: UInt64 {
        switch kind {
        case .suppressed(let summary): summary.total
        case .lifecycle: 0
        default: 1
        }
    }

    /// The fields after the envelope, in the order they are written.
    public var detailFields: [(name: String, value: AuditFieldValue)] {
        var fields: [(String, AuditFieldValue)] = []
        func add(_ name: String, _ value: String?) { if let value { fields.append((name, .string(value))) } }
        func add(_ name: String, _ value: Int64?) { if let value { fields.append((name, .integer(value))) } }
        switch kind {
        case .wasi(let refusal):
            add("op", refusal.operation)
            add("fd", refusal.fd.map(Int64.init))
            add("preopen", refusal.preopen)
            add("path", refusal.path)
            add("reason", refusal.reason)
            add("errno", refusal.errno)
        case .seccomp(let refusal):
            add("syscall", refusal.syscall)
            add("nr", Int64(refusal.number))
            fields.append(("args", .strings(refusal.arguments.map { "0x" + String($0, radix: 16) })))
            add("reason", SyscallRefusal.reason)
            add("errno", refusal.errno)
        case .landlock(let refusal):
            add("op", refusal.operation)
            add("fd", refusal.fd.map(Int64.init))
            add("preopen", refusal.preopen)
            add("path", refusal.path)
            add("reason", LandlockRefusal.reason)
            add("errno", refusal.errno)
            fields.append(("defense-in-depth", .bool(true)))
        case .limit(let limit):
            add("limit", limit.limit.rawValue)
            add("value", limit.value)
            add("requested", limit.requested)
        case .policy(let refusal):
            add("reason", refusal.reason.rawValue)
            add("file", refusal.file)
            add("expected", refusal.expected)
            add("actual", refusal.actual)
            if !refusal.diagnostics.isEmpty { fields.append(("diagnostics", .strings(refusal.diagnostics))) }
        case .lifecycle(let change):
            add("status", change.status.map(Int64.init))
            add("signal", change.signal.map(Int64.init))
            add("detail", change.detail)
            add("lost", change.lost.map { Int64(clamping: $0) })
        case .suppressed(let summary):
            fields.append(("count", .integer(Int64(clamping: summary.total))))
            add("since", summary.since.description)
            fields.append(("counts", .counts(summary.counts)))
        case .other(_, _, let extra):
            for name in extra.keys.sorted() { add(name, extra[name]) }
        }
        return fields
    }
}
