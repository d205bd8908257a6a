import WardenAuthoring
import WardenLauncher
import WardenPolicy
import WardenSystem

/// `warden policy check` and `warden policy explain`.
public enum PolicyCommandCore {
    public enum Format: String, Sendable { case text, json }

    /// Prints diagnostics for every file (the policy's own rules, then whether it can run on
    /// this host: module file, account); returns 0 (clean), 1 (warnings, with `strict`), 2 (errors).
    public static func check(_ paths: [String], strict: Bool, format: Format, offline: Bool = false) -> Int32 {
        let results = paths.map { path in
            var result = PolicyFile.load(path).result
            if !offline { result.diagnostics += PolicyFile.hostDiagnostics(file: path, result: result) }
            return (path, result)
        }
        var all: [Diagnostic] = results.flatMap(\.1.diagnostics)
        all += PolicyParser.duplicateNames(results)
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

    public static func explain(_ path: String) -> Int32 {
        let (_, result) = PolicyFile.load(path)
        guard let policy = result.policy else {
            for diagnostic in result.diagnostics where diagnostic.severity == .error {
                try? FileDescriptor.standardError.writeAll("\(diagnostic)\n")
            }
            return 2
        }
        print(PolicyExplanation(policy: policy, warnings: result.diagnostics, seccompGroups: SeccompCommandCore.groupNames(for: policy)).text, terminator: "")
        return 0
    }
}
