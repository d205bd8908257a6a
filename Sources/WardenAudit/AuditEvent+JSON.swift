import WardenJSON

extension AuditEvent {
    /// The event as one JSON Lines record, newline included, in UTF-8. `timeText` replaces the
    /// time (the deadline handler's `@TIME@` template is rendered this way).
    public func jsonLine(timeText: String? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: "{\"v\":".utf8)
        bytes.append(contentsOf: String(version).utf8)
        bytes.append(contentsOf: ",\"time\":".utf8)
        JSONText.append(timeText ?? time.description, to: &bytes)
        Self.member("layer", .string(layer), into: &bytes)
        Self.member("action", .string(action), into: &bytes)
        Self.member("module", .string(module), into: &bytes)
        Self.member("instance", .string(instance), into: &bytes)
        bytes.append(contentsOf: ",\"pid\":".utf8)
        bytes.append(contentsOf: (pid.map { String($0) } ?? "null").utf8)
        bytes.append(contentsOf: ",\"policy\":".utf8)
        if let policyDigest { JSONText.append(policyDigest, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
        for (name, value) in detailFields { Self.member(name, value, into: &bytes) }
        bytes.append(contentsOf: "}\n".utf8)
        return bytes
    }

    /// The JSON line as text, without the newline.
    public var jsonText: String {
        let line = jsonLine()
        return String(decoding: line.dropLast(), as: UTF8.self)
    }

    static func member(_ name: String, _ value: AuditFieldValue, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: ","))
        JSONText.append(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        switch value {
        case .string(let text): JSONText.append(text, to: &bytes)
        case .integer(let number): bytes.append(contentsOf: String(number).utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .strings(let texts):
            bytes.append(UInt8(ascii: "["))
            for (index, text) in texts.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONText.append(text, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .counts(let counts):
            bytes.append(UInt8(ascii: "["))
            for (index, count) in counts.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: "{\"reason\":".utf8)
                JSONText.append(count.reason, to: &bytes)
                bytes.append(contentsOf: ",\"op\":".utf8)
                JSONText.append(count.operation, to: &bytes)
                bytes.append(contentsOf: ",\"count\":".utf8)
                bytes.append(contentsOf: String(count.count).utf8)
                bytes.append(UInt8(ascii: "}"))
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }
}
