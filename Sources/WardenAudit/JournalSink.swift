import WardenSystem

/// The systemd journal through its native protocol: one datagram per event on the journal's
/// unix socket, with structured fields (`MESSAGE`, `PRIORITY`, `WARDEN_MODULE`, ...), so
/// `journalctl WARDEN_MODULE=thumbnailer` finds a module's refusals. Values are written as
/// `KEY=VALUE\n`, or, when they hold a newline, in the binary-safe form
/// `KEY\n<64-bit little-endian length><bytes>\n`.
public final class JournalSink: AuditSink, Sendable {
    public static let defaultSocketPath = "/run/systemd/journal/socket"
    public let socket: FileDescriptor
    let socketPath: String
    let authority: AmbientAuthority

    /// Connects to the journal's socket (or, in tests, any datagram socket that speaks the
    /// protocol). Throws when there is none, e.g. ENOENT where journald does not run.
    public init(socketPath: String = JournalSink.defaultSocketPath, authority: AmbientAuthority) throws(Errno) {
        socket = try authority.connectUnixDatagram(socketPath)
        self.socketPath = socketPath
        self.authority = authority
    }

    /// A journald that went away and came back listens on a new socket: connect to it under
    /// the same descriptor number (ECONNREFUSED or ENOENT while it is still gone).
    public func recover() throws(Errno) {
        let fresh = try authority.connectUnixDatagram(socketPath)
        do throws(Errno) { try socket.replace(with: fresh) } catch {
            try? fresh.close()
            throw error
        }
    }

    public func write(_ event: AuditEvent, line: [UInt8]) throws(Errno) {
        var datagram = Self.datagram(for: event, line: line)
        do throws(Errno) {
            try send(datagram)
        } catch where error == .messageTooLong {
            // Larger than the socket takes (a huge path): the fields again, each value cut,
            // without the full JSON copy. journald's memfd route is not worth it for this.
            datagram = Self.datagram(for: event, line: nil, valueLimit: 2048)
            try send(datagram)
        }
    }

    func send(_ datagram: [UInt8]) throws(Errno) {
        let failure: Errno? = datagram.withUnsafeBytes { raw in
            do throws(Errno) { try socket.sendDatagram(raw); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    public func close() { try? socket.close() }

    /// syslog priority: errors for what ended or refused a module, warnings for refusals,
    /// info for the rest of a module's life.
    public static func priority(of event: AuditEvent) -> Int {
        switch event.kind {
        case .policy: 3
        case .seccomp(let refusal) where refusal.action == .killed: 3
        case .limit(let limit) where limit.action == .killed: 3
        case .lifecycle(let change): [.crashed, .auditFailed, .auditLost].contains(change.change) ? 3 : 6
        default: 4
        }
    }

    /// The journal field name for an event field: `WARDEN_` and the name in upper case, with
    /// anything but letters and digits as `_` (`defense-in-depth` → `WARDEN_DEFENSE_IN_DEPTH`).
    public static func fieldName(_ name: String) -> String {
        "WARDEN_" + String(name.uppercased().unicodeScalars.map { scalar -> Character in
            (("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)) ? Character(scalar) : "_"
        }).prefix(56)
    }

    /// The datagram for one event. `line` (the JSON form) rides along as `WARDEN_EVENT` so a
    /// journal export loses nothing; `valueLimit` cuts long values.
    public static func datagram(for event: AuditEvent, line: [UInt8]?, valueLimit: Int = .max) -> [UInt8] {
        var fields: [(String, String)] = [
            ("MESSAGE", "warden: module \(AuditEvent.visible(event.module)): \(event.layer) \(event.action): \(event.summary)"),
            ("PRIORITY", String(priority(of: event))),
            ("SYSLOG_IDENTIFIER", "warden"),
            ("WARDEN_V", String(event.version)),
            ("WARDEN_TIME", event.time.description),
            ("WARDEN_LAYER", event.layer),
            ("WARDEN_ACTION", event.action),
            ("WARDEN_MODULE", event.module),
            ("WARDEN_INSTANCE", event.instance),
        ]
        if let pid = event.pid { fields.append(("WARDEN_PID", String(pid))) }
        if let digest = event.policyDigest { fields.append(("WARDEN_POLICY", digest)) }
        for (name, value) in event.detailFields {
            let text: String
            switch value {
            case .string(let string): text = string
            case .integer(let number): text = String(number)
            case .bool(let flag): text = flag ? "true" : "false"
            case .strings(let strings): text = strings.joined(separator: "\n")
            case .counts(let counts): text = counts.map { "\($0.reason) \($0.operation) \($0.count)" }.joined(separator: "\n")
            }
            fields.append((fieldName(name), text))
        }
        if let line { fields.append(("WARDEN_EVENT", String(decoding: line.last == 0x0a ? line.dropLast() : line[...], as: UTF8.self))) }

        var bytes: [UInt8] = []
        for (name, value) in fields {
            let data = Array(value.utf8.prefix(valueLimit))
            bytes.append(contentsOf: name.utf8)
            if data.contains(0x0a) {
                bytes.append(0x0a)
                withUnsafeBytes(of: UInt64(data.count).littleEndian) { bytes.append(contentsOf: $0) }
                bytes.append(contentsOf: data)
            } else {
                bytes.append(UInt8(ascii: "="))
                bytes.append(contentsOf: data)
            }
            bytes.append(0x0a)
        }
        return bytes
    }
}
