import WardenTOML

/// Facts about the host that some warnings need; `policy check` supplies real ones, tests
/// supply their own. The policy room itself does no I/O.
public protocol HostFacts: Sendable {
    func directoryExists(_ path: String) -> Bool
}

/// Parses and validates policy text. Returns the resolved policy when there are no errors,
/// and every diagnostic (errors and warnings) either way.
public enum PolicyParser {
    public struct Result: Sendable {
        public var policy: Policy?
        public var diagnostics: [Diagnostic]
        /// Where the parsed text's keys and values sit (nil when it is not TOML).
        public var locator: SourceLocator?
        /// Where `[module] name`'s value sits, for diagnostics across files (duplicate names).
        public var namePosition: SourceLocator.Position? { locator?.value(["module", "name"]) }
        public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
        public init(policy: Policy?, diagnostics: [Diagnostic]) {
            self.policy = policy
            self.diagnostics = diagnostics
        }
    }

    /// - Parameters:
    ///   - file: how diagnostics name the file.
    ///   - policyPath: the policy file's absolute host path (for the "could rewrite its own
    ///     permissions" warning), if known.
    public static func parse(text: String, file: String, policyPath: String? = nil, host: HostFacts? = nil) -> Result {
        parse(text: text, file: file, policyPath: policyPath, host: host, origin: { "line \($0)" })
    }

    /// `origin` names the source of a line in diagnostics that refer to another entry.
    static func parse(text: String, file: String, policyPath: String?, host: HostFacts?, origin: @escaping (Int) -> String) -> Result {
        let table: TOMLTable
        do {
            table = try TOMLDocument.parse(text)
        } catch {
            return Result(policy: nil, diagnostics: [Diagnostic(file: file, line: error.line, column: error.column, severity: .error,
                                                                message: "invalid TOML: " + error.message)])
        }
        let locator = SourceLocator(root: table)
        let context = ParseContext(file: file, locator: locator, origin: origin)
        let policy = PolicySchema(context: context).read(table)
        if let policy { PolicyChecks(context: context, policyPath: policyPath, host: host).check(policy, table: table) }
        let diagnostics = context.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        let failed = diagnostics.contains { $0.severity == .error }
        var result = Result(policy: failed ? nil : policy, diagnostics: diagnostics)
        result.locator = locator
        return result
    }
}
