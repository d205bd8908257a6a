import WardenJSON
import WardenPolicy
import WardenWASI

/// Writes the minimal policy one learning run justifies (`warden learn`): every preopen
/// narrowed to the deepest directories the module used, read-only unless something beneath
/// it was written, created or deleted; limits from what the run used plus stated headroom;
/// a comment beside each grant with the accesses that justify it; refusals listed, never
/// granted.
public struct LearnedPolicy {
    public struct Grant: Sendable, Equatable {
        public var host: String
        public var guest: String
        public var readOnly: Bool
        public init(host: String, guest: String, readOnly: Bool) {
            self.host = host
            self.guest = guest
            self.readOnly = readOnly
        }
    }

    /// One preopen of the learned policy.
    public struct Preopen: Sendable, Equatable {
        public var host: String
        public var guest: String
        public var readWrite: Bool
        /// "read in/a.txt", ... (sorted, de-duplicated)
        public var evidence: [String]
    }

    public var moduleName: String
    public var modulePath: String
    public var arguments: [String]
    /// KEY=VALUE pairs the author allowed.
    public var environment: [(name: String, value: String)]
    public var user: String?
    public var grants: [Grant]
    public var learner: AccessLearner

    public init(moduleName: String, modulePath: String, arguments: [String], environment: [(name: String, value: String)],
                user: String?, grants: [Grant], learner: AccessLearner) {
        self.moduleName = moduleName
        self.modulePath = modulePath
        self.arguments = arguments
        self.environment = environment
        self.user = user
        self.grants = grants
        self.learner = learner
    }

    // MARK: Narrowing

    /// The directory an access needs granted: a listed directory itself, else the directory
    /// holding the entry (opening, creating, deleting or stat'ing `a/b` looks `b` up in `a`).
    static func neededDirectory(_ access: ObservedAccess) -> String {
        if access.kind == .listed { return access.path }
        return parent(access.path)
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// Whether `path` is `directory` or beneath it ("" is the root of everything).
    static func isWithin(_ path: String, _ directory: String) -> Bool {
        directory.isEmpty || path == directory || path.hasPrefix(directory + "/")
    }

    /// The learned preopens for every grant, in grant order, and the grants left unused.
    public func preopens() -> (preopens: [Preopen], unused: [Grant]) {
        var result: [Preopen] = [], unused: [Grant] = []
        for (index, grant) in grants.enumerated() {
            let accesses = learner.accesses.filter { $0.preopen == index }
            guard !accesses.isEmpty else {
                unused.append(grant)
                continue
            }
            // The deepest directories that cover every need: drop any with an ancestor needed too.
            let needed = Set(accesses.map(Self.neededDirectory)).sorted()
            let cover = needed.filter { candidate in !needed.contains { $0 != candidate && Self.isWithin(candidate, $0) } }
            for directory in cover {
                let within = accesses.filter { Self.isWithin(Self.neededDirectory($0), directory) }
                let evidence = Set(within.map { "\($0.kind.name) \($0.path.isEmpty ? "." : $0.path)" }).sorted()
                result.append(Preopen(host: Self.joined(grant.host, directory), guest: Self.joined(grant.guest, directory),
                                      readWrite: within.contains { $0.kind.mutates }, evidence: evidence))
            }
        }
        return (result, unused)
    }

    static func joined(_ base: String, _ relative: String) -> String {
        guard !relative.isEmpty else { return base }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    // MARK: Limits

    /// Twice the peak linear memory, and at least 16 MiB above it, in whole MiB.
    var memoryLimit: Int {
        let peak = Int(clamping: learner.memoryBytes)
        let wanted = max(2 * peak, peak + (16 << 20))
        return (wanted + (1 << 20) - 1) / (1 << 20) * (1 << 20)
    }

    /// Ten times the CPU time the run used, at least 1 s, in whole seconds.
    var cpuTimeSeconds: Int { max(1, Int((10 * learner.cpuNanoseconds + 999_999_999) / 1_000_000_000)) }

    /// Ten times the wall time the run took, at least 10 s, in whole seconds.
    var wallTimeSeconds: Int { max(10, Int((10 * learner.wallNanoseconds + 999_999_999) / 1_000_000_000)) }

    /// Twice the most descriptors the module held at once, at least 16.
    var openFiles: Int { max(16, 2 * learner.peakOpenDescriptors) }

    // MARK: Text

    /// The policy as TOML, comments included.
    public func rendered() -> String {
        let (preopens, unused) = preopens()
        var text = """
            # Warden policy learned by `warden learn` from one run of \(modulePath.isEmpty ? moduleName : modulePath).
            # Review it before deploying: it grants what that run used, and nothing it did not.

            version = 1

            [module]
            name = \(Self.quoted(moduleName))
            path = \(Self.quoted(modulePath))

            """
        if !arguments.isEmpty { text += "args = [" + arguments.map(Self.quoted).joined(separator: ", ") + "]\n" }
        if learner.environmentRead && !environment.isEmpty {
            text += "# The module read its environment (WASI hands over all of it at once): keep only what it needs.\n"
            text += "env = { " + environment.map { "\(Self.key($0.name)) = \(Self.quoted($0.value))" }.joined(separator: ", ") + " }\n"
        } else if !environment.isEmpty {
            text += "# Left out: the module never read its environment (allowed: \(environment.map(\.name).joined(separator: ", "))).\n"
        }
        for preopen in preopens {
            text += "\n"
            let shown = preopen.evidence.prefix(12)
            text += "# " + (preopen.readWrite ? "read-write" : "read-only") + ", because the module "
                + shown.joined(separator: ", ") + (preopen.evidence.count > shown.count ? ", and \(preopen.evidence.count - shown.count) more" : "") + "\n"
            text += "[[preopen]]\nhost = \(Self.quoted(preopen.host))\nguest = \(Self.quoted(preopen.guest))\n"
            text += "access = \(preopen.readWrite ? "\"read-write\"" : "\"read\"")\n"
        }
        for grant in unused {
            text += "\n# Left out: \(grant.host) (as \(grant.guest)) was granted for learning but never used.\n"
        }
        let peak = Units.format(size: Int(clamping: learner.memoryBytes))
        text += """

            # Limits: what the run used, with headroom (memory: twice the peak and 16 MiB more;
            # cpu-time and wall-time: ten times; open-files: twice the most held at once).
            [limits]
            memory = "\(Units.format(size: memoryLimit))"   # peak \(peak)
            cpu-time = "\(cpuTimeSeconds)s"   # used \(Units.milliseconds(learner.cpuNanoseconds, decimals: 2)) ms
            wall-time = "\(wallTimeSeconds)s"   # took \(Units.milliseconds(learner.wallNanoseconds, decimals: 2)) ms
            open-files = \(openFiles)   # at most \(learner.peakOpenDescriptors) held at once

            """
        if let fuel = learner.fuelConsumed {
            text += "# The run burned \(fuel) fuel; metering stays off (fuel = 0) unless you set a budget.\nfuel = 0\n"
        }
        if let user {
            text += "\n[sandbox]\nuser = \(Self.quoted(user))\n"
        }
        if !learner.refusals.isEmpty {
            text += "\n# Refused during learning, and not granted:\n"
            for refusal in learner.refusals {
                let place = [refusal.preopen, refusal.path].compactMap { $0 }.joined(separator: " ")
                text += "#   \(refusal.layer) \(refusal.operation)\(place.isEmpty ? "" : " " + place) (\(refusal.reason))\n"
            }
        }
        return text
    }

    static func quoted(_ text: String) -> String { JSONText.quoted(text) }

    /// A bare TOML key when it is one, else a quoted key.
    static func key(_ name: String) -> String {
        let bare = !name.isEmpty && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        return bare ? name : quoted(name)
    }
}
