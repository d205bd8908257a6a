import WardenPolicy
import WardenLauncher
import WardenSystem

/// The policies in a directory (`*.toml`, in name order), validated together: each file on
/// its own (`file:line:col` diagnostics) and across files (module names must be unique).
struct PolicyDirectory {
    struct Entry {
        let file: String
        let policy: Policy
        /// SHA-256 of the file's text: the `policy` field of this module's audit events.
        let digest: String?
    }

    /// Valid policies by module name, and every diagnostic (warnings too).
    var entries: [Entry] = []
    var diagnostics: [Diagnostic] = []
    /// Files that did not yield a policy, or whose module name is taken.
    var rejectedFiles: [String] = []

    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    static func load(_ directory: String, authority: AmbientAuthority) -> PolicyDirectory {
        var loaded = PolicyDirectory()
        let files: [String]
        do { files = try Self.policyFiles(in: directory, authority: authority) } catch {
            loaded.diagnostics.append(Diagnostic(file: directory, line: 1, column: 1, severity: .error,
                                                 message: "cannot read the policy directory: \(error)"))
            return loaded
        }
        let loads = files.map { (path: $0, load: PolicyFile.load($0)) }
        let results = loads.map { (path: $0.path, result: $0.load.result) }
        loaded.diagnostics = results.flatMap(\.result.diagnostics)
        let duplicates = PolicyParser.duplicateNames(results)
        loaded.diagnostics += duplicates
        let duplicateFiles = Set(duplicates.map(\.file))
        for (path, load) in loads {
            let result = load.result
            if let policy = result.policy, !duplicateFiles.contains(path),
               !result.diagnostics.contains(where: { $0.severity == .error }) {
                loaded.entries.append(Entry(file: path, policy: policy, digest: load.text.map(PolicyFile.digest)))
            } else {
                loaded.rejectedFiles.append(path)
            }
        }
        return loaded
    }

    /// `directory/*.toml`, sorted (hidden files and editors' backups left out).
    static func policyFiles(in directory: String, authority: AmbientAuthority) throws(Errno) -> [String] {
        let handle = try authority.openDirectory(directory)
        defer { try? handle.close() }
        let names = try handle.entryNames().filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.sorted().map { base + $0 }
    }
}
