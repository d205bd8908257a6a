import WardenPolicy
import WardenSystem

/// Policy files read by host path, with the launcher's ambient authority: `warden run
/// --policy`, `policy check|explain|suggest`, and wardend's policy directory.
public enum PolicyFile {
    /// Host facts for warnings, read with ambient authority (stat of named directories).
    public struct LiveHostFacts: HostFacts {
        public init() {}
        public func directoryExists(_ path: String) -> Bool {
            AmbientAuthority(purpose: "policy warnings: whether a named host directory exists").isDirectory(path)
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
        return (text, PolicyParser.parse(text: text, file: path, policyPath: authority.absolute(path), host: LiveHostFacts()))
    }
}
