import WardenJSON

/// Why a line is not an audit event this reader understands.
public struct AuditDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension AuditEvent {
    /// Decodes one JSON line (the newline may be present). Unknown fields are ignored; an
    /// unknown layer or action is kept as `.other`. Throws for text that is not a JSON object,
    /// a missing envelope field, or a schema version this reader does not know.
    public init(jsonLine text: String) throws(AuditDecodeError) {
        try self.init(jsonLine: Array(text.utf8))
    }

    public init(jsonLine bytes: [UInt8]) throws(AuditDecodeError) {
        var trimmed = bytes
        while let last = trimmed.last, last == 0x0a || last == 0x0d { trimmed.removeLast() }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes: trimmed) } catch { throw AuditDecodeError("not JSON: \(error)") }
        guard let object = value.object else { throw AuditDecodeError("not a JSON object") }
        try self.init(object: object)
    }

    public init(object: [String: JSONValue]) throws(AuditDecodeError) {
        let fields = FieldReader(object: object)
        guard let version = object["v"]?.int64 else { throw AuditDecodeError("missing schema version \"v\"") }
        guard version == Int64(AuditEvent.schemaVersion) else {
            throw AuditDecodeError("schema version \(version) is not supported (this reader knows \(AuditEvent.schemaVersion))")
        }
        let timeText = try fields.string("time")
        guard let time = AuditTime(rfc3339: timeText) else { throw AuditDecodeError("invalid time '\(timeText)'") }
        let layer = try fields.string("layer"), action = try fields.string("action")
        self.init(time: time, module: try fields.string("module"), instance: fields.optionalString("instance") ?? "",
                  pid: object["pid"]?.int64.flatMap { Int32(exactly: $0) }, policyDigest: fields.optionalString("policy"),
                  kind: try Self.kind(layer: layer, action: action, fields: fields))
    }

    static func kind(layer: String, action: String, fields: FieldReader) throws(AuditDecodeError) -> Kind {
        if action == "suppressed" {
            guard let items = fields.object["counts"]?.array else { throw AuditDecodeError("missing field \"counts\"") }
            var counts: [Suppression.Count] = []
            for item in items {
                guard let reason = item["reason"]?.string, let operation = item["op"]?.string, let count = item["count"]?.uint64 else {
                    throw AuditDecodeError("invalid entry in \"counts\"")
                }
                counts.append(Suppression.Count(reason: reason, operation: operation, count: count))
            }
            let since = fields.optionalString("since").flatMap(AuditTime.init(rfc3339:)) ?? AuditTime(millisecondsSinceEpoch: 0)
            return .suppressed(Suppression(layer: layer, since: since, counts: counts))
        }
        switch (AuditLayer(rawValue: layer), action) {
        case (.wasi, "denied"):
            return .wasi(WASIRefusal(operation: try fields.string("op"), fd: fields.fd(), preopen: fields.optionalString("preopen"),
                                     path: fields.optionalString("path"), reason: try fields.string("reason"), errno: try fields.string("errno")))
        case (.seccomp, _) where SyscallRefusal.Action(rawValue: action) != nil:
            let arguments = (fields.object["args"]?.array ?? []).compactMap { $0.string.flatMap(Self.hexArgument) }
            return .seccomp(SyscallRefusal(syscall: try fields.string("syscall"), number: Int32(clamping: fields.object["nr"]?.int64 ?? -1),
                                           arguments: arguments, action: SyscallRefusal.Action(rawValue: action)!,
                                           errno: fields.optionalString("errno")))
        case (.landlock, "denied"):
            return .landlock(LandlockRefusal(operation: try fields.string("op"), fd: fields.fd(), preopen: fields.optionalString("preopen"),
                                             path: fields.optionalString("path"), errno: try fields.string("errno")))
        case (.limit, _):
            let name = try fields.string("limit")
            if let limit = LimitReached.Limit(rawValue: name), let limitAction = LimitReached.Action(rawValue: action) {
                return .limit(LimitReached(limit: limit, action: limitAction, value: fields.optionalString("value") ?? "",
                                           requested: fields.optionalString("requested")))
            }
        case (.policy, "refused"):
            let reasonText = try fields.string("reason")
            if let reason = PolicyRefusal.Reason(rawValue: reasonText) {
                let diagnostics = (fields.object["diagnostics"]?.array ?? []).compactMap(\.string)
                return .policy(PolicyRefusal(reason: reason, file: fields.optionalString("file"), expected: fields.optionalString("expected"),
                                             actual: fields.optionalString("actual"), diagnostics: diagnostics))
            }
        case (.lifecycle, _):
            if let change = LifecycleChange.Change(rawValue: action) {
                return .lifecycle(LifecycleChange(change, status: fields.object["status"]?.int64.flatMap { Int32(exactly: $0) },
                                                  signal: fields.object["signal"]?.int64.flatMap { Int32(exactly: $0) },
                                                  detail: fields.optionalString("detail"),
                                                  lost: fields.object["lost"]?.int64.flatMap { UInt64(exactly: $0) }))
            }
        default: break
        }
        return .other(layer: layer, action: action, fields: fields.scalarsBeyondEnvelope())
    }

    static func hexArgument(_ text: String) -> UInt64? {
        guard text.hasPrefix("0x") else { return nil }
        return UInt64(text.dropFirst(2), radix: 16)
    }
}

/// Typed access to an event's members, with errors that name the field.
struct FieldReader {
    let object: [String: JSONValue]

    func string(_ name: String) throws(AuditDecodeError) -> String {
        guard let value = object[name] else { throw AuditDecodeError("missing field \"\(name)\"") }
        guard let text = value.string else { throw AuditDecodeError("field \"\(name)\" is not a string") }
        return text
    }

    func optionalString(_ name: String) -> String? { object[name]?.string }

    func fd() -> UInt32? { object["fd"]?.int64.flatMap { UInt32(exactly: $0) } }

    /// Scalar members other than the envelope, as text (for `.other` events).
    func scalarsBeyondEnvelope() -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in object where !["v", "time", "layer", "action", "module", "instance", "pid", "policy"].contains(name) {
            switch value {
            case .string(let text): result[name] = text
            case .number(let text): result[name] = text
            case .bool(let flag): result[name] = flag ? "true" : "false"
            default: break
            }
        }
        return result
    }
}
