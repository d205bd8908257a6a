import WardenJSON

/// What `create` records about a Wasm container in its state directory, read back by every
/// later call (each call is a new process). The holder's start time (from /proc) pins its pid:
/// a recycled pid is not mistaken for the container.
public struct ContainerRecord: Sendable, Equatable {
    public var id: String
    public var bundle: String
    public var pid: Int32
    public var processStartTime: UInt64
    public var created: String
    public var ociVersion: String
    public var annotations: [String: String]
    /// Cgroup directories the holder was placed in (one per v1 hierarchy, or one on v2).
    public var cgroups: [String]
    public var auditPath: String

    public init(id: String, bundle: String, pid: Int32, processStartTime: UInt64, created: String, ociVersion: String,
                annotations: [String: String], cgroups: [String], auditPath: String) {
        self.id = id
        self.bundle = bundle
        self.pid = pid
        self.processStartTime = processStartTime
        self.created = created
        self.ociVersion = ociVersion
        self.annotations = annotations
        self.cgroups = cgroups
        self.auditPath = auditPath
    }

    public func encoded() -> [UInt8] {
        var text = "{\"id\":\(JSONText.quoted(id)),\"bundle\":\(JSONText.quoted(bundle)),\"pid\":\(pid)"
        text += ",\"processStartTime\":\(processStartTime),\"created\":\(JSONText.quoted(created))"
        text += ",\"ociVersion\":\(JSONText.quoted(ociVersion)),\"annotations\":\(Self.object(annotations))"
        text += ",\"cgroups\":[\(cgroups.map(JSONText.quoted).joined(separator: ","))]"
        text += ",\"auditPath\":\(JSONText.quoted(auditPath))}\n"
        return Array(text.utf8)
    }

    static func object(_ members: [String: String]) -> String {
        "{" + members.sorted { $0.key < $1.key }.map { "\(JSONText.quoted($0.key)):\(JSONText.quoted($0.value))" }.joined(separator: ",") + "}"
    }

    public static func decode(_ bytes: [UInt8]) -> ContainerRecord? {
        guard let value = try? JSONValue.parse(bytes: bytes),
              let id = value["id"]?.string, let bundle = value["bundle"]?.string,
              let pid = value["pid"]?.int64, let start = value["processStartTime"]?.uint64 else { return nil }
        var annotations: [String: String] = [:]
        for (key, item) in value["annotations"]?.object ?? [:] { annotations[key] = item.string }
        return ContainerRecord(
            id: id, bundle: bundle, pid: Int32(truncatingIfNeeded: pid), processStartTime: start,
            created: value["created"]?.string ?? "", ociVersion: value["ociVersion"]?.string ?? "1.0.2",
            annotations: annotations, cgroups: (value["cgroups"]?.array ?? []).compactMap(\.string),
            auditPath: value["auditPath"]?.string ?? "")
    }

    /// `state`'s answer, as the runtime spec defines it.
    public func stateJSON(status: String, rootfs: String?) -> String {
        let pidValue = status == "stopped" ? 0 : pid
        var text = "{\n  \"ociVersion\": \(JSONText.quoted(ociVersion)),\n  \"id\": \(JSONText.quoted(id)),\n"
        text += "  \"pid\": \(pidValue),\n  \"status\": \(JSONText.quoted(status)),\n  \"bundle\": \(JSONText.quoted(bundle)),\n"
        if let rootfs { text += "  \"rootfs\": \(JSONText.quoted(rootfs)),\n" }
        text += "  \"created\": \(JSONText.quoted(created)),\n  \"owner\": \"\",\n"
        text += "  \"annotations\": \(Self.object(annotations))\n}\n"
        return text
    }
}

/// One line of `/proc/PID/stat`, read for the state and the start time.
public struct ProcessStat: Sendable, Equatable {
    public var state: Character
    public var startTime: UInt64

    /// Parses the fields after the command name (which may itself hold spaces and parens).
    public static func parse(_ text: String) -> ProcessStat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        guard fields.count > 19, let state = fields[0].first, let start = UInt64(fields[19]) else { return nil }
        return ProcessStat(state: state, startTime: start)
    }

    public var isGone: Bool { state == "Z" || state == "X" }
}
