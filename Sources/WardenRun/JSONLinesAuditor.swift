import Glibc
import WardenHardening
import WardenPolicy
import WardenSystem
import WardenWASI

/// Writes each denial as one JSON object per line with a single write(2), so lines from
/// concurrent writers never interleave (O_APPEND files, pipes under PIPE_BUF).
public final class JSONLinesAuditor: AccessAuditor {
    let output: FileDescriptor
    let module: String
    let pid: Int32
    public private(set) var count = 0

    public init(output: FileDescriptor, module: String) {
        self.output = output
        self.module = module
        self.pid = getpid()
    }

    public func record(_ denial: AccessDenial) {
        record(operation: denial.operation, fd: denial.fd, preopen: denial.preopen, path: denial.path,
               reason: denial.reason.rawValue, errno: denial.errno.description)
    }

    /// The same event from its parts (as a worker reports it over its control socket).
    public func record(operation: String, fd: UInt32?, preopen: String?, path: String?, reason: String, errno: String, pid: Int32? = nil) {
        var fields = [("op", Self.quoted(operation))]
        if let fd { fields.append(("fd", "\(fd)")) }
        if let preopen { fields.append(("preopen", Self.quoted(preopen))) }
        if let path { fields.append(("path", Self.quoted(path))) }
        fields += [("reason", Self.quoted(reason)), ("errno", Self.quoted(errno))]
        write(event(layer: "wasi", action: "denied", pid: pid, fields))
    }

    /// A system call the kernel refused the worker (layer `seccomp`), reported by the launcher
    /// from the worker's notification listener: the module can neither forge nor suppress it.
    public func recordSyscall(_ notification: SeccompNotification, action: String, errno: String?) {
        var fields = [("syscall", Self.quoted(notification.syscallName)), ("nr", "\(notification.syscallNumber)"),
                      ("args", "[" + notification.arguments.map { "\"0x\(String($0, radix: 16))\"" }.joined(separator: ",") + "]")]
        if let errno { fields.append(("errno", Self.quoted(errno))) }
        write(event(layer: "seccomp", action: action, pid: notification.pid, fields))
    }

    /// A limit that ended the module (layer `limit`).
    public func recordLimit(_ limit: String, value: String, pid: Int32? = nil) {
        write(limitEvent(limit, value: value, pid: pid))
    }

    /// The `limit` event line, with `time` given (the deadline handler fills in "@TIME@").
    func limitEvent(_ limit: String, value: String, pid: Int32? = nil, time: String? = nil) -> String {
        event(layer: "limit", action: "killed", pid: pid, time: time, [("limit", Self.quoted(limit)), ("value", Self.quoted(value))])
    }

    /// One JSON line: the fields every event carries, then `fields` (values already encoded).
    func event(layer: String, action: String, pid: Int32?, time: String? = nil, _ fields: [(String, String)]) -> String {
        var line = "{\"v\":1,\"time\":\"\(time ?? Self.timestamp())\",\"layer\":\(Self.quoted(layer)),\"action\":\(Self.quoted(action))"
        line += ",\"module\":\(Self.quoted(module)),\"pid\":\(pid ?? self.pid)"
        for (name, value) in fields { line += ",\"\(name)\":\(value)" }
        return line + "}\n"
    }

    private func write(_ line: String) {
        count += 1
        try? output.writeAll(line)
    }

    /// RFC 3339 UTC with milliseconds, without Foundation.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    static func quoted(_ text: String) -> String { JSONText.quoted(text) }
}
