import CWardenLinux
import Glibc

/// The right to name host paths. Only the launcher (the CLI, later the supervisor) creates
/// one; every function that resolves an absolute or cwd-relative host path takes it, so
/// `grep AmbientAuthority` lists every escape hatch from the capability model.
public struct AmbientAuthority: Sendable {
    public let purpose: String
    public init(purpose: String) { self.purpose = purpose }

    /// Opens a host directory as a preopen root: O_RDONLY|O_DIRECTORY (getdents64 fails on O_PATH).
    public func openDirectory(_ path: String) throws(Errno) -> FileDescriptor {
        let fd = try retryingOnInterrupt { Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        return FileDescriptor(rawValue: fd)
    }

    public func openFile(_ path: String, flags: Int32, mode: UInt32 = 0o644) throws(Errno) -> FileDescriptor {
        let fd = try retryingOnInterrupt { Glibc.open(path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(rawValue: fd)
    }

    /// Reads a whole file named by host path.
    public func readFile(_ path: String, limit: Int) throws(Errno) -> [UInt8] {
        let fd = try openFile(path, flags: O_RDONLY)
        defer { try? fd.close() }
        return try fd.readToEnd(limit: limit)
    }

    /// A TCP listener bound to `host:port` (IPv4 dotted quad), for sockets handed to a guest.
    public func listenTCP(host: String, port: UInt16, backlog: Int32 = 128) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingOnInterrupt { warden_listen_tcp4(host, port, backlog) })
    }
}
