extension AuditEvent {
    /// One human sentence for the event (the journal's MESSAGE, `warden audit`'s text form).
    /// Module-supplied text (paths, trap reasons) is escaped so it cannot break the line.
    public var summary: String {
        switch kind {
        case .wasi(let refusal):
            var text = "\(refusal.operation)"
            if let path = refusal.path { text += " \(Self.visible(path))" }
            if let preopen = refusal.preopen { text += " via \(Self.visible(preopen))" } else if let fd = refusal.fd { text += " on fd \(fd)" }
            return text + ": \(refusal.reason) (\(refusal.errno))"
        case .seccomp(let refusal):
            let call = refusal.syscall + "(" + refusal.arguments.map { "0x" + String($0, radix: 16) }.joined(separator: ", ") + ")"
            return "system call \(call) outside the allowlist: " + (refusal.action == .killed ? "worker killed" : "failed with \(refusal.errno ?? "an error")")
        case .landlock(let refusal):
            var text = refusal.operation
            if let path = refusal.path { text += " \(Self.visible(path))" }
            if let preopen = refusal.preopen { text += " via \(Self.visible(preopen))" }
            return text + ": the kernel (Landlock) refused what the WASI layer allowed (\(refusal.errno)); defense in depth"
        case .limit(let limit):
            var text = "\(limit.limit.rawValue) limit \(limit.value) reached"
            if let requested = limit.requested { text += " (requested \(requested))" }
            return text + (limit.action == .killed ? ": module ended" : ": request refused")
        case .policy(let refusal):
            switch refusal.reason {
            case .digestMismatch:
                return "module digest mismatch: the policy pins \(refusal.expected ?? "?"), the module has \(refusal.actual ?? "?"); not started"
            case .invalidPolicy:
                return "invalid policy \(refusal.file.map(Self.visible) ?? ""): \(refusal.diagnostics.count) error(s); not started"
            }
        case .lifecycle(let change):
            var text = change.change.rawValue
            if let status = change.status { text += " with status \(status)" }
            if let signal = change.signal { text += " (signal \(signal))" }
            if let lost = change.lost { text += " (\(lost) event(s) lost)" }
            if let detail = change.detail { text += ": \(Self.visible(detail))" }
            return text
        case .suppressed(let summary):
            let parts = summary.counts.map { "\($0.operation) \($0.reason): \($0.count)" }
            return "\(summary.total) similar events suppressed since \(summary.since) (\(parts.joined(separator: ", ")))"
        case .other(_, _, let fields):
            return fields.keys.sorted().map { "\($0)=\(Self.visible(fields[$0]!))" }.joined(separator: " ")
        }
    }

    /// `time module[pid] layer action: summary`, the text form of `warden audit`.
    /// A lifecycle line does not repeat its action: `lifecycle exited: status 3`, `lifecycle started`.
    public var textLine: String {
        let head = "\(time) \(Self.visible(module))[\(pid.map(String.init) ?? "-")] \(layer) \(action)"
        guard case .lifecycle(let change) = kind else { return head + ": \(summary)" }
        var parts: [String] = []
        if let status = change.status { parts.append("status \(status)") }
        if let signal = change.signal { parts.append("signal \(signal)") }
        if let detail = change.detail { parts.append(Self.visible(detail)) }
        return parts.isEmpty ? head : head + ": " + parts.joined(separator: ", ")
    }

    /// Control characters as \xNN, so a path cannot end a line or pose as another one.
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7f {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
