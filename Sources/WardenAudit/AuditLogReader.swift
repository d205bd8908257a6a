// Glibc for types only: O_RDONLY (open flags for AmbientAuthority.openFile)
import Glibc
import WardenSystem

/// One line of an audit log: where it is, its bytes, and the event it holds (or why not).
public struct AuditRecord: Sendable {
    public var file: String
    public var line: Int
    /// The line as written, without its newline (what `warden audit --json` passes through,
    /// unknown fields and all).
    public var raw: [UInt8]
    public var event: Result<AuditEvent, AuditDecodeError>

    /// `file:line: warning: ...` for a line that is not an event this reader understands.
    public var problem: String? {
        guard case .failure(let error) = event else { return nil }
        return "\(file):\(line): warning: skipping malformed audit event: \(error)"
    }
}

/// Reads a JSON Lines audit log one record at a time, in bounded memory. At the end of the
/// file `next()` returns nil; a follower waits and calls it again (`reopenIfRotated()` picks
/// up a new file after rotation). A line longer than `maximumLine` is reported, not buffered.
public final class AuditLogReader {
    public let name: String
    let path: String?
    let authority: AmbientAuthority?
    var descriptor: FileDescriptor
    var buffer: [UInt8] = []
    var start = 0
    var lineNumber = 0
    var offset: Int64 = 0
    var discarding = false
    public static let maximumLine = 1 << 20

    /// Reads the file at `path`.
    public init(path: String, authority: AmbientAuthority) throws(Errno) {
        self.name = path
        self.path = path
        self.authority = authority
        self.descriptor = try authority.openFile(path, flags: O_RDONLY)
    }

    /// Reads an open descriptor (standard input), named `name` in messages.
    public init(descriptor: FileDescriptor, name: String) {
        self.name = name
        self.path = nil
        self.authority = nil
        self.descriptor = descriptor
    }

    deinit { if path != nil { try? descriptor.close() } }

    /// The next record, or nil at the end of what is there now. With `atEnd` false a last
    /// line without its newline is held back (a writer may be mid-line); with true it counts.
    public func next(atEnd: Bool = true) throws(Errno) -> AuditRecord? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0a) {
                let raw = Array(buffer[start..<newline])
                start = newline + 1
                lineNumber += 1
                if discarding {
                    discarding = false
                    return AuditRecord(file: name, line: lineNumber, raw: [], event: .failure(AuditDecodeError("line longer than \(Self.maximumLine) bytes")))
                }
                if raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) { continue }
                return record(raw)
            }
            if buffer.count - start > Self.maximumLine {
                // Keep counting the line, but not its bytes.
                discarding = true
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            if try fill() == 0 {
                guard atEnd, start < buffer.count else { return nil }
                let raw = Array(buffer[start...])
                buffer.removeAll(keepingCapacity: true)
                start = 0
                lineNumber += 1
                return discarding ? nil : record(raw)
            }
        }
    }

    func record(_ raw: [UInt8]) -> AuditRecord {
        let event: Result<AuditEvent, AuditDecodeError>
        do throws(AuditDecodeError) { event = .success(try AuditEvent(jsonLine: raw)) } catch { event = .failure(error) }
        return AuditRecord(file: name, line: lineNumber, raw: raw, event: event)
    }

    /// Reads more bytes; 0 at the end of the file.
    func fill() throws(Errno) -> Int {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let chunk = 64 * 1024
        let oldCount = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        let result: Result<Int, Errno> = buffer.withUnsafeMutableBytes { raw in
            do throws(Errno) {
                return .success(try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[oldCount...])))
            } catch {
                return .failure(error)
            }
        }
        let count: Int
        switch result {
        case .success(let read): count = read
        case .failure(let error):
            buffer.removeLast(chunk)
            throw error
        }
        buffer.removeLast(chunk - count)
        offset += Int64(count)
        return count
    }

    /// For `--follow`: when the file at the path is no longer the one being read (rotated:
    /// another inode) or was truncated, start over on what is there now. True if it switched.
    public func reopenIfRotated() -> Bool {
        guard let path, let authority, let current = try? descriptor.status() else { return false }
        guard let fresh = try? authority.openFile(path, flags: O_RDONLY) else { return false }
        guard let status = try? fresh.status(), status.inode != current.inode || status.device != current.device || status.size < offset else {
            try? fresh.close()
            return false
        }
        try? descriptor.close()
        descriptor = fresh
        buffer.removeAll()
        start = 0
        offset = 0
        lineNumber = 0
        return true
    }
}

extension AuditEvent {
    /// Decodes every line of `text` (blank lines skipped): the events, and `line: reason`
    /// for each line that is not one.
    public static func decodeLines(_ text: String) -> (events: [AuditEvent], problems: [(line: Int, error: AuditDecodeError)]) {
        var events: [AuditEvent] = [], problems: [(Int, AuditDecodeError)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) {
            do throws(AuditDecodeError) { events.append(try AuditEvent(jsonLine: String(line))) } catch { problems.append((index + 1, error)) }
        }
        return (events, problems)
    }
}
