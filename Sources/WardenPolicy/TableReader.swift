import WardenTOML

/// Reads one TOML table against a schema: typed accessors that record located diagnostics,
/// and a final pass that reports every key nobody asked for (with a suggestion).
struct TableReader {
    let table: TOMLTable
    let path: [String]
    /// How diagnostics name this table: `[module]`, `[[preopen]]`, `top level`.
    let label: String
    let context: ParseContext
    private var known: [String] = []

    init(_ table: TOMLTable, path: [String], label: String, context: ParseContext) {
        self.table = table
        self.path = path
        self.label = label
        self.context = context
    }

    var headerPosition: SourceLocator.Position? {
        path.isEmpty ? nil : context.locator.header(path)
    }

    mutating func value(_ key: String) -> TOMLValue? {
        known.append(key)
        return table[key]
    }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = value(key) else {
            if required { missing(key) }
            return nil
        }
        guard let text = value.string else { wrongType(key, expected: "string", value); return nil }
        return text
    }

    /// (`Int(number)` after the unwrap: `value.integer.map(Int.init)` crashes Swift 6.3.1's
    /// SIL ownership verifier in release builds.)
    mutating func integer(_ key: String) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.integer else { wrongType(key, expected: "integer", value); return nil }
        return Int(number)
    }

    mutating func boolean(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolean else { wrongType(key, expected: "boolean", value); return nil }
        return flag
    }

    mutating func strings(_ key: String) -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { wrongType(key, expected: "array", value); return nil }
        var result: [String] = []
        for index in 0..<array.count {
            guard let text = array[index].string else {
                error(at: path + [key, String(index)], "'\(key)' in \(label) must be an array of strings, not an array containing \(Self.typeName(array[index]))")
                return nil
            }
            result.append(text)
        }
        return result
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) -> T? where T.RawValue == String {
        guard let text = string(key) else { return nil }
        if let choice = T(rawValue: text) { return choice }
        let options = T.allCases.map(\.rawValue)
        let suggestion = Suggestion.closest(to: text, among: options)
        error(at: path + [key], "invalid value '\(text)' for '\(key)' in \(label); expected one of: \(options.joined(separator: ", "))"
              + (suggestion.map { "; did you mean '\($0)'?" } ?? ""), fix: suggestion)
        return nil
    }

    mutating func size(_ key: String) -> Int? {
        guard let value = value(key) else { return nil }
        if let number = value.integer { return Int(number) }
        guard let text = value.string else { wrongType(key, expected: "size (like \"256MiB\")", value); return nil }
        guard let bytes = Units.size(text) else {
            error(at: path + [key], "invalid size '\(text)' (examples: 65536, 64KiB, 256MiB, 1GiB)")
            return nil
        }
        return bytes
    }

    mutating func duration(_ key: String) -> Duration? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else { wrongType(key, expected: "duration (like \"30s\")", value); return nil }
        guard let duration = Units.duration(text) else {
            error(at: path + [key], "invalid duration '\(text)' (examples: 500ms, 30s, 5m, 1h)")
            return nil
        }
        return duration
    }

    mutating func subtable(_ key: String) -> TOMLTable? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { wrongType(key, expected: "table", value); return nil }
        return table
    }

    /// Reports keys the schema did not read. Call last.
    mutating func finish() {
        for key in table.keys.sorted() where !known.contains(key) {
            let suggestion = Suggestion.closest(to: key, among: known)
            let position = context.locator.key(path + [key])
            error(position, "unknown key '\(key)' in \(label)" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""), fix: suggestion)
        }
    }

    // MARK: Diagnostics

    mutating func missing(_ key: String) {
        error(headerPosition, "missing required key '\(key)' in \(label)")
    }

    mutating func wrongType(_ key: String, expected: String, _ value: TOMLValue) {
        error(at: path + [key], "'\(key)' in \(label) must be \(Self.article(expected)), not \(Self.article(Self.typeName(value)))")
    }

    /// "a string", "an integer".
    static func article(_ noun: String) -> String {
        ("aeiou".contains(noun.first ?? "x") ? "an " : "a ") + noun
    }

    mutating func error(at path: [String], _ message: String, fix: String? = nil) {
        error(context.locator.value(path), message, fix: fix)
    }

    mutating func error(_ position: SourceLocator.Position?, _ message: String, fix: String? = nil) {
        context.report(.error, position, message, fix: fix)
    }

    mutating func warning(at path: [String], _ message: String) {
        context.report(.warning, context.locator.value(path), message)
    }

    /// The type as messages name it; every kind of date and time is "date".
    static func typeName(_ value: TOMLValue) -> String {
        switch value.content {
        case .dateTime: "date"
        default: value.typeName
        }
    }
}

/// Shared state of one parse: the locator and the diagnostics so far.
final class ParseContext {
    let file: String
    let locator: SourceLocator
    var diagnostics: [Diagnostic] = []
    /// How a diagnostic names the line another entry came from: "line 3" in a file; the flag
    /// that wrote it for a policy built from `warden run`'s flags (`FlagPolicy`).
    let origin: (Int) -> String

    init(file: String, locator: SourceLocator, origin: @escaping (Int) -> String = { "line \($0)" }) {
        self.file = file
        self.locator = locator
        self.origin = origin
    }

    func report(_ severity: Diagnostic.Severity, _ position: SourceLocator.Position?, _ message: String, fix: String? = nil) {
        diagnostics.append(Diagnostic(file: file, line: position?.line ?? 1, column: position?.column ?? 1,
                                      severity: severity, message: message, fix: fix))
    }
}
