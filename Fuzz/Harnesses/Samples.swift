import WardenAudit

/// What several harnesses seed from: events as warden writes them.
enum Samples {
    /// One event of each kind.
    static func events(module: String) -> [AuditEvent] {
        let time = AuditTime(millisecondsSinceEpoch: 1_795_000_000_123)
        let kinds: [AuditEvent.Kind] = [
            .wasi(WASIRefusal(operation: "path_open", fd: 5, preopen: "/in", path: "../etc/passwd", reason: "escape-attempt", errno: "notcapable")),
            .wasi(WASIRefusal(operation: "path_open", fd: 5, preopen: "/in", path: "out/x.txt", reason: "read-only", errno: "notcapable")),
            .seccomp(SyscallRefusal(syscall: "socket", number: 41, arguments: [2, 1, 0, 0, 0, 0], action: .denied, errno: "EPERM")),
            .landlock(LandlockRefusal(operation: "path_open", fd: 6, preopen: "/out", path: "y", errno: "EACCES")),
            .limit(LimitReached(limit: .memory, action: .refused, value: "64MiB", requested: "128MiB")),
            .limit(LimitReached(limit: .fuel, action: .killed, value: "1000000")),
            .limit(LimitReached(limit: .wallTime, action: .killed, value: "60s")),
            .policy(PolicyRefusal(reason: .digestMismatch, file: "/etc/warden/p.toml", expected: "ab", actual: "cd")),
            .lifecycle(LifecycleChange(.crashed, status: 137, signal: 9, detail: "killed")),
            .suppressed(Suppression(layer: "wasi", since: time, counts: [.init(reason: "read-only", operation: "path_open", count: 99)])),
            .other(layer: "future", action: "observed", fields: ["op": "x", "path": "/y"]),
        ]
        return kinds.map { AuditEvent(time: time, module: module, instance: "i-1", pid: 1234, policyDigest: "abc", kind: $0) }
    }
}
