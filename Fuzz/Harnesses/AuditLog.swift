import Glibc  // mkstemp, pwrite, ftruncate: the log the reader reads is a real file
import WardenAudit
import WardenJSON
import WardenSystem

// `warden audit` and `policy suggest` read logs anyone with write access to the log directory
// may have written: any bytes give records (an event or why not), never a crash. An event
// that decodes must survive its own encoding unchanged, or the log would say something else
// when passed through.
enum AuditLogHarness {
    static let harness = FuzzHarness("FuzzAuditLog", generatedSeeds: seeds, check: check)

    /// One temporary file reused for every input (the reader reads a descriptor, as it does stdin).
    nonisolated(unsafe) static var logFile: Int32 = -1

    static func check(_ bytes: [UInt8]) throws(HarnessFailure) {
        // The JSON parser alone: a value or an error at an offset inside the input.
        do {
            _ = try JSONValue.parse(bytes: bytes)
        } catch {
            guard error.offset >= 0, error.offset <= bytes.count else {
                throw HarnessFailure("JSON error offset \(error.offset) outside \(bytes.count) bytes")
            }
        }

        // The reader over a file holding the bytes.
        if logFile < 0 {
            var template = Array("/tmp/warden-fuzz-audit-XXXXXX".utf8CString)
            logFile = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard logFile >= 0 else { fatalError("mkstemp: \(errno)") }
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        }
        guard ftruncate(logFile, 0) == 0, bytes.withUnsafeBytes({ pwrite(logFile, $0.baseAddress, $0.count, 0) }) == bytes.count,
              lseek(logFile, 0, SEEK_SET) == 0 else {
            fatalError("cannot stage the log: \(errno)")
        }
        let reader = AuditLogReader(descriptor: FileDescriptor(rawValue: logFile), name: "fuzz.jsonl")
        var summary = AuditSummary()
        var filter = AuditFilter()
        filter.layers = ["wasi", "seccomp"]
        var lastLine = 0
        var records = 0
        while true {
            let record: AuditRecord?
            do { record = try reader.next() } catch { throw HarnessFailure("reading a regular file failed: \(error)") }
            guard let record else { break }
            records += 1
            guard record.line > lastLine else { throw HarnessFailure("line \(record.line) after \(lastLine)") }
            lastLine = record.line
            switch record.event {
            case .success(let event):
                summary.add(event)
                _ = filter.matches(event)
                _ = event.summary
                _ = event.textLine
                let encoded = event.jsonLine()
                let again: AuditEvent
                do {
                    again = try AuditEvent(jsonLine: Array(encoded.dropLast()))
                } catch {
                    throw HarnessFailure("an event's own encoding does not decode: \(error)\n\(String(decoding: encoded, as: UTF8.self))")
                }
                guard again == event else { throw HarnessFailure("event changed through its encoding:\n\(event)\n\(again)") }
            case .failure:
                guard record.problem != nil else { throw HarnessFailure("a failed record without a problem") }
            }
        }
        guard records <= lastLine else { throw HarnessFailure("\(records) records from \(lastLine) lines") }
        _ = summary.rendered()

        // The in-memory form `policy suggest` reads: problems on real lines.
        let decoded = AuditEvent.decodeLines(String(decoding: bytes, as: UTF8.self))
        for problem in decoded.problems where problem.line < 1 { throw HarnessFailure("problem at line \(problem.line)") }
    }

    /// A log holding one event of each kind, each event alone, and a log mixing events with
    /// lines the reader must skip.
    static func seeds() -> [(String, [UInt8])] {
        let events = Samples.events(module: "fuzz")
        var logs: [[UInt8]] = [events.flatMap { $0.jsonLine() }]
        for event in events { logs.append(event.jsonLine()) }
        logs.append(Array("not json\n\n   \n{\"v\":1}\n".utf8) + events[0].jsonLine() + Array("{\"v\":2,\"time\":\"x\"}".utf8))
        return logs.enumerated().map { ("seed-\($0.offset).jsonl", $0.element) }
    }
}
