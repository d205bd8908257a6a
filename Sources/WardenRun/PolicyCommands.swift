import Glibc
import WardenPolicy
import WardenSystem

/// `warden policy check` and `warden policy explain`.
public enum PolicyCommands {
    public enum Format: String, Sendable { case text, json }

    /// Host facts for warnings, read with ambient authority (stat of named directories).
    struct LiveHostFacts: HostFacts {
        func directoryExists(_ path: String) -> Bool {
            var info = stat()
            return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
        }
    }

    /// Loads one policy file by host path: its text and the parse result.
    public static func load(_ path: String) -> (text: String?, result: PolicyParser.Result) {
        let authority = AmbientAuthority(purpose: "reading policy files named on the command line")
        let bytes: [UInt8]
        do { bytes = try authority.readFile(path, limit: 1 << 20) } catch {
            let diagnostic = Diagnostic(file: path, line: 1, column: 1, severity: .error, message: "cannot read policy: \(error)")
            return (nil, PolicyParser.Result(policy: nil, diagnostics: [diagnostic]))
        }
        guard let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
            let diagnostic = Diagnostic(file: path, line: 1, column: 1, severity: .error, message: "policy is not UTF-8 text")
            return (nil, PolicyParser.Result(policy: nil, diagnostics: [diagnostic]))
        }
        return (text, PolicyParser.parse(text: text, file: path, policyPath: absolute(path), host: LiveHostFacts()))
    }

    /// Prints diagnostics for every file; returns 0 (clean), 1 (warnings, with `strict`), 2 (errors).
    public static func check(_ paths: [String], strict: Bool, format: Format) -> Int32 {
        let results = paths.map { ($0, load($0).result) }
        var all: [Diagnostic] = results.flatMap(\.1.diagnostics)
        all += duplicateNames(results)
        switch format {
        case .json:
            print("[" + all.map(\.json).joined(separator: ",\n ") + "]")
        case .text:
            for diagnostic in all { print(diagnostic) }
            let errors = all.filter { $0.severity == .error }.count, warnings = all.count - errors
            if !all.isEmpty { print("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")") }
        }
        if all.contains(where: { $0.severity == .error }) { return 2 }
        if strict && !all.isEmpty { return 1 }
        return 0
    }

    /// Policies checked (or deployed) together must name distinct modules: one error per
    /// later declaration, pointing at its `name`.
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

    public static func explain(_ path: String) -> Int32 {
        let (_, result) = load(path)
        guard let policy = result.policy else {
            for diagnostic in result.diagnostics where diagnostic.severity == .error {
                try? FileDescriptor.standardError.writeAll("\(diagnostic)\n")
            }
            return 2
        }
        print(PolicyExplanation(policy: policy, warnings: result.diagnostics).text, terminator: "")
        return 0
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        return String(cString: buffer) + "/" + path
    }
}
