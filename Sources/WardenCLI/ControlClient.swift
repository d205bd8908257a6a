import WardenLauncher
import WardenSystem

/// The client side of wardend's control socket (`warden status|reload|start|stop|restart`):
/// one request line, one reply ("ok" or "error: ..." first, then text to print).
public enum ControlClient {
    /// `--socket`, else $WARDEN_CONTROL_SOCKET, else wardend's default.
    public static func socketPath(_ given: String?) -> String {
        if let given { return given }
        if let fromEnvironment = Environment.value("WARDEN_CONTROL_SOCKET"), !fromEnvironment.isEmpty { return fromEnvironment }
        return "/run/warden/wardend.sock"
    }

    /// Sends `request` and prints the reply: stdout when ok, stderr otherwise. Returns the exit status.
    public static func run(_ request: String, socket path: String) -> Int32 {
        let socket: FileDescriptor
        do { socket = try AmbientAuthority(purpose: "warden status|reload|...: wardend's control socket").connectUnix(path) } catch {
            let hint = error == .accessDenied ? " (only root or the control group may use it)"
                : (error == .noSuchFile || error == .connectionRefused ? " (is wardend running?)" : "")
            OperatorOutput.printError("warden: control socket \(path): \(error)\(hint)")
            return 1
        }
        defer { try? socket.close() }
        do { try socket.writeAll(request + "\n") } catch {
            OperatorOutput.printError("warden: control socket \(path): \(error)")
            return 1
        }
        let reply = (try? socket.readToEnd(limit: 16 << 20)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        if reply.hasPrefix("ok\n") {
            try? FileDescriptor.standardOutput.writeAll(String(reply.dropFirst(3)))
            return 0
        }
        let text = reply.isEmpty ? "error: wardend closed the connection without a reply\n" : reply
        try? FileDescriptor.standardError.writeAll("warden: " + text)
        return 1
    }
}
