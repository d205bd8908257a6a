import WardenTOML

/// Checks across keys: guest path collisions and nesting (errors), and what a reviewer must
/// look at twice (warnings): system directories, home directories, a module that could
/// rewrite itself or its policy, missing host directories, limits left at defaults.
/// The rules other rooms must announce before proposing a grant (`policy suggest`).
public enum PolicyCheckRules {
    /// Granting one of these is warned about.
    public static let systemDirectories = PolicyChecks.systemDirectories
    /// Whether `path` is `directory` or beneath it.
    public static func contains(_ directory: String, _ path: String) -> Bool { PolicyChecks.contains(directory, path) }
}

struct PolicyChecks {
    let context: ParseContext
    let policyPath: String?
    let host: HostFacts?

    static let systemDirectories = ["/", "/proc", "/sys", "/dev", "/etc", "/root", "/home", "/boot", "/run", "/var/run"]

    func check(_ policy: Policy, table: TOMLTable) {
        checkGuestPaths(policy)
        for (index, preopen) in policy.preopens.enumerated() {
            let hostPath = ["preopen", String(index), "host"]
            let position = context.locator.value(hostPath)
            if Self.systemDirectories.contains(preopen.host) {
                context.report(.warning, position, "preopen of '\(preopen.host)' grants system directory '\(preopen.host)'; grant a narrower directory")
            } else if Self.isHomeDirectory(preopen.host) {
                context.report(.warning, position, "preopen of '\(preopen.host)' grants a home directory; grant a narrower directory")
            }
            if preopen.access == .readWrite {
                if Self.contains(preopen.host, policy.module.path) {
                    context.report(.warning, position, "read-write preopen '\(preopen.host)' contains the module file; the module could rewrite its own code")
                }
                if let policyPath, Self.contains(preopen.host, policyPath) {
                    context.report(.warning, position, "read-write preopen '\(preopen.host)' contains this policy file; the module could rewrite its own permissions")
                }
            }
            if let host, !host.directoryExists(preopen.host) {
                context.report(.warning, position, "host directory '\(preopen.host)' does not exist")
            }
        }
        checkLimitDefaults(table)
    }

    /// Each entry is reported at most once: a repeat of an earlier guest path, or a path nested
    /// beneath another granted path (found by looking up its ancestors, so thousands of
    /// preopens stay linear).
    private func checkGuestPaths(_ policy: Policy) {
        var first: [String: Int] = [:]  // guest path → index of its first entry
        for (index, preopen) in policy.preopens.enumerated() where first[preopen.guest] == nil {
            first[preopen.guest] = index
        }
        for (index, preopen) in policy.preopens.enumerated() {
            let position = context.locator.value(["preopen", String(index), "guest"])
            let components = preopen.guest.split(separator: "/")
            if components.contains(".") || components.contains("..") {
                context.report(.error, position, "'guest' in [[preopen]] must not contain '.' or '..' components")
                continue
            }
            if let earlier = first[preopen.guest], earlier != index {
                context.report(.error, position, "guest path '\(preopen.guest)' is granted twice (first at \(context.origin(policy.preopens[earlier].line)))")
                continue
            }
            var ancestor = ""
            for component in components.dropLast() {
                ancestor += "/" + component
                if let outer = first[ancestor] {
                    context.report(.error, position, "guest path '\(preopen.guest)' is nested in '\(ancestor)' (\(context.origin(policy.preopens[outer].line)))")
                    break
                }
            }
            if components.count > 0, let root = first["/"], root != index {
                context.report(.error, position, "guest path '\(preopen.guest)' is nested in '/' (\(context.origin(policy.preopens[root].line)))")
            }
        }
    }

    private func checkLimitDefaults(_ table: TOMLTable) {
        let limits = table["limits"]?.table
        let defaults: [(String, String)] = [("memory", Units.format(size: Policy.Limits.defaultMemory)), ("cpu-time", "30s"),
                                            ("wall-time", "60s"), ("open-files", "64")]
        let missing = defaults.filter { limits?[$0.0] == nil }
        guard !missing.isEmpty else { return }
        let position = limits == nil ? nil : context.locator.header(["limits"])
        context.report(.warning, position, "[limits] leaves \(missing.map(\.0).joinedDirectly(separator: ", ")) at defaults (\(missing.map(\.1).joinedDirectly(separator: ", "))); set them explicitly")
    }

    /// Whether `path` is `directory` or lies beneath it (textually, after normalization).
    static func contains(_ directory: String, _ path: String) -> Bool {
        directory == "/" || path == directory || path.hasPrefix(directory + "/")
    }

    static func isHomeDirectory(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        return parts.count == 2 && parts[0] == "home"
    }
}
