// Glibc for types only: O_WRONLY, O_CREAT, O_APPEND (open flags for AmbientAuthority.openFile)
import Glibc
import WardenSystem

/// Where audit events go. The writer (`AuditLog`) encodes each event's JSON line once and
/// hands both forms to every sink; a sink writes one event per call, whole or not at all.
/// Workers never hold a sink: they report over their control socket and the launcher or
/// supervisor writes.
public protocol AuditSink: AnyObject {
    func write(_ event: AuditEvent, line: [UInt8]) throws(Errno)
    /// After log rotation (SIGHUP): reopen by name. Sinks without a name do nothing.
    func reopen() throws(Errno)
    /// After a failed write, before the next: whatever makes the sink usable again if what it
    /// failed on has come back (a journal socket reconnects). Most sinks need nothing.
    func recover() throws(Errno)
}

extension AuditSink {
    public func reopen() throws(Errno) {}
    public func recover() throws(Errno) {}
}

/// JSON Lines: one event per line, each written with a single write(2). On a file opened
/// O_APPEND the kernel appends each write atomically, so lines from several writers (the
/// deadline handler, another warden) never interleave; on a pipe the same holds up to PIPE_BUF.
public final class JSONLinesSink: AuditSink, Sendable {
    public enum Sync: String, Sendable {
        /// Leave write-back to the kernel (fast; the last events may be lost on power failure).
        case never
        /// fdatasync after every event (each event is on disk before the next refusal returns).
        case everyEvent = "every-event"
    }

    /// The descriptor events are written to. A reopen keeps its number (dup3), so whoever
    /// else writes to this number (the deadline handler) follows the rotation too.
    public let descriptor: FileDescriptor
    public let path: String?
    public let sync: Sync
    let authority: AmbientAuthority?

    /// Writes to an open descriptor (standard error, a pipe); never reopened, never closed.
    public init(descriptor: FileDescriptor, sync: Sync = .never) {
        self.descriptor = descriptor
        self.path = nil
        self.sync = sync
        self.authority = nil
    }

    /// Appends to the file at `path` (created mode 0640).
    public init(path: String, authority: AmbientAuthority, sync: Sync = .never) throws(Errno) {
        self.descriptor = try Self.open(path, authority)
        self.path = path
        self.sync = sync
        self.authority = authority
    }

    static func open(_ path: String, _ authority: AmbientAuthority) throws(Errno) -> FileDescriptor {
        try authority.openFile(path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o640)
    }

    public func write(_ event: AuditEvent, line: [UInt8]) throws(Errno) {
        try write(line: line)
    }

    /// Writes one already-encoded line. A file deleted by name (no links left) is reopened
    /// first: writing on into the unlinked inode would lose every event without an error.
    /// (A renamed file still has its link: events follow it until the next reopen, as after
    /// any rotation.)
    public func write(line: [UInt8]) throws(Errno) {
        var sizeBefore: Int64?
        if path != nil {
            var status = try descriptor.status()
            if status.linkCount == 0 {
                try reopen()
                status = try descriptor.status()
            }
            sizeBefore = status.size
        }
        let failure: Errno? = line.withUnsafeBytes { raw in
            do throws(Errno) {
                // One write(2) for the whole line; a short write (a signal) is finished by
                // writeAll rather than left as half a line.
                try descriptor.writeAll(raw)
                if sync == .everyEvent { try descriptor.dataSync() }
                return nil
            } catch {
                return error
            }
        }
        if let failure {
            // A full disk took part of the line: half a line would make the rest of the file
            // unreadable line by line, so it is taken back (when the file grew by less than
            // the line since, i.e. by this write alone).
            if let sizeBefore, let after = try? descriptor.status().size, after > sizeBefore, after - sizeBefore < Int64(line.count) {
                try? descriptor.truncate(size: sizeBefore)
            }
            throw failure
        }
    }

    /// Opens `path` again and swaps it in under the same descriptor number: after
    /// `mv audit.log audit.log.1`, events go to a new `audit.log`. Events written while this
    /// runs land wholly in one file or the other.
    public func reopen() throws(Errno) {
        guard let path, let authority else { return }
        let fresh = try Self.open(path, authority)
        do throws(Errno) { try descriptor.replace(with: fresh) } catch {
            try? fresh.close()
            throw error
        }
    }

    /// Closes a file this sink opened (never a descriptor it was given).
    public func close() {
        if path != nil { try? descriptor.close() }
    }
}
