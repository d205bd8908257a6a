import Glibc
import WardenAudit
import WardenJSON
import WardenSystem

// `warden audit` and `policy suggest` read logs anyone with write access to the log directory
// may have written: any bytes give records (an event or why not), never a crash. An event
// that decodes must survive its own encoding unchanged, or the log would say something else
// when passed through.

/// One temporary file reused for every input (the reader reads a descriptor, as it does stdin).
nonisolated(unsafe) var logFile: Int32 = -1

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuditLog(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // The JSON parser alone: a value or an error at an offset inside the input.
    do {
        _ = try JSONValue.parse(bytes: bytes)
    } catch {
        guard error.offset >= 0, error.offset <= size else { fatalError("JSON error offset \(error.offset) outside \(size) bytes") }
    }

    // The reader over a file holding the bytes.
    if logFile < 0 {
        var template = Array("/tmp/warden-fuzz-audit-XXXXXX".utf8CString)
        logFile = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard logFile >= 0 else { fatalError("mkstemp: \(errno)") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }
    guard ftruncate(logFile, 0) == 0, pwrite(logFile, data, size, 0) == size, lseek(logFile, 0, SEEK_SET) == 0 else {
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
        do { record = try reader.next() } catch { fatalError("reading a regular file failed: \(error)") }
        guard let record else { break }
        records += 1
        guard record.line > lastLine else { fatalError("line \(record.line) after \(lastLine)") }
        lastLine = record.line
        switch record.event {
        case .success(let event):
            summary.add(event)
            _ = filter.matches(event)
            _ = event.summary
            _ = event.textLine
            let encoded = event.jsonLine()
            do {
                let again = try AuditEvent(jsonLine: Array(encoded.dropLast()))
                guard again == event else { fatalError("event changed through its encoding:\n\(event)\n\(again)") }
            } catch {
                fatalError("an event's own encoding does not decode: \(error)\n\(String(decoding: encoded, as: UTF8.self))")
            }
        case .failure:
            guard record.problem != nil else { fatalError("a failed record without a problem") }
        }
    }
    guard records <= lastLine else { fatalError("\(records) records from \(lastLine) lines") }
    _ = summary.rendered()

    // The in-memory form `policy suggest` tests use must agree on the count of events.
    let text = String(decoding: bytes, as: UTF8.self)
    let decoded = AuditEvent.decodeLines(text)
    for problem in decoded.problems where problem.line < 1 { fatalError("problem at line \(problem.line)") }
    return 0
}
