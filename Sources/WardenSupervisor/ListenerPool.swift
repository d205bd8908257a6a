import WardenPolicy
import WardenSystem

/// The listening sockets of every module, by address. They belong to the supervisor and
/// outlive restarts and reloads (a restarting module's clients wait in the backlog rather
/// than being refused); a socket no policy names any more is closed.
final class ListenerPool {
    /// Sockets systemd passed (LISTEN_FDS), by their FileDescriptorName.
    private var activated: [String: FileDescriptor]
    private var open: [String: FileDescriptor] = [:]
    private var unixPaths: [String: String] = [:]

    init(activated: [String: FileDescriptor]) { self.activated = activated }

    /// The socket for `address`, opened on first use (close-on-exec).
    func socket(for address: Policy.Service.ListenAddress, module: String, authority: AmbientAuthority) throws(SupervisorError) -> FileDescriptor {
        let key = address.description
        if let existing = open[key] { return existing }
        let opened: Result<FileDescriptor, Errno>
        switch address {
        case .tcp(let host, let port):
            opened = Result { () throws(Errno) in try authority.listenTCP(host: host, port: port, backlog: 1024) }
        case .unix(let path):
            opened = Result { () throws(Errno) in try authority.listenUnix(path, backlog: 1024, mode: 0o666) }
            if case .success = opened { unixPaths[key] = path }
        case .systemd(let name):
            guard let passed = activated[name] else {
                throw .module(module, "listen \(key)", "systemd passed no socket named '\(name)' (LISTEN_FDNAMES: \(activated.keys.sorted().joined(separator: ", ")))")
            }
            opened = .success(passed)
        }
        let socket: FileDescriptor
        switch opened {
        case .success(let listening): socket = listening
        case .failure(let error): throw .module(module, "listen \(key)", "\(error)")
        }
        open[key] = socket
        return socket
    }

    /// Closes every socket whose address is not in `keep` (systemd's stay with systemd: they
    /// are closed too, but systemd holds its own copy).
    func retain(only keep: Set<String>) {
        for (key, socket) in open where !keep.contains(key) {
            try? socket.close()
            if let path = unixPaths.removeValue(forKey: key) { try? Self.authority.removeFile(path) }
            open[key] = nil
        }
    }

    func closeAll() { retain(only: []) }

    /// Sockets passed by systemd socket activation, by name: fds 3...3+LISTEN_FDS-1 when
    /// LISTEN_PID is this process. Read once at start-up; the variables are then cleared so
    /// nothing started later mistakes them for its own.
    static func fromSystemd() -> [String: FileDescriptor] {
        guard let pidText = Environment.value("LISTEN_PID"), Int32(pidText) == ProcessControl.currentID,
              let countText = Environment.value("LISTEN_FDS"), let count = Int32(countText), count > 0 else {
            return [:]
        }
        let names = Environment.value("LISTEN_FDNAMES").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        var sockets: [String: FileDescriptor] = [:]
        for index in 0..<count {
            let socket = FileDescriptor(rawValue: 3 + index)
            try? socket.setCloseOnExec()
            let name = Int(index) < names.count && !names[Int(index)].isEmpty ? names[Int(index)] : "unknown"
            sockets[name] = socket
        }
        Environment.remove("LISTEN_PID")
        Environment.remove("LISTEN_FDS")
        Environment.remove("LISTEN_FDNAMES")
        return sockets
    }

    /// Removing a Unix listener's socket file when its socket is closed.
    private static let authority = AmbientAuthority(purpose: "wardend: removing Unix listener sockets")
}

/// What stops wardend or one module, for the operator.
public enum SupervisorError: Error, CustomStringConvertible, Sendable {
    /// `module "x": step: why`
    case module(String, String, String)
    case startup(String)

    public var description: String {
        switch self {
        case .module(let name, let step, let why): "module \"\(name)\": \(step): \(why)"
        case .startup(let why): why
        }
    }
}
