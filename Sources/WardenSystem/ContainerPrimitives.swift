import CWardenLinux
import Glibc

// The filesystem and process calls warden-oci makes: its state directory (by host path, so
// they take the ambient authority), the container's waiting process, signals, and runc.

extension AmbientAuthority {
    /// `mkdir -p`: every missing component, existing ones accepted.
    public func makeDirectories(_ path: String, mode: UInt32 = 0o711) throws(Errno) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            do { try makeDirectory(prefix, mode: mode) } catch where error == .exists {}
        }
    }

    public func rename(_ path: String, to target: String) throws(Errno) { _ = try retryingOnInterrupt { Glibc.rename(path, target) } }
    public func makeFIFO(_ path: String, mode: UInt32 = 0o600) throws(Errno) { _ = try retryingOnInterrupt { warden_mkfifo(path, mode) } }
    public func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The names in a directory, without "." and "..".
    public func directoryNames(_ path: String) throws(Errno) -> [String] {
        guard let directory = opendir(path) else { throw Errno.current }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Writes `bytes` to `path` whole or not at all: a temporary file beside it, then rename.
    public func replaceFile(_ path: String, with bytes: [UInt8], mode: UInt32 = 0o600) throws(Errno) {
        let temporary = path + ".tmp.\(getpid())"
        let fd = try openFile(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do throws(Errno) {
            let failure: Errno? = bytes.withUnsafeBytes { raw in
                do throws(Errno) { try fd.writeAll(raw); return nil } catch { return error }
            }
            if let failure { throw failure }
            try fd.close()
        } catch {
            try? fd.close()
            try? removeFile(temporary)
            throw error
        }
        try rename(temporary, to: path)
    }

    /// A Unix stream socket connected to `path` (a console socket), close-on-exec.
    public func connectUnixStream(_ path: String) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingOnInterrupt { warden_connect_unix(path) })
    }

    /// Joins the namespace whose file is `path` (`/proc/PID/ns/net`, `/run/netns/NAME`);
    /// `type` is a CLONE_NEW* constant, or 0 to accept any.
    public func joinNamespace(_ path: String, type: Int32) throws(Errno) {
        _ = try retryingOnInterrupt { warden_setns_path(path, type) }
    }
}

extension FileDescriptor {
    /// Sends `bytes` with `descriptor` attached (SCM_RIGHTS).
    public func send(_ bytes: [UInt8], passing descriptor: FileDescriptor) throws(Errno) {
        let sent = bytes.withUnsafeBytes { raw in warden_send_with_fd(rawValue, raw.baseAddress, raw.count, descriptor.rawValue) }
        if sent < 0 { throw Errno.current }
    }

    /// A pipe, both ends close-on-exec: (read, write).
    public static func pipe() throws(Errno) -> (read: FileDescriptor, write: FileDescriptor) {
        var ends: [Int32] = [0, 0]
        _ = try retryingOnInterrupt { pipe2(&ends, O_CLOEXEC) }
        return (FileDescriptor(rawValue: ends[0]), FileDescriptor(rawValue: ends[1]))
    }
}

/// A pseudo-terminal for a container run with `--console-socket`.
public struct Pseudoterminal: Sendable {
    public let master: FileDescriptor
    public let slave: FileDescriptor

    public static func open() throws(Errno) -> Pseudoterminal {
        var master: Int32 = -1, slave: Int32 = -1
        _ = try retryingOnInterrupt { warden_open_pty(&master, &slave) }
        return Pseudoterminal(master: FileDescriptor(rawValue: master), slave: FileDescriptor(rawValue: slave))
    }
}

/// Processes: spawning with an exact descriptor layout, sessions, signals, reaping, exec.
extension ProcessControl {

    /// posix_spawn `path` with child fd i = `descriptors[i]`, every other descriptor closed,
    /// signals at their defaults; the environment is the caller's.
    public static func spawn(_ path: String, arguments: [String], descriptors: [FileDescriptor]) throws(Errno) -> Int32 {
        var pid: pid_t = 0
        let sources = descriptors.map(\.rawValue)
        let result = withCStringArray(arguments) { argv in
            sources.withUnsafeBufferPointer { warden_spawn_layout(path, argv, environ, $0.baseAddress, Int32($0.count), &pid) }
        }
        guard result == 0 else { throw Errno.current }
        return pid
    }

    /// Starts a new session (and process group) led by the caller: no controlling terminal.
    public static func newSession() throws(Errno) { _ = try retryingOnInterrupt { setsid() } }

    /// Makes the terminal `fd` the controlling terminal of the caller's (new) session.
    public static func takeControllingTerminal(_ fd: FileDescriptor) throws(Errno) {
        _ = try retryingOnInterrupt { warden_set_controlling_terminal(fd.rawValue) }
    }

    public static func signal(_ pid: Int32, _ number: Int32) throws(Errno) {
        _ = try retryingOnInterrupt { kill(pid, number) }
    }

    /// Waits for a child to end; its raw wait status.
    public static func wait(for pid: Int32) throws(Errno) -> Int32 {
        var status: Int32 = 0
        _ = try retryingOnInterrupt { waitpid(pid, &status, 0) }
        return status
    }

    /// Replaces this process with `path` (same environment); returns only the failure.
    public static func replace(with path: String, arguments: [String]) -> Errno {
        _ = withCStringArray(arguments) { warden_exec(path, $0) }
        return Errno.current
    }



    static func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension ProcessControl {
    /// The working directory (for relative paths a caller passes: `--bundle .`).
    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
