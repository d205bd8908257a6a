import WardenAuthoring
import WardenLauncher
// Glibc for constants only: O_WRONLY, O_CREAT, O_TRUNC
import Glibc
import WardenPolicy
import WardenSystem

/// `warden learn`: one run of the module in a hardened worker under broad grants the author
/// names, then the minimal policy that run justifies (see `LearnedPolicy`).
public enum LearnCommandCore {
    public struct Request: Sendable {
        public var modulePath: String?
        public var arguments: [String] = []
        /// HOST[::GUEST], read-write for learning (the policy narrows them).
        public var allowedDirectories: [String] = []
        /// Variable names passed through from warden's own environment.
        public var allowedEnvironment: [String] = []
        public var basePolicy: String?
        public var name: String?
        public var user: String?
        public var output: String?
        public init() {}
    }

    public static func learn(_ request: Request) -> Int32 {
        var options: RunOptions
        var grants: [LearnedPolicy.Grant] = []
        var user = request.user
        var name = request.name
        var arguments = request.arguments
        var environment: [(name: String, value: String)] = []
        do throws(RunError) {
            if let base = request.basePolicy {
                var narrowing = RunOptions.Narrowing()
                narrowing.extraArguments = request.arguments
                options = try RunOptions.from(policyFile: base, narrowing: narrowing)
                if request.modulePath != nil { throw .usage("with --policy the module comes from the base policy; put module arguments after '--'") }
                grants = options.directories.map { LearnedPolicy.Grant(host: $0.host, guest: $0.guest, readOnly: $0.readOnly) }
                user = user ?? options.user
                name = name ?? options.moduleName
                arguments = options.arguments
                for entry in options.environment {
                    let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    environment.append((String(parts[0]), parts.count > 1 ? String(parts[1]) : ""))
                }
            } else {
                guard let module = request.modulePath else { throw .usage("missing MODULE (or --policy BASE)") }
                options = RunOptions(modulePath: module)
                options.arguments = request.arguments
            }
            for text in request.allowedDirectories {
                let grant = try RunOptions.directoryGrant(text, readOnly: false, flag: "--allow-dir")
                options.directories.append(grant)
                grants.append(LearnedPolicy.Grant(host: grant.host, guest: grant.guest, readOnly: false))
            }
        } catch {
            OperatorOutput.printError("warden: \(error)")
            if case .usage = error { return ExitStatus.usage }
            return ExitStatus.launchFailure
        }
        for variable in request.allowedEnvironment {
            guard let value = Environment.value(variable) else {
                OperatorOutput.printError("warden: warning: --allow-env \(variable): not set in warden's environment; left out")
                continue
            }
            environment.append((variable, value))
        }
        options.environment = environment.map { "\($0.name)=\($0.value)" }
        // Learn as the identity the learned policy will run as: without --user that is the
        // policy's default [sandbox] user ('warden'), never root, so what the run could
        // reach and what it created belong to the account that will run it.
        options.user = user ?? (ProcessControl.effectiveUserID == 0 ? Policy.Sandbox.defaultUser : nil)
        options.useWorker = true
        // Meter fuel to measure it; the budget is out of reach.
        options.fuel = 1 << 62
        options.wallTime = nil
        options.cpuTime = nil
        options.stdoutToStderr = request.output == nil
        let learner = AccessLearner()
        options.learner = learner

        let status = OneShotRun.run(options)
        guard status != ExitStatus.launchFailure, status != ExitStatus.usage else { return status }
        if !learner.usageReported {
            OperatorOutput.printError("warden: warning: the run ended before the module finished (status \(status)); the policy covers only what it did until then")
        } else if status != 0 {
            OperatorOutput.printError("warden: warning: the module exited with status \(status); the policy covers only what this run did")
        }

        let modulePath = absolutePath(options.modulePath)
        let learned = LearnedPolicy(moduleName: name ?? moduleName(fromPath: options.modulePath), modulePath: modulePath,
                                    arguments: arguments, environment: environment, user: user, grants: grants, learner: learner)
        let text = learned.rendered()
        // The learned policy must be one `policy check` accepts without a word.
        let checked = PolicyParser.parse(text: text, file: request.output ?? "<learned policy>", host: PolicyFile.LiveHostFacts())
        for diagnostic in checked.diagnostics { OperatorOutput.printError("warden: learned policy: \(diagnostic)") }
        if checked.hasErrors { return ExitStatus.launchFailure }

        do throws(Errno) {
            if let output = request.output {
                let authority = AmbientAuthority(purpose: "warden learn: the learned policy file")
                let file = try authority.openFile(output, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
                defer { try? file.close() }
                try file.writeAll(text)
            } else {
                try FileDescriptor.standardOutput.writeAll(text)
            }
        } catch {
            OperatorOutput.printError("warden: cannot write the learned policy to \(request.output ?? "standard output"): \(error)")
            return ExitStatus.launchFailure
        }
        let preopens = learned.preopens().preopens
        OperatorOutput.printError("warden: learned \(preopens.count) preopen\(preopens.count == 1 ? "" : "s") from \(learner.accesses.count) distinct accesses"
            + (learner.refusals.isEmpty ? "" : "; \(learner.refusals.count) refusal\(learner.refusals.count == 1 ? "" : "s") listed, not granted")
            + (request.output.map { " -> \($0)" } ?? ""))
        return 0
    }

    /// A policy module name from a file name: `Convert_v2.wasm` → `convert_v2`.
    static func moduleName(fromPath path: String) -> String {
        var stem = String(path.split(separator: "/").last ?? Substring(path))
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = String(stem[..<dot]) }
        let allowed = stem.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "._-".contains($0) ? $0 : "-" }
        let name = String(allowed.prefix(64))
        return name.isEmpty ? "module" : name
    }

    static func absolutePath(_ path: String) -> String {
        AmbientAuthority(purpose: "warden learn: the module's path as the policy will name it").resolved(path) ?? path
    }
}
