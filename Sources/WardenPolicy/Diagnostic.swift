import WardenJSON

/// One finding of `policy check`, located in the policy text.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String
    /// The suggested replacement text ("did you mean ..."), for editors.
    public var fix: String?

    public init(file: String, line: Int, column: Int, severity: Severity, message: String, fix: String? = nil) {
        self.file = file
        self.line = max(1, line)
        self.column = max(1, column)
        self.severity = severity
        self.message = message
        self.fix = fix
    }

    /// `file:line:col: error: message`, as compilers print it.
    public var description: String { "\(file):\(line):\(column): \(severity.rawValue): \(message)" }

    public var json: String {
        var fields = ["\"file\":\(JSONText.quoted(file))", "\"line\":\(line)", "\"column\":\(column)",
                      "\"severity\":\"\(severity.rawValue)\"", "\"message\":\(JSONText.quoted(message))"]
        if let fix { fields.append("\"fix\":\(JSONText.quoted(fix))") }
        return "{" + fields.joined(separator: ",") + "}"
    }
}

/// Closest candidates for a misspelled key or value (Levenshtein distance ≤ 2).
enum Suggestion {
    static func closest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2, best.1 < max(word.count, 2) else { return nil }
        return best.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
