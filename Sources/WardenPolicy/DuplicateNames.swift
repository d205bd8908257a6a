/// Policies checked (or deployed) together must name distinct modules.
extension PolicyParser {
    /// One error per later declaration of a module name, pointing at its `name`.
    public static func duplicateNames(_ results: [(path: String, result: PolicyParser.Result)]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var names: [String: String] = [:]  // module name → where it was first declared
        for (path, result) in results {
            guard let name = result.policy?.module.name, let position = result.namePosition else { continue }
            if let first = names[name] {
                diagnostics.append(Diagnostic(file: path, line: position.line, column: position.column, severity: .error,
                                              message: "duplicate module name '\(name)' (first declared at \(first))"))
            } else {
                names[name] = "\(path):\(position.line)"
            }
        }
        return diagnostics
    }
}
