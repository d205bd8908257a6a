import CWardenLinux
import Glibc
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
        let descriptor: Int32
        switch address {
        case .tcp(let host, let port):
            descriptor = warden_listen_tcp4(host, port, 1024)
        case .unix(let path):
            descriptor = warden_listen_unix(path, 1024, 0o666, -1)
            if descriptor >= 0 { unixPaths[key] = path }
        case .systemd(let name):
            guard let passed = activated[name] else {
                throw .module(module, "listen \(key)", "systemd passed no socket named '\(name)' (LISTEN_FDNAMES: \(activated.keys.sorted().joined(separator: ", ")))")
            }
            descriptor = passed.rawValue
        }
        guard descriptor >= 0 else { throw .module(module, "listen \(key)", "\(Errno.current)") }
        let socket = FileDescriptor(rawValue: descriptor)
        open[key] = socket
        return socket
    }

    /// Closes every socket whose address is not in `keep` (systemd's stay with systemd: they
    /// are closed too, but systemd holds its own copy).
    func retain(only keep: Set<String>) {
        for (key, socket) in open where !keep.contains(key) {
            try? socket.close()
            if let path = unixPaths.removeValue(forKey: key) { unlink(path) }
            open[key] = nil
        }
    }

    func closeAll() { retain(only: []) }

    /// Sockets passed by systemd socket activation, by name: fds 3...3+LISTEN_FDS-1 when
    /// LISTEN_PID is this process. Read once at start-up; the variables are then cleared so
    /// nothing started later mistakes them for its own.
    static func fromSystemd() -> [String: FileDescriptor] {
        guard let pidText = getenv("LISTEN_PID").map({ String(cString: $0) }), Int32(pidText) == getpid(),
              let countText = getenv("LISTEN_FDS").map({ String(cString: $0) }), let count = Int32(countText), count > 0 else {
            return [:]
        }
        let names = getenv("LISTEN_FDNAMES").map { String(cString: $0).split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        var sockets: [String: FileDescriptor] = [:]
        for index in 0..<count {
            let fd: Int32 = 3 + index
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let name = Int(index) < names.count && !names[Int(index)].isEmpty ? names[Int(index)] : "unknown"
            sockets[name] = FileDescriptor(rawValue: fd)
        }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        return sockets
    }
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
