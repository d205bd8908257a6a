import CWardenLinux
import Glibc
import WardenSystem

/// The control socket `warden status|reload|restart|stop` talk to: a Unix stream socket that
/// only root, wardend's own user or members of the configured group may use. The file mode
/// says so (0660, group) and, in case the mode is ever widened, every connection's
/// SO_PEERCRED is checked too. One request line in, one reply out ("ok" or "error" first).
final class ControlServer {
    struct Client {
        let socket: FileDescriptor
        var request: [UInt8] = []
        let deadline: UInt64
        /// Why this peer is refused: it is answered with this once its request is in (closing
        /// on unread data would reset the connection and lose the answer).
        var refusal: String?
    }

    let socket: FileDescriptor
    let path: String
    let group: (name: String, gid: gid_t)?
    private var clients: [Int32: Client] = [:]

    /// The socket's directory, when wardend made it (not systemd's RuntimeDirectory=).
    private var madeDirectory: String?

    init(path: String, groupName: String?) throws(SupervisorError) {
        var group: (String, gid_t)?
        if let groupName {
            guard let entry = getgrnam(groupName) else { throw .startup("wardend: control socket: group '\(groupName)' does not exist") }
            group = (groupName, entry.pointee.gr_gid)
        }
        // Under systemd, RuntimeDirectory= made the directory; by hand, make it (root and the
        // control group only) rather than fail.
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let directory = String(path[..<slash])
            if access(directory, F_OK) != 0 {
                mkdir(directory, 0o750)
                if let group { chown(directory, UInt32.max, group.1) }
                madeDirectory = directory
            }
        }
        let descriptor = warden_listen_unix(path, 64, group == nil ? 0o600 : 0o660, group.map { Int32(bitPattern: $0.1) } ?? -1)
        guard descriptor >= 0 else { throw .startup("wardend: control socket \(path): \(Errno.current)") }
        socket = FileDescriptor(rawValue: descriptor)
        if let flags = try? socket.statusFlags() { try? socket.setStatusFlags(flags | O_NONBLOCK) }
        self.path = path
        self.group = group
    }

    /// accept() failed for want of descriptors: the socket is not polled before this.
    private var pausedUntil: UInt64?

    var descriptors: [FileDescriptor] {
        let listening = pausedUntil.map { SystemClock.monotonicNow() >= $0 } ?? true
        return (listening ? [socket] : []) + clients.values.map(\.socket)
    }
    var nextDeadline: UInt64? { (clients.values.map(\.deadline) + [pausedUntil].compactMap { $0 }).min() }

    func service(_ ready: Set<Int32>, reactor: Reactor) {
        if ready.contains(socket.rawValue) {
            while true {
                let client: FileDescriptor
                do throws(Errno) { client = try socket.accept(nonBlocking: true) } catch {
                    // Out of descriptors: the socket stays readable; look again in 100ms, not at once.
                    if error != .wouldBlock { pausedUntil = SystemClock.monotonicNow() &+ 100_000_000 }
                    break
                }
                let refused = refusal(for: client)
                if let refused { SupervisorLog.warning("control socket: \(refused)") }
                clients[client.rawValue] = Client(socket: client, deadline: SystemClock.monotonicNow() &+ 2_000_000_000, refusal: refused)
            }
        }
        for (fd, var client) in clients where ready.contains(fd) {
            var buffer = [UInt8](repeating: 0, count: 1024)
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 { client.request += buffer[0..<count] }
            if count <= 0 && !(count < 0 && errno == EAGAIN) || client.request.count > 4096 || client.request.contains(10) {
                clients[fd] = nil
                let line = String(decoding: client.request.prefix { $0 != 10 }, as: UTF8.self)
                reply(client.socket, client.refusal.map { "error: \($0)\n" } ?? reactor.answer(line))
            } else {
                clients[fd] = client
            }
        }
    }

    /// Why this peer may not use the socket, or nil.
    func refusal(for client: FileDescriptor) -> String? {
        var pid: pid_t = 0, uid: uid_t = 0, gid: gid_t = 0
        guard warden_peer_credentials(client.rawValue, &pid, &uid, &gid) == 0 else { return "SO_PEERCRED: \(Errno.current)" }
        if uid == 0 || uid == geteuid() { return nil }
        if let group, gid == group.gid || Self.isMember(uid: uid, of: group.gid) { return nil }
        return "permission denied: uid \(uid) (pid \(pid)) is not root" + (group.map { " and not in group '\($0.name)'" } ?? "")
    }

    static func isMember(uid: uid_t, of gid: gid_t) -> Bool {
        guard let account = getpwuid(uid), let name = account.pointee.pw_name else { return false }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: 64)
        guard getgrouplist(name, account.pointee.pw_gid, &groups, &count) >= 0 else { return false }
        return groups.prefix(Int(count)).contains(gid)
    }

    private func reply(_ client: FileDescriptor, _ text: String) {
        if let flags = try? client.statusFlags() { try? client.setStatusFlags(flags & ~O_NONBLOCK) }
        // A reader that does not read gets cut off rather than stalling the supervisor.
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(client.rawValue, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try? client.writeAll(text)
        try? client.close()
    }

    func expire(_ now: UInt64) {
        if let paused = pausedUntil, now >= paused { pausedUntil = nil }
        for (fd, client) in clients where client.deadline <= now {
            clients[fd] = nil
            reply(client.socket, "error: \(client.refusal ?? "no request within 2s")\n")
        }
    }

    func close() {
        for client in clients.values { try? client.socket.close() }
        clients = [:]
        try? socket.close()
        unlink(path)
        // A directory made by hand goes again (rmdir leaves it if anything else is inside).
        if let madeDirectory { rmdir(madeDirectory) }
    }
}
