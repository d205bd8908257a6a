// Glibc for constants only: O_WRONLY
import Glibc
import WardenAudit
import WardenJSON
import WardenSystem

/// The runtime's own log: errors for the caller. containerd's shim and conmon read the last
/// `{"level":"error","msg":...}` line of `--log` to explain a failed call; go-runc matches the
/// text ("does not exist", "container not running"), so messages keep runc's wording there.
/// Every error also goes to standard error, as runc does.
public struct RuntimeLog: Sendable {
    public let path: String?
    public let json: Bool
    let authority = AmbientAuthority(purpose: "warden-oci: the --log file its caller names")

    public init(path: String?, format: String) {
        self.path = path
        self.json = format == "json"
    }

    public static func line(level: String, message: String, json: Bool, time: AuditTime = .now()) -> String {
        if json {
            return "{\"level\":\(JSONText.quoted(level)),\"msg\":\(JSONText.quoted(message)),\"time\":\(JSONText.quoted(time.description))}\n"
        }
        return "time=\"\(time)\" level=\(level) msg=\(JSONText.quoted(message))\n"
    }

    public func error(_ message: String) {
        write(level: "error", message)
        try? FileDescriptor.standardError.writeAll("warden-oci: \(message)\n")
    }

    public func warning(_ message: String) { write(level: "warning", message) }

    func write(level: String, _ message: String) {
        guard let path, let fd = try? authority.openFile(path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o600) else { return }
        try? fd.writeAll(Self.line(level: level, message: message, json: json))
        try? fd.close()
    }
}
