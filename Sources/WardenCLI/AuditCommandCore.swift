import WardenAudit
import WardenSystem

/// `warden audit` and `warden audit summary`: read JSON Lines audit logs, keep what a filter
/// matches, print events (as text, or the lines verbatim with `--json`) or counts. Malformed
/// lines are skipped with a `file:line: warning:` on stderr; they never stop the reading.
public enum AuditCommandCore {
    /// Prints matching events; with `follow`, keeps reading the (last) file as it grows and
    /// across rotation until interrupted. Exit status 0, or 1 when a log cannot be read.
    public static func show(_ files: [String], filter: AuditFilter, json: Bool, follow: Bool) -> Int32 {
        if follow { unblockTerminationSignals() }
        var output = OutputBuffer()
        var status: Int32 = 0
        let sources = files.isEmpty ? ["-"] : files
        for (index, file) in sources.enumerated() {
            guard let reader = open(file) else { status = 1; continue }
            let tail = follow && index == sources.count - 1 && file != "-"
            do throws(Errno) {
                while true {
                    while let record = try reader.next(atEnd: !tail) {
                        switch record.event {
                        case .success(let event) where filter.matches(event):
                            if json { output.append(record.raw) } else { output.append(Array(event.textLine.utf8)) }
                        case .success: break
                        case .failure: warn(record.problem!)
                        }
                    }
                    output.flush()
                    guard tail else { break }
                    // Rotation or truncation starts over on the new file; otherwise wait for more.
                    if !reader.reopenIfRotated() { SystemClock.sleep(milliseconds: 200) }
                }
            } catch {
                output.flush()
                warn("warden: cannot read audit log '\(file)': \(error)")
                status = 1
            }
        }
        output.flush()
        return status
    }

    /// Counts of refusals by module, layer, reason, operation and path over every matching event.
    public static func summary(_ files: [String], filter: AuditFilter, top: Int) -> Int32 {
        var summary = AuditSummary()
        let status = forEachEvent(in: files) { event in if filter.matches(event) { summary.add(event) } }
        try? FileDescriptor.standardOutput.writeAll(summary.rendered(top: top))
        return status
    }

    /// Every event in `files` (standard input when none, or for "-"), in order. Malformed
    /// lines are skipped with their `file:line` warning. Returns 1 when a log could not be
    /// opened or read to its end (what was read still counts), else 0.
    static func forEachEvent(in files: [String], _ body: (AuditEvent) -> Void) -> Int32 {
        var status: Int32 = 0
        for file in files.isEmpty ? ["-"] : files {
            guard let reader = open(file) else { status = 1; continue }
            do throws(Errno) {
                while let record = try reader.next() {
                    switch record.event {
                    case .success(let event): body(event)
                    case .failure: warn(record.problem!)
                    }
                }
            } catch {
                warn("warden: cannot read audit log '\(file)': \(error)")
                status = 1
            }
        }
        return status
    }

    static func open(_ file: String) -> AuditLogReader? {
        if file == "-" { return AuditLogReader(descriptor: .standardInput, name: "<stdin>") }
        do throws(Errno) {
            return try AuditLogReader(path: file, authority: AmbientAuthority(purpose: "warden audit: the logs named on the command line"))
        } catch {
            warn("warden: cannot open audit log '\(file)': \(error)")
            return nil
        }
    }

    static func warn(_ line: String) { try? FileDescriptor.standardError.writeAll(line + "\n") }
}

/// Standard output in 64 KiB writes rather than one per event.
struct OutputBuffer {
    var bytes: [UInt8] = []

    mutating func append(_ line: [UInt8]) {
        bytes.append(contentsOf: line)
        bytes.append(0x0a)
        if bytes.count >= 64 * 1024 { flush() }
    }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { raw in _ = try? FileDescriptor.standardOutput.writeAll(raw) }
        bytes.removeAll(keepingCapacity: true)
    }
}
