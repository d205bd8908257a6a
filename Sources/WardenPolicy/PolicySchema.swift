import WardenTOML

/// The v1 schema: which tables and keys exist, their types, ranges and defaults.
struct PolicySchema {
    let context: ParseContext
    static let tables = ["module", "preopen", "limits", "stdio", "sandbox", "service", "audit", "engine"]

    func read(_ root: TOMLTable) -> Policy? {
        var top = TableReader(root, path: [], label: "top level", context: context)
        guard readVersion(&top) else { return nil }

        var module: Policy.Module?
        if let table = top.subtable("module") {
            module = readModule(table)
        } else if root["module"] == nil {
            context.report(.error, nil, "missing required table [module]")
        }
        var policy = Policy(module: module ?? Policy.Module(name: "", path: ""))
        if let value = top.value("preopen") {
            if let array = value.array {
                for index in 0..<array.count {
                    guard let table = array[index].table else { continue }
                    if let preopen = readPreopen(table, index: index) { policy.preopens.append(preopen) }
                }
            } else {
                top.wrongType("preopen", expected: "array", value)
            }
        }
        if let table = top.subtable("limits") { policy.limits = readLimits(table) }
        if let table = top.subtable("stdio") { policy.stdio = readStdio(table) }
        if let table = top.subtable("sandbox") { policy.sandbox = readSandbox(table) }
        policy.service.restart = .no
        if let table = top.subtable("service") { policy.service = readService(table) }
        if let table = top.subtable("audit") { policy.audit = readAudit(table) }
        if let table = top.subtable("engine") { policy.engine = readEngine(table) }

        // Unknown top-level tables read better as "unknown table [x]".
        for key in root.keys.sorted() where key != "version" && !Self.tables.contains(key) {
            let suggestion = Suggestion.closest(to: key, among: Self.tables)
            if root[key]?.table != nil || root[key]?.array?.first?.table != nil {
                let position = context.locator.header([key]) ?? context.locator.key([key])
                context.report(.error, position, "unknown table [\(key)]" + (suggestion.map { "; did you mean [\($0)]?" } ?? ""), fix: suggestion)
            } else {
                let position = context.locator.key([key])
                let near = Suggestion.closest(to: key, among: ["version"] + Self.tables)
                context.report(.error, position, "unknown key '\(key)' in top level" + (near.map { "; did you mean '\($0)'?" } ?? ""), fix: near)
            }
        }
        return module == nil ? nil : policy
    }

    private func readVersion(_ top: inout TableReader) -> Bool {
        guard let value = top.value("version") else {
            context.report(.error, nil, "missing 'version = 1' at the top of the policy")
            return false
        }
        guard let number = value.integer else {
            top.wrongType("version", expected: "integer", value)
            return false
        }
        let version = Int(number)
        guard version == 1 else {
            top.error(at: ["version"], "unsupported policy version \(version) (this warden reads version 1)")
            return false
        }
        return true
    }

    private func readModule(_ table: TOMLTable) -> Policy.Module? {
        var reader = TableReader(table, path: ["module"], label: "[module]", context: context)
        let name = reader.string("name", required: true)
        let path = reader.string("path", required: true)
        let sha256 = reader.string("sha256")
        let args = reader.strings("args") ?? []
        var env: [(String, String)] = []
        if let envTable = reader.subtable("env") {
            for key in envTable.keys.sorted() {
                guard let text = envTable[key]?.string else {
                    reader.error(at: ["module", "env", key], "'\(key)' in [module] env must be a string, not \(TableReader.article(envTable[key].map(TableReader.typeName) ?? "value"))")
                    continue
                }
                guard Self.isEnvironmentName(key) else {
                    reader.error(context.locator.key(["module", "env", key]), "invalid environment variable name '\(key)' in [module] env")
                    continue
                }
                env.append((key, text))
            }
        }
        reader.finish()
        if let name, !Self.isModuleName(name) {
            reader.error(at: ["module", "name"], "invalid module name '\(name)' (lowercase letters, digits, '.', '_', '-'; at most 64 characters)")
        }
        if let path, !path.hasPrefix("/") { reader.error(at: ["module", "path"], "'path' in [module] must be an absolute path") }
        if let sha256, !(sha256.count == 64 && sha256.allSatisfy(\.isHexDigit)) {
            reader.error(at: ["module", "sha256"], "sha256 must be 64 hexadecimal digits")
        }
        guard let name, let path else { return nil }
        return Policy.Module(name: name, path: path, sha256: sha256?.lowercased(), args: args, env: env)
    }

    private func readPreopen(_ table: TOMLTable, index: Int) -> Policy.Preopen? {
        let path = ["preopen", String(index)]
        var reader = TableReader(table, path: path, label: "[[preopen]]", context: context)
        let host = reader.string("host", required: true)
        let guest = reader.string("guest", required: true)
        let access = reader.choice("access", Policy.Preopen.Access.self) ?? .read
        reader.finish()
        if let host, !host.hasPrefix("/") { reader.error(at: path + ["host"], "'host' in [[preopen]] must be an absolute path") }
        if let guest, !guest.hasPrefix("/") { reader.error(at: path + ["guest"], "'guest' in [[preopen]] must be an absolute path") }
        guard let host, let guest, host.hasPrefix("/"), guest.hasPrefix("/") else { return nil }
        return Policy.Preopen(host: Self.normalized(host), guest: Self.normalized(guest), access: access,
                              line: context.locator.header(path)?.line ?? 0)
    }

    private func readLimits(_ table: TOMLTable) -> Policy.Limits {
        var reader = TableReader(table, path: ["limits"], label: "[limits]", context: context)
        var limits = Policy.Limits()
        if let memory = reader.size("memory") {
            if memory < 64 << 10 || memory > 4 << 30 {
                reader.error(at: ["limits", "memory"], "'memory' in [limits] must be between 64KiB and 4GiB")
            } else {
                limits.memory = memory
            }
        }
        if let fuel = reader.integer("fuel") {
            if fuel < 0 { reader.error(at: ["limits", "fuel"], "'fuel' in [limits] must be between 0 and \(Int.max)") } else { limits.fuel = UInt64(fuel) }
        }
        if let cpu = reader.duration("cpu-time") { limits.cpuTime = cpu }
        if let wall = reader.duration("wall-time") { limits.wallTime = wall }
        if let files = reader.integer("open-files") {
            if files < 4 || files > 65536 { reader.error(at: ["limits", "open-files"], "'open-files' in [limits] must be between 4 and 65536") } else { limits.openFiles = files }
        }
        reader.finish()
        return limits
    }

    private func readStdio(_ table: TOMLTable) -> Policy.Stdio {
        var reader = TableReader(table, path: ["stdio"], label: "[stdio]", context: context)
        var stdio = Policy.Stdio()
        if let value = reader.choice("stdin", Policy.Stdio.Input.self) { stdio.stdin = value }
        if let value = reader.choice("stdout", Policy.Stdio.Output.self) { stdio.stdout = value }
        if let value = reader.choice("stderr", Policy.Stdio.Output.self) { stdio.stderr = value }
        reader.finish()
        return stdio
    }

    private func readSandbox(_ table: TOMLTable) -> Policy.Sandbox {
        var reader = TableReader(table, path: ["sandbox"], label: "[sandbox]", context: context)
        var sandbox = Policy.Sandbox()
        if let user = reader.string("user") {
            if Self.isUserName(user) { sandbox.user = user } else {
                reader.error(at: ["sandbox", "user"], "invalid user name '\(user)' in [sandbox]")
            }
        }
        if let action = reader.choice("on-syscall-violation", Policy.Sandbox.ViolationAction.self) { sandbox.onSyscallViolation = action }
        if let landlock = reader.choice("landlock", Policy.Sandbox.Landlock.self) { sandbox.landlock = landlock }
        if let names = reader.strings("namespaces") {
            var namespaces: [Policy.Sandbox.Namespace] = []
            for (index, name) in names.enumerated() {
                guard let namespace = Policy.Sandbox.Namespace(rawValue: name) else {
                    let options = Policy.Sandbox.Namespace.allCases.map(\.rawValue)
                    let suggestion = Suggestion.closest(to: name, among: options)
                    reader.error(at: ["sandbox", "namespaces", String(index)],
                                 "invalid value '\(name)' for 'namespaces' in [sandbox]; expected one of: \(options.joined(separator: ", "))"
                                 + (suggestion.map { "; did you mean '\($0)'?" } ?? ""), fix: suggestion)
                    continue
                }
                if namespaces.contains(namespace) {
                    reader.error(at: ["sandbox", "namespaces", String(index)], "duplicate namespace '\(name)' in [sandbox] namespaces")
                    continue
                }
                namespaces.append(namespace)
            }
            sandbox.namespaces = namespaces
        }
        if let required = reader.boolean("namespaces-required") { sandbox.namespacesRequired = required }
        reader.finish()
        return sandbox
    }

    private func readService(_ table: TOMLTable) -> Policy.Service {
        var reader = TableReader(table, path: ["service"], label: "[service]", context: context)
        var service = Policy.Service()
        if let mode = reader.choice("mode", Policy.Service.Mode.self) { service.mode = mode }
        service.restart = service.mode == .once ? .no : .onFailure
        if let addresses = reader.strings("listen") {
            for (index, text) in addresses.enumerated() {
                guard let address = Self.listenAddress(text) else {
                    reader.error(at: ["service", "listen", String(index)],
                                 "invalid listen address '\(text)' (expected tcp:HOST:PORT, unix:/path or systemd:NAME)")
                    continue
                }
                service.listen.append(address)
            }
        }
        if let restart = reader.choice("restart", Policy.Service.Restart.self) { service.restart = restart }
        if let maximum = reader.integer("max-connections") {
            if maximum < 1 || maximum > 65536 {
                reader.error(at: ["service", "max-connections"], "'max-connections' in [service] must be between 1 and 65536")
            } else {
                service.maxConnections = maximum
            }
        }
        if let wall = reader.duration("connection-wall-time") { service.connectionWallTime = wall }
        reader.finish()
        if service.mode == .perConnection && service.listen.isEmpty && table["listen"]?.array?.isEmpty ?? true {
            reader.error(reader.headerPosition, "per-connection mode needs at least one 'listen' address in [service]")
        }
        return service
    }

    private func readEngine(_ table: TOMLTable) -> Policy.Engine {
        var reader = TableReader(table, path: ["engine"], label: "[engine]", context: context)
        var engine = Policy.Engine()
        if let name = reader.choice("name", Policy.Engine.Name.self) { engine.name = name }
        reader.finish()
        return engine
    }

    private func readAudit(_ table: TOMLTable) -> Policy.Audit {
        var reader = TableReader(table, path: ["audit"], label: "[audit]", context: context)
        var audit = Policy.Audit()
        if let log = reader.string("log") {
            if log.hasPrefix("/") { audit.log = log } else { reader.error(at: ["audit", "log"], "'log' in [audit] must be an absolute path") }
        }
        if let rate = reader.integer("rate-limit") {
            if rate < 1 { reader.error(at: ["audit", "rate-limit"], "'rate-limit' in [audit] must be between 1 and \(Int.max)") } else { audit.rateLimit = rate }
        }
        if let fsync = reader.boolean("fsync") { audit.fsync = fsync }
        if let action = reader.choice("on-failure", Policy.Audit.OnFailure.self) { audit.onFailure = action }
        reader.finish()
        return audit
    }

    // MARK: Lexical rules

    static func isModuleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64,
              ("a"..."z").contains(first) || ("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func isUserName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 32,
              ("a"..."z").contains(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    static func listenAddress(_ text: String) -> Policy.Service.ListenAddress? {
        if text.hasPrefix("tcp:") {
            let rest = text.dropFirst(4)
            guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]), port > 0 else { return nil }
            let host = String(rest[..<colon])
            guard !host.isEmpty else { return nil }
            return .tcp(host: host, port: port)
        }
        if text.hasPrefix("unix:/") { return .unix(path: String(text.dropFirst(5))) }
        if text.hasPrefix("systemd:"), text.count > 8 { return .systemd(name: String(text.dropFirst(8))) }
        return nil
    }

    /// Collapses repeated and trailing slashes ("/a//b/" → "/a/b"); "." and ".." stay as
    /// written (host paths are opened as given; guest paths with dots are refused later).
    static func normalized(_ path: String) -> String {
        // Each part after its slash, not `"/" + parts.joined(separator: "/")`: the generic
        // joined is slow on its first call in a process (see TextJoining.swift).
        var result = ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            result += "/"
            result += part
        }
        return result.isEmpty ? "/" : result
    }
}
