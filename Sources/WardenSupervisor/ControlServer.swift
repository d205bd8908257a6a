// Glibc for types only: pid_t, uid_t, gid_t
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
        /// The peer's uid (SO_PEERCRED; nil when it could not be read): warm workers go to root only.
        var peerUID: uid_t?
    }

    let socket: FileDescriptor
    let path: String
    let group: (name: String, gid: gid_t)?
    private var clients: [Int32: Client] = [:]
    private let authority = AmbientAuthority(purpose: "wardend: the control socket and its directory")

    /// The socket's directory, when wardend made it (not systemd's RuntimeDirectory=).
    private var madeDirectory: String?

    init(path: String, groupName: String?) throws(SupervisorError) {
        var group: (String, gid_t)?
        if let groupName {
            guard let gid = Accounts.groupID(named: groupName) else { throw .startup("wardend: control socket: group '\(groupName)' does not exist") }
            group = (groupName, gid)
        }
        // Under systemd, RuntimeDirectory= made the directory; by hand, make it (root and the
        // control group only) rather than fail.
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let directory = String(path[..<slash])
            if !authority.canAccess(directory, .exists) {
                try? authority.makeDirectory(directory, mode: 0o750)
                if let group { try? authority.changeGroup(directory, to: group.1) }
                madeDirectory = directory
            }
        }
        do throws(Errno) {
            socket = try authority.listenUnix(path, backlog: 64, mode: group == nil ? 0o600 : 0o660, group: group?.1)
        } catch {
            throw .startup("wardend: control socket \(path): \(error)")
        }
        try? socket.setNonBlocking(true)
        self.path = path
        self.group = group
    }

    /// Refused peers held open at once to be answered; the rest are closed unanswered.
    static let maximumRefusedWaiting = 16

    /// accept() failed for want of descriptors: the socket is not polled before this.
    private var pausedUntil: UInt64?
    /// accept() failures in a row (the first is logged, the recovery says how many).
    private var acceptFailures = 0

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
                    // Out of descriptors: the socket stays readable; look again in 100ms, not at
                    // once. Said once per burst, with a count when accepting works again.
                    if error != .wouldBlock {
                        if acceptFailures == 0 {
                            SupervisorLog.warning("control socket: accept: \(error); retrying every 100ms (said once until accept works again)")
                        }
                        acceptFailures += 1
                        pausedUntil = SystemClock.monotonicNow() &+ 100_000_000
                    }
                    break
                }
                if acceptFailures > 0 {
                    SupervisorLog.info("control socket: accept works again after \(acceptFailures) failed attempt(s)")
                    acceptFailures = 0
                }
                let refused = refusal(for: client)
                if let refused {
                    // A peer that may not use the socket gets its answer only while few are
                    // waiting; a flood of them is closed at once, so it can hold neither
                    // descriptors nor the log (refusals are rate-limited, with a count).
                    reactor.refusalLog.warning("control socket: \(refused)")
                    if clients.values.filter({ $0.refusal != nil }).count >= Self.maximumRefusedWaiting {
                        try? client.close()
                        continue
                    }
                }
                clients[client.rawValue] = Client(socket: client, deadline: SystemClock.monotonicNow() &+ 2_000_000_000, refusal: refused,
                                                  peerUID: try? client.peerCredentials().uid)
            }
        }
        for (fd, var client) in clients where ready.contains(fd) {
            var buffer = [UInt8](repeating: 0, count: 1024)
            // nil: nothing to read yet (EAGAIN); 0: the peer closed or the read failed.
            let count: Int? = buffer.withUnsafeMutableBytes { raw in
                do throws(Errno) { return try client.socket.read(into: raw) } catch { return error == .wouldBlock ? nil : 0 }
            }
            if let count, count > 0 { client.request += buffer[0..<count] }
            if count == 0 || client.request.count > 4096 || client.request.contains(10) {
                clients[fd] = nil
                let line = String(decoding: client.request.prefix { $0 != 10 }, as: UTF8.self)
                let words = line.split(separator: " ").map(String.init)
                if client.refusal == nil, words.first == "warm", let peerUID = client.peerUID {
                    // `warden run` borrowing a warm worker: the pool answers and keeps the
                    // connection for as long as the loan lasts.
                    reactor.lendWarmWorker(words, to: client.socket, peerUID: peerUID)
                    continue
                }
                reply(client.socket, client.refusal.map { "error: \($0)\n" } ?? reactor.answer(line))
            } else {
                clients[fd] = client
            }
        }
    }

    /// Why this peer may not use the socket, or nil.
    func refusal(for client: FileDescriptor) -> String? {
        let peer: (pid: pid_t, uid: uid_t, gid: gid_t)
        do throws(Errno) { peer = try client.peerCredentials() } catch { return "SO_PEERCRED: \(error)" }
        let (pid, uid, gid) = peer
        if uid == 0 || uid == ProcessControl.effectiveUserID { return nil }
        if let group, gid == group.gid || Accounts.isMember(uid: uid, ofGroup: group.gid) { return nil }
        return "permission denied: uid \(uid) (pid \(pid)) is not root" + (group.map { " and not in group '\($0.name)'" } ?? "")
    }

    private func reply(_ client: FileDescriptor, _ text: String) {
        Self.send(client, text)
        try? client.close()
    }

    /// Writes `text` to a control connection, blocking at most a second: a reader that does
    /// not read gets cut off rather than stalling the supervisor.
    static func send(_ client: FileDescriptor, _ text: String) {
        try? client.setNonBlocking(false)
        try? client.setSendTimeout(seconds: 1)
        try? client.writeAll(text)
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
        try? authority.removeFile(path)
        // A directory made by hand goes again (rmdir leaves it if anything else is inside).
        if let madeDirectory { try? authority.removeDirectory(madeDirectory) }
    }
}
