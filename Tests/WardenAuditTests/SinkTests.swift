import Foundation
import Testing
import WardenAudit
import WardenSystem
import WardenTestSupport

@Suite struct SinkTests {
    static let authority = AmbientAuthority(purpose: "tests: audit sinks in a temporary tree")

    static func event(_ sequence: Int, path: String? = nil) -> AuditEvent {
        AuditEvent(time: .now(), module: "flood", instance: "00000000000000ff", pid: 42, policyDigest: nil,
                   kind: .wasi(WASIRefusal(operation: "path_open", fd: 3, preopen: "/in", path: path ?? "seq-\(sequence)",
                                           reason: "escape-attempt", errno: "notcapable")))
    }

    /// A writer thread keeps writing while the log is renamed away and reopened five times:
    /// every event lands, whole, in exactly one of the files.
    @Test func rotationUnderLoadLosesNothing() throws {
        let tree = try TemporaryTree()
        let path = tree.url("audit.jsonl")
        let sink = try JSONLinesSink(path: path, authority: Self.authority)
        defer { sink.close() }
        let total = 100_000
        let done = DispatchSemaphore(value: 0)
        Thread {
            for sequence in 0..<total { try? sink.write(line: Self.event(sequence).jsonLine()) }
            done.signal()
        }.start()
        var rotated: [String] = []
        for round in 1...5 {
            usleep(20_000)
            let old = tree.url("audit.jsonl.\(round)")
            #expect(rename(path, old) == 0)
            rotated.append(old)
            try sink.reopen()
        }
        done.wait()
        var seen = Set<String>(), lines = 0
        for file in rotated + [path] {
            for event in try AuditProbe.events(file) {
                lines += 1
                seen.insert(event.path ?? "")
            }
        }
        #expect(lines == total)
        #expect(seen.count == total)
        #expect(try rotated.allSatisfy { try !AuditProbe.events($0).isEmpty }, "the writer should have been mid-flight at each rotation")
    }

    @Test func hangupReopensThroughTheLog() throws {
        let tree = try TemporaryTree()
        let path = tree.url("audit.jsonl")
        let sink = try JSONLinesSink(path: path, authority: Self.authority)
        defer { sink.close() }
        let log = AuditLog(context: AuditContext(module: "m"), sinks: [sink], rateLimit: nil)
        try HangupSignal.watch()
        log.record(Self.event(1))
        #expect(rename(path, tree.url("audit.jsonl.1")) == 0)
        // To the process, not this thread (a test thread may block signals); the handler runs
        // on whichever thread takes it.
        kill(getpid(), SIGHUP)
        var reopened = false
        for _ in 0..<200 where !reopened {
            reopened = log.reopenIfHungUp()
            if !reopened { usleep(5_000) }
        }
        #expect(reopened)
        log.record(Self.event(2))
        #expect(try AuditProbe.events(tree.url("audit.jsonl.1")).map(\.path) == ["seq-1"])
        #expect(try AuditProbe.events(path).map(\.path) == ["seq-2"])
    }

    @Test func everyEventSyncPolicyStillWritesOneLinePerEvent() throws {
        let tree = try TemporaryTree()
        let sink = try JSONLinesSink(path: tree.url("a.jsonl"), authority: Self.authority, sync: .everyEvent)
        defer { sink.close() }
        for sequence in 0..<10 { try sink.write(Self.event(sequence), line: Self.event(sequence).jsonLine()) }
        #expect(try AuditProbe.events(tree.url("a.jsonl")).count == 10)
        var info = stat()
        stat(tree.url("a.jsonl"), &info)
        #expect(info.st_mode & 0o777 == 0o640)
    }

    /// A datagram socket bound at `path`: a stand-in for journald.
    static func journalServer(_ path: String) throws -> Int32 {
        let server = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(server >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        return server
    }

    /// The fields of the next datagram waiting on `server`, or nil.
    static func nextDatagram(_ server: Int32) throws -> [String: String]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(server, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return count > 0 ? try parseJournal(Array(buffer[0..<count])) : nil
    }

    /// journald goes away and comes back: with `continue` the events sent meanwhile are
    /// counted, and the sink reconnects and sends the count first; with `stop` the log
    /// names the failure for its owner to end the module.
    @Test func aVanishedJournalSocket() throws {
        let tree = try TemporaryTree()
        let socketPath = tree.url("journal.socket")
        var server = try Self.journalServer(socketPath)
        let sink = try JournalSink(socketPath: socketPath, authority: Self.authority)
        defer { sink.close() }
        let log = AuditLog(context: AuditContext(module: "m"), sinks: [sink], rateLimit: nil, onFailure: .continue)
        log.record(Self.event(1))
        #expect(try Self.nextDatagram(server)?["WARDEN_PATH"] == "seq-1")

        close(server)
        unlink(socketPath)
        log.record(Self.event(2))
        log.record(Self.event(3))
        #expect(log.unreportedLosses == 2)
        #expect(log.stopCause == nil, "continue never asks for a stop")

        server = try Self.journalServer(socketPath)
        log.record(Self.event(4))
        let report = try #require(try Self.nextDatagram(server))
        #expect(report["WARDEN_LAYER"] == "lifecycle" && report["WARDEN_ACTION"] == "audit-lost")
        #expect(report["WARDEN_LOST"] == "2")
        #expect(report["PRIORITY"] == "3")
        #expect(try Self.nextDatagram(server)?["WARDEN_PATH"] == "seq-4")
        #expect(log.unreportedLosses == 0)

        let stopping = AuditLog(context: AuditContext(module: "m"), sinks: [sink], rateLimit: nil)
        close(server)
        unlink(socketPath)
        stopping.record(Self.event(5))
        #expect(stopping.stopCause != nil)
    }

    /// The journal sink against a socket of our own that reads the native protocol.
    @Test func journalSinkSpeaksTheNativeProtocol() throws {
        let tree = try TemporaryTree()
        let socketPath = tree.url("journal.socket")
        let server = try Self.journalServer(socketPath)
        defer { close(server) }

        let sink = try JournalSink(socketPath: socketPath, authority: Self.authority)
        defer { sink.close() }
        let event = Self.event(7, path: "two\nlines")
        try sink.write(event, line: event.jsonLine())
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(server, &buffer, buffer.count, 0)
        try #require(count > 0)
        let fields = try Self.parseJournal(Array(buffer[0..<count]))
        #expect(fields["PRIORITY"] == "4")
        #expect(fields["SYSLOG_IDENTIFIER"] == "warden")
        #expect(fields["MESSAGE"]?.hasPrefix("warden: module flood: wasi denied: path_open two\\x0alines via /in") == true)
        #expect(fields["WARDEN_MODULE"] == "flood")
        #expect(fields["WARDEN_INSTANCE"] == "00000000000000ff")
        #expect(fields["WARDEN_PID"] == "42")
        #expect(fields["WARDEN_LAYER"] == "wasi")
        #expect(fields["WARDEN_ACTION"] == "denied")
        #expect(fields["WARDEN_OP"] == "path_open")
        #expect(fields["WARDEN_FD"] == "3")
        #expect(fields["WARDEN_PATH"] == "two\nlines", "a value with a newline uses the binary-safe form")
        #expect(fields["WARDEN_REASON"] == "escape-attempt")
        #expect(fields["WARDEN_ERRNO"] == "notcapable")
        #expect(try fields["WARDEN_EVENT"].map { try AuditEvent(jsonLine: $0) } == event)
        #expect(fields["WARDEN_POLICY"] == nil)
    }

    @Test func journalSinkFailsWhereThereIsNoJournal() throws {
        let tree = try TemporaryTree()
        #expect(throws: Errno.self) { try JournalSink(socketPath: tree.url("missing.socket"), authority: Self.authority) }
    }

    /// KEY=VALUE\n, or KEY\n + 64-bit little-endian length + bytes + \n.
    static func parseJournal(_ bytes: [UInt8]) throws -> [String: String] {
        var fields: [String: String] = [:], index = 0
        while index < bytes.count {
            guard let end = bytes[index...].firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == 0x0a }) else { throw Guests.BuildError(description: "truncated") }
            let name = String(decoding: bytes[index..<end], as: UTF8.self)
            #expect(name.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" }, "\(name)")
            if bytes[end] == UInt8(ascii: "=") {
                let stop = bytes[(end + 1)...].firstIndex(of: 0x0a)!
                fields[name] = String(decoding: bytes[(end + 1)..<stop], as: UTF8.self)
                index = stop + 1
            } else {
                let length = Int(bytes[(end + 1)..<(end + 9)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
                let start = end + 9
                fields[name] = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
                #expect(bytes[start + length] == 0x0a)
                index = start + length + 1
            }
        }
        return fields
    }
}
