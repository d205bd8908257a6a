import Foundation
import WardenAudit
import WardenTestSupport

/// The audit probe guest, and the events a run left in its `--audit` file.
enum AuditProbe {
    static func module() throws -> String { try Guests.c("Tests/WardenAuditTests/Guests/audit_probe.c") }
    /// The module's name in events: its file name (the guest cache adds a content hash).
    static var name: String { URL(fileURLWithPath: (try? module()) ?? "audit_probe.wasm").lastPathComponent }

    /// Every line of an audit file as a JSON object (Foundation's parser: an independent check
    /// of what the writer produced), failing on any line that is not one.
    static func objects(_ path: String) throws -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Guests.BuildError(description: "not a JSON object: \(line)")
            }
            return object
        }
    }

    /// The same file through WardenAudit's own reader.
    static func events(_ path: String) throws -> [AuditEvent] {
        let decoded = AuditEvent.decodeLines((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
        if let problem = decoded.problems.first { throw Guests.BuildError(description: "line \(problem.line): \(problem.error)") }
        return decoded.events
    }

    /// The envelope every event carries, checked field by field.
    static func checkEnvelope(_ object: [String: Any], module: String, policy: String?) -> [String] {
        var problems: [String] = []
        if object["v"] as? Int != 1 { problems.append("v") }
        if let time = object["time"] as? String {
            if AuditTime(rfc3339: time) == nil || !time.hasSuffix("Z") || time.count != 24 { problems.append("time \(time)") }
        } else { problems.append("time missing") }
        if object["module"] as? String != module { problems.append("module \(String(describing: object["module"]))") }
        if let instance = object["instance"] as? String {
            if instance.count != 16 || !instance.allSatisfy(\.isHexDigit) { problems.append("instance \(instance)") }
        } else { problems.append("instance missing") }
        if !(object["pid"] is Int) && !(object["pid"] is NSNull) { problems.append("pid") }
        if let policy {
            if object["policy"] as? String != policy { problems.append("policy \(String(describing: object["policy"]))") }
        } else if !(object["policy"] is NSNull) { problems.append("policy should be null") }
        return problems
    }
}
