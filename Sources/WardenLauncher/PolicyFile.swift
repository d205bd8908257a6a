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
            // A policy directory (wardend's) named where files go: say how to name its files.
            let hint = error == .isDirectory ? "; name the policy files in it ('\(path.hasSuffix("/") ? path : path + "/")*.toml')" : ""
            let diagnostic = Diagnostic(file: path, line: 1, column: 1, severity: .error, message: "cannot read policy: \(error)\(hint)")
            return (nil, PolicyParser.Result(policy: nil, diagnostics: [diagnostic]))
        }
        guard let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
            let diagnostic = Diagnostic(file: path, line: 1, column: 1, severity: .error, message: "policy is not UTF-8 text")
            return (nil, PolicyParser.Result(policy: nil, diagnostics: [diagnostic]))
        }
        return (text, PolicyParser.parse(text: text, file: path, policyPath: AmbientAuthority(purpose: "reading policy files named on the command line").absolute(path), host: LiveHostFacts()))
    }

    /// What `policy check` adds to a valid policy's own rules: whether it can run on this host.
    /// Its module file must be a regular file, and its `[sandbox] user` (default `warden`) an
    /// account; each problem is an error with the fix. (wardend and `warden run` find the same
    /// problems when they start the module, for that module only.)
    public static func hostDiagnostics(file: String, result: PolicyParser.Result) -> [Diagnostic] {
        guard let policy = result.policy else { return [] }
        var found: [Diagnostic] = []
        func report(_ key: [String], _ fallback: [String], _ message: String, severity: Diagnostic.Severity = .error) {
            let position = result.locator?.value(key) ?? result.locator?.header(fallback)
            found.append(Diagnostic(file: file, line: position?.line ?? 1, column: position?.column ?? 1, severity: severity, message: message))
        }
        let path = policy.module.path
        let authority = AmbientAuthority(purpose: "policy check: whether the module file and the account exist")
        do throws(Errno) {
            if try !authority.status(path).isRegularFile {
                report(["module", "path"], ["module"], "module file '\(path)' is not a regular file; correct 'path' in [module]")
            }
        } catch {
            report(["module", "path"], ["module"], "module file '\(path)' cannot be read: \(error); put the module there or correct 'path' in [module]")
        }
        let user = policy.sandbox.user
        let which = result.locator?.value(["sandbox", "user"]) == nil ? "the default [sandbox] user" : "[sandbox] user"
        guard let account = Accounts.user(named: user) else {
            report(["sandbox", "user"], ["sandbox"], "account '\(user)' (\(which)) does not exist; create it ('make install' does, or: systemd-sysusers, useradd --system --no-create-home --shell /usr/sbin/nologin \(user)) or name an existing account in [sandbox] user")
            return found
        }
        // The worker runs as that account: a grant it cannot use fails the module with EACCES
        // (warden run warns when it starts; say it here, before deployment).
        for (index, preopen) in policy.preopens.enumerated() {
            guard let directory = try? authority.openDirectory(preopen.host) else { continue }
            defer { try? directory.close() }
            let readWrite = preopen.access == .readWrite
            if let problem = WorkerLauncher.accessProblem(directory, readWrite: readWrite, for: (account.uid, account.gid)) {
                report(["preopen", String(index), "host"], ["preopen"],
                       "grant '\(preopen.host)' \(problem) for account '\(user)' (\(which), \(account.uid):\(account.gid)); the module will get EACCES there: give the account access (chown, chmod or an ACL) or name another account in [sandbox] user",
                       severity: .warning)
            }
        }
        return found
    }

    /// The `policy` field of audit events: SHA-256 (hex) of the policy file's text.
    public static func digest(_ text: String) -> String { SHA256.hex(of: Array(text.utf8)) }
}
