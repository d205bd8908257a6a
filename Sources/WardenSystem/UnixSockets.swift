import CWardenLinux
import Glibc

/// Unix sockets named by path (control sockets, listeners, systemd's notify socket) and the
/// options set on the connections they accept.
extension AmbientAuthority {
    /// A listening Unix stream socket at `path`, close-on-exec; a stale socket file there is
    /// replaced. It is bound with no access at all, then given `group` (when set) and `mode`
    /// before listen(), so nobody can connect before the mode is right.
    public func listenUnix(_ path: String, backlog: Int32, mode: UInt32, group: gid_t? = nil) throws(Errno) -> FileDescriptor {
        let fd = warden_listen_unix(path, backlog, mode, group.map { Int32(bitPattern: $0) } ?? -1)
        if fd < 0 { throw .current }
        return FileDescriptor(rawValue: fd)
    }

    /// A Unix stream socket connected to `path`, close-on-exec.
    public func connectUnix(_ path: String) throws(Errno) -> FileDescriptor {
        let fd = warden_connect_unix(path)
        if fd < 0 { throw .current }
        return FileDescriptor(rawValue: fd)
    }

    /// Sends `message` as one datagram to the Unix datagram socket at `path` ("@name" is in the
    /// abstract namespace), as systemd's notify protocol wants.
    public func sendDatagram(_ message: String, to path: String) throws(Errno) {
        if warden_notify_socket_send(path, message) != 0 { throw .current }
    }
}

extension FileDescriptor {
    /// The connected peer's credentials as the kernel recorded them at connect() (SO_PEERCRED).
    public func peerCredentials() throws(Errno) -> (pid: pid_t, uid: uid_t, gid: gid_t) {
        var pid: pid_t = 0, uid: uid_t = 0, gid: gid_t = 0
        if warden_peer_credentials(rawValue, &pid, &uid, &gid) != 0 { throw .current }
        return (pid, uid, gid)
    }

    /// SO_SNDTIMEO: a blocking send gives up (EAGAIN) after `seconds`.
    public func setSendTimeout(seconds: Int) throws(Errno) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        if setsockopt(rawValue, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) != 0 { throw .current }
    }

    /// SO_RCVTIMEO: a blocking read gives up (EAGAIN) after `seconds`.
    public func setReceiveTimeout(seconds: Int) throws(Errno) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        if setsockopt(rawValue, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) != 0 { throw .current }
    }
}
