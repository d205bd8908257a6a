import WardenAudit
import WardenJSON
import WardenSystem

/// A container whose holder is killed outright (SIGKILL from `kill KILL`, `delete --force`, or
/// an engine's stop timeout) cannot write its own final lifecycle event. warden-oci writes it
/// on the run's behalf — same module name, instance and policy digest as the run's `started`
/// event — so a container's audit file never ends at `started` and `warden audit` sees every
/// run end. A run that ended by itself (or by a catchable signal) already wrote its end.
enum ContainerEnd {
    /// The actions after which a run has nothing more to say.
    static let endActions: Set<String> = ["exited", "crashed", "audit-failed"]

    static func recordIfMissing(auditPath: String, signal: Int32?, detail: String, journal: Bool) {
        guard !auditPath.isEmpty else { return }
        let authority = AmbientAuthority(purpose: "warden-oci: the container's audit log")
        // 64 MiB: a file larger than that belongs to a run that wrote its own events; if even
        // its tail cannot be read, writing a guess would be worse than writing nothing.
        guard let bytes = try? authority.readFile(auditPath, limit: 64 << 20),
              let last = lastLifecycle(bytes), !endActions.contains(last.action) else { return }
        let context = AuditContext(module: last.module, instance: last.instance, pid: last.pid, policyDigest: last.policy)
        ContainerAudit.withLog(path: auditPath, journal: journal, context: context) { log in
            log.record(.lifecycle(LifecycleChange(.exited, status: signal.map { 128 + $0 }, signal: signal, detail: detail)))
        }
    }

    struct Lifecycle {
        var action: String
        var module: String
        var instance: String
        var pid: Int32?
        var policy: String?
    }

    /// The last lifecycle event in a JSON Lines audit file (lines that do not parse are skipped:
    /// a torn last line is not evidence of anything).
    static func lastLifecycle(_ bytes: [UInt8]) -> Lifecycle? {
        for line in bytes.split(separator: UInt8(ascii: "\n")).reversed() {
            guard let value = try? JSONValue.parse(bytes: Array(line)),
                  value["layer"]?.string == "lifecycle",
                  let action = value["action"]?.string, let module = value["module"]?.string,
                  let instance = value["instance"]?.string else { continue }
            return Lifecycle(action: action, module: module, instance: instance,
                             pid: value["pid"]?.int64.map { Int32(truncatingIfNeeded: $0) }, policy: value["policy"]?.string)
        }
        return nil
    }
}
