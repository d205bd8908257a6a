import Logging
import WardenSystem

/// wardend's messages: one line each on standard error (the journal under systemd), in the
/// operator form `wardend: module "x": step: why (ERRNO)`. Warnings and errors say so.
struct SupervisorLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix = switch event.level {
        case .warning: "warning: "
        case .error, .critical: "error: "
        default: ""
        }
        SupervisorLog.write("wardend: \(prefix)\(event.message)")
    }
}

enum SupervisorLog {
    static let logger: Logger = {
        var logger = Logger(label: "wardend") { _ in SupervisorLogHandler() }
        logger.logLevel = .info
        return logger
    }()

    /// One write(2) per line, so lines from different threads never interleave.
    static func write(_ line: String) {
        try? FileDescriptor.standardError.writeAll(line + "\n")
    }

    static func info(_ message: String) { write("wardend: " + message) }
    static func warning(_ message: String) { write("wardend: warning: " + message) }
    static func error(_ message: String) { write("wardend: error: " + message) }
}
