import Foundation
import Testing
import WardenTestSupport

/// The fault-injection suite: real wardend, warden and worker processes, faults injected from
/// outside (signals, full filesystems, descriptor limits, hostile clients). Every test bounds
/// its loops and waits, uses loopback addresses only, and ends what it started. Serialized:
/// each fault loads the machine on purpose, and two at once would blur what is measured.
@Suite(.serialized) enum Faults {}

extension Faults {
    static func supervisorGuest(_ name: String) throws -> String { try Guests.c("Tests/WardenSupervisorTests/Guests/\(name).c") }
    static func auditProbe() throws -> String { try Guests.c("Tests/WardenAuditTests/Guests/audit_probe.c") }
    static func guest(_ name: String) throws -> String { try Guests.c("Tests/WardenFaultTests/Guests/\(name).c") }

    /// Waits (bounded) until `condition` holds; whether it did.
    @discardableResult
    static func eventually(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return try condition()
    }
}

/// What /proc says about processes: a worker calls setsid(), so a zygote's instances share
/// its session id even after a dead parent's children were handed to init.
enum ProcessTable {
    /// Live (not zombie) processes in session `sid`.
    static func members(ofSession sid: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard let fields = statFields(pid), fields.count > 3 else { return false }
            return fields[0] != "Z" && Int32(fields[3]) == sid
        }
    }

    /// The fields of /proc/PID/stat after "(comm)": state, ppid, pgrp, session, ...
    static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// The descriptors a process holds.
    static func descriptorCount(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }
}

/// `count` client threads, each exchanging a line with a per-connection module on loopback
/// again and again until `stop()` (or its deadline): a steady per-connection load.
final class ClientLoad: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private(set) var answered = 0
    private(set) var failed = 0
    private let group = DispatchGroup()

    init(count: Int, port: UInt16, deadline: TimeInterval) {
        let end = Date().addingTimeInterval(deadline)
        for index in 0..<count {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while !isStopped && Date() < end {
                    let answer = Client.exchange(port, "c\(index)\n")
                    lock.withLock { if answer?.hasPrefix("hello c\(index) ") == true { answered += 1 } else { failed += 1 } }
                    if answer == nil { Thread.sleep(forTimeInterval: 0.01) }
                }
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    private var isStopped: Bool { lock.withLock { stopped } }
    var answeredSoFar: Int { lock.withLock { answered } }

    /// Stops every client and waits for them; false if one is still stuck after `timeout`.
    func stop(timeout: TimeInterval) -> Bool {
        lock.withLock { stopped = true }
        return group.wait(timeout: .now() + timeout) == .success
    }
}

extension ProcessTable {
    /// Live children of `parent`.
    static func children(of parent: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard let fields = statFields(pid), fields.count > 1 else { return false }
            return fields[0] != "Z" && Int32(fields[1]) == parent
        }
    }
}

/// A Unix stream client (wardend's control socket).
enum UnixClient {
    /// Connects to `path`; the descriptor, or -1.
    static func connect(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { close(fd); return -1 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 { close(fd); return -1 }
        return fd
    }
}

/// `count` clients, each one exchange ("cN") with a per-connection module, all at once.
final class ConcurrentAnswers: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String] = []
    private let group = DispatchGroup()

    init(count: Int, port: UInt16) {
        for index in 0..<count {
            group.enter()
            Thread { [self] in
                let answer = Client.exchange(port, "c\(index)\n") ?? "(refused)"
                lock.withLock { answers.append(answer) }
                group.leave()
            }.start()
        }
    }

    var results: [String] { lock.withLock { answers } }
    func wait(timeout: TimeInterval) -> Bool { group.wait(timeout: .now() + timeout) == .success }
}
