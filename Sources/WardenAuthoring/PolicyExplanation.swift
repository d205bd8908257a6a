import WardenPolicy
import WardenWASI

/// `warden policy explain`: what a module may do, in plain language, one section per concern.
/// It is the page a reviewer reads before approving a deployment.
public struct PolicyExplanation {
    let policy: Policy
    let warnings: [Diagnostic]
    /// The seccomp groups the worker will carry (the hardening room knows them, not this one).
    let seccompGroups: [String]

    public init(policy: Policy, warnings: [Diagnostic], seccompGroups: [String]) {
        self.policy = policy
        self.warnings = warnings
        self.seccompGroups = seccompGroups
    }

    public var text: String {
        var out = ""
        func section(_ title: String, _ lines: [String]) {
            out += "\(title)\n"
            for line in lines { out += "  \(line)\n" }
            out += "\n"
        }
        let module = policy.module
        let fileName = module.path.split(separator: "/").last.map(String.init) ?? module.path
        section("Module \"\(module.name)\"", [
            "file: \(module.path)",
            module.sha256.map { "pinned to sha256 \($0): any other file at that path is refused" }
                ?? "not pinned (no sha256): whatever file is at that path runs",
        ])

        var files: [String] = []
        if policy.preopens.isEmpty {
            files.append("no directories: the module cannot reach any file")
        } else {
            for preopen in policy.preopens {
                switch preopen.access {
                case .read:
                    files.append("\(preopen.guest) is host \(preopen.host), read-only: it can list, stat and read; it cannot create, modify or delete anything")
                case .readWrite:
                    files.append("\(preopen.guest) is host \(preopen.host), read-write: it can list, stat, read, create, modify, rename and delete beneath it")
                }
            }
            files.append("nothing else is reachable: paths resolve beneath these directories; '..', absolute paths and symlinks leading out are refused and logged")
        }
        section("Files", files)

        section("Arguments and environment", [
            "argv: " + ([fileName] + module.args).map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " "),
            module.env.isEmpty ? "environment: empty (nothing is inherited from the host)"
                : "environment: " + module.env.map { "\($0.name)=\($0.value)" }.joined(separator: " ") + " (nothing else is inherited from the host)",
        ])

        let stdio = policy.stdio
        section("Standard streams", [
            "stdin: " + (stdio.stdin == .null ? "empty (/dev/null)" : "inherited from the launcher"),
            "stdout: " + (stdio.stdout == .null ? "discarded" : "inherited"),
            "stderr: " + (stdio.stderr == .null ? "discarded" : "inherited"),
        ])

        var network = ["the module cannot create sockets or connect anywhere"]
        let service = policy.service
        if !service.listen.isEmpty {
            let addresses = service.listen.map(\.description).joined(separator: ", ")
            switch service.mode {
            case .perConnection:
                network.append("connections to \(addresses) are handed to a fresh instance each, as its stdin and stdout (at most \(service.maxConnections) at once, \(Units.format(duration: service.connectionWallTime)) each)")
            case .once, .daemon:
                network.append("it may accept connections on \(addresses) (listening sockets handed to it)")
            }
        }
        section("Network", network)

        let limits = policy.limits
        section("Limits", [
            "linear memory: at most \(Units.format(size: limits.memory))",
            "instructions: " + (limits.fuel == 0 ? "unmetered" : "at most \(limits.fuel) (then it traps)"),
            "CPU time: \(Units.format(duration: limits.cpuTime)); wall time: \(Units.format(duration: limits.wallTime))",
            "open descriptors: at most \(limits.openFiles)",
        ])

        section("Engine", [
            policy.engine.name == .wasmtime
                ? "\(EngineRelease.named("wasmtime")): compiled with Cranelift; the code is mapped read+execute once (never writable and executable at once), then the kernel refuses every new executable mapping before the module runs"
                : "\(EngineRelease.named("wasmkit")): an interpreter; the worker maps no executable memory at all",
        ])

        let sandbox = policy.sandbox
        let namespaces = sandbox.namespaces.map(\.rawValue).joined(separator: ", ")
        section("Kernel confinement of the worker process", [
            "seccomp allowlist: a system call outside it " + (sandbox.onSyscallViolation == .kill ? "ends the worker" : "fails with an error")
                + ", and warden logs it (the module cannot suppress the report)",
            "seccomp groups in force: " + seccompGroups.joined(separator: " "),
            "Landlock over the granted directories: " + ["require": "required (refuse to start without it)",
                                                         "best-effort": "used where the kernel supports it",
                                                         "off": "off"][sandbox.landlock.rawValue]!,
            "namespaces: " + (namespaces.isEmpty ? "none" : namespaces) + (sandbox.namespacesRequired ? " (required)" : " (where available)"),
            "identity: user '\(sandbox.user)' when started as root; every capability dropped; no_new_privs",
        ])

        section("Service", [
            "mode: " + ["once": "runs to completion", "daemon": "kept running", "per-connection": "one instance per connection"][service.mode.rawValue]!
                + "; restart: \(service.restart.rawValue)",
        ])

        section("Audit", [
            "every refusal is logged to " + (policy.audit.log ?? "the launcher's audit sink (stderr for warden run)"),
            "beyond \(policy.audit.rateLimit) events per second similar events are summarized with counts, never dropped silently"
                + (policy.audit.fsync ? "; each event is fsynced" : ""),
        ])

        let found = warnings.filter { $0.severity == .warning }
        if !found.isEmpty { section("Warnings", found.map { "line \($0.line): \($0.message)" }) }
        return out
    }
}
