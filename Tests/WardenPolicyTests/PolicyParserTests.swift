import Testing
@testable import WardenPolicy

/// The parser in-process: resolved values, defaults, and located diagnostics.
@Suite struct PolicyParserTests {
    struct Facts: HostFacts {
        var existing: Set<String> = []
        func directoryExists(_ path: String) -> Bool { existing.contains(path) }
    }

    static let complete = """
        version = 1

        [module]
        name = "thumbnailer"
        path = "/srv/wasm/thumbnailer.wasm"
        sha256 = "A1BA918D4956C5863E758EE86A712B57FF546DBCCA966EAA8BDC93D197A6B268"
        args = ["--quality", "80"]
        env = { LANG = "C.UTF-8", MODE = "fast" }

        [[preopen]]
        host = "/srv/images/in/"
        guest = "/in"

        [[preopen]]
        host = "/srv//images/out"
        guest = "/out"
        access = "read-write"

        [limits]
        memory = "128MiB"
        fuel = 1000000
        cpu-time = "10s"
        wall-time = "2m"
        open-files = 32

        [stdio]
        stdin = "inherit"
        stdout = "null"

        [sandbox]
        user = "nobody"
        on-syscall-violation = "errno"
        landlock = "require"
        namespaces = ["user", "net"]
        namespaces-required = true

        [service]
        mode = "per-connection"
        listen = ["tcp:127.0.0.1:8080", "unix:/run/warden/t.sock", "systemd:web"]
        max-connections = 8
        connection-wall-time = "500ms"

        [audit]
        log = "/var/log/warden/audit.jsonl"
        rate-limit = 10
        fsync = true
        """

    @Test func everyKeyResolves() throws {
        let result = PolicyParser.parse(text: Self.complete, file: "t.toml",
                                        host: Facts(existing: ["/srv/images/in", "/srv/images/out"]))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let policy = try #require(result.policy)
        #expect(policy.module.name == "thumbnailer")
        #expect(policy.module.sha256 == "a1ba918d4956c5863e758ee86a712b57ff546dbcca966eaa8bdc93d197a6b268")
        #expect(policy.module.args == ["--quality", "80"])
        #expect(policy.module.env.map(\.name) == ["LANG", "MODE"])
        #expect(policy.preopens.map(\.host) == ["/srv/images/in", "/srv/images/out"])
        #expect(policy.preopens.map(\.access) == [.read, .readWrite])
        #expect(policy.preopens.map(\.line) == [10, 14])
        #expect(policy.limits == Policy.Limits(memory: 128 << 20, fuel: 1_000_000, cpuTime: .seconds(10),
                                               wallTime: .seconds(120), openFiles: 32))
        #expect(policy.stdio == Policy.Stdio(stdin: .inherit, stdout: .null, stderr: .inherit))
        #expect(policy.sandbox.namespaces == [.user, .net] && policy.sandbox.namespacesRequired)
        #expect(policy.sandbox.landlock == .require && policy.sandbox.onSyscallViolation == .errno)
        #expect(policy.service.mode == .perConnection && policy.service.restart == .onFailure)
        #expect(policy.service.listen == [.tcp(host: "127.0.0.1", port: 8080), .unix(path: "/run/warden/t.sock"), .systemd(name: "web")])
        #expect(policy.service.connectionWallTime == .milliseconds(500))
        #expect(policy.audit == Policy.Audit(log: "/var/log/warden/audit.jsonl", rateLimit: 10, fsync: true))
    }

    @Test func minimalPolicyTakesSafeDefaults() throws {
        let text = "version = 1\n[module]\nname = \"m\"\npath = \"/m.wasm\"\n"
        let result = PolicyParser.parse(text: text, file: "m.toml")
        let policy = try #require(result.policy)
        #expect(policy.preopens.isEmpty)
        #expect(policy.module.env.isEmpty && policy.module.args.isEmpty)
        #expect(policy.limits == Policy.Limits())
        #expect(policy.stdio.stdin == .null)
        #expect(policy.service.mode == .once && policy.service.restart == .no && policy.service.listen.isEmpty)
        #expect(policy.sandbox.onSyscallViolation == .kill && policy.sandbox.landlock == .bestEffort)
        // Limits left at defaults are worth a warning at 1:1 when [limits] is absent.
        #expect(result.diagnostics.map(\.description) == [
            "m.toml:1:1: warning: [limits] leaves memory, cpu-time, wall-time, open-files at defaults (256MiB, 30s, 60s, 64); set them explicitly",
        ])
    }

    @Test("[engine] name: wasmkit by default, wasmtime on request, anything else refused with the choices")
    func engineName() throws {
        let base = "version = 1\n[module]\nname = \"m\"\npath = \"/m.wasm\"\n"
        #expect(try #require(PolicyParser.parse(text: base, file: "m.toml").policy).engine.name == .wasmkit)
        let wasmtime = PolicyParser.parse(text: base + "[engine]\nname = \"wasmtime\"\n", file: "m.toml")
        #expect(try #require(wasmtime.policy).engine.name == .wasmtime)
        let unknown = PolicyParser.parse(text: base + "[engine]\nname = \"v8\"\n", file: "m.toml")
        #expect(unknown.policy == nil)
        let errors = unknown.diagnostics.filter { $0.severity == .error }.map(\.description)
        #expect(errors.count == 1 && errors[0].hasPrefix("m.toml:6:8: error:") && errors[0].contains("wasmkit") && errors[0].contains("wasmtime"), "\(errors)")
        let typo = PolicyParser.parse(text: base + "[engine]\nnmae = \"wasmtime\"\n", file: "m.toml")
        #expect(typo.diagnostics.contains { $0.severity == .error && $0.description.contains("did you mean 'name'") }, "\(typo.diagnostics)")
    }

    @Test func diagnosticsPointAtTheKeyOrValue() {
        let text = """
            version = 1
            [module]
            name = "Bad Name"
            path = "relative.wasm"
            sha256 = "abc"
            colour = "blue"
            [[preopen]]
            host = "/data"
            guest = "in"
            [limits]
            memory = "1TiB"
            open-files = 2
            wall-time = "soon"
            """
        let messages = PolicyParser.parse(text: text, file: "f").diagnostics.map(\.description)
        #expect(messages == [
            "f:3:8: error: invalid module name 'Bad Name' (lowercase letters, digits, '.', '_', '-'; at most 64 characters)",
            "f:4:8: error: 'path' in [module] must be an absolute path",
            "f:5:10: error: sha256 must be 64 hexadecimal digits",
            "f:6:1: error: unknown key 'colour' in [module]",
            "f:9:9: error: 'guest' in [[preopen]] must be an absolute path",
            "f:10:1: warning: [limits] leaves cpu-time at defaults (30s); set them explicitly",
            "f:11:10: error: invalid size '1TiB' (examples: 65536, 64KiB, 256MiB, 1GiB)",
            "f:12:14: error: 'open-files' in [limits] must be between 4 and 65536",
            "f:13:13: error: invalid duration 'soon' (examples: 500ms, 30s, 5m, 1h)",
        ])
    }

    @Test func versionIsRequiredAndChecked() {
        #expect(PolicyParser.parse(text: "[module]\nname=\"m\"\npath=\"/m\"\n", file: "f").diagnostics.map(\.description)
                == ["f:1:1: error: missing 'version = 1' at the top of the policy"])
        #expect(PolicyParser.parse(text: "version = 2\n", file: "f").diagnostics.map(\.description)
                == ["f:1:11: error: unsupported policy version 2 (this warden reads version 1)"])
        #expect(PolicyParser.parse(text: "version = \"1\"\n", file: "f").diagnostics.map(\.description)
                == ["f:1:11: error: 'version' in top level must be an integer, not a string"])
    }

    @Test func unknownTablesAndSyntaxErrorsAreLocated() {
        let misspelt = PolicyParser.parse(text: "version = 1\n[module]\nname=\"m\"\npath=\"/m\"\n[limit]\nmemory=\"1MiB\"\n", file: "f")
        let error = misspelt.diagnostics.first { $0.severity == .error }
        #expect(error?.description == "f:5:1: error: unknown table [limit]; did you mean [limits]?")
        #expect(error?.fix == "limits")
        let listenless = PolicyParser.parse(text: "version = 1\n[module]\nname=\"m\"\npath=\"/m\"\n[service]\nmode = \"per-connection\"\n", file: "f")
        #expect(listenless.diagnostics.first { $0.severity == .error }?.description
                == "f:5:1: error: per-connection mode needs at least one 'listen' address in [service]")
        let broken = PolicyParser.parse(text: "version = 1\n[module\n", file: "f")
        #expect(broken.policy == nil)
        #expect(broken.diagnostics.count == 1)
        #expect(broken.diagnostics[0].line == 2 && broken.diagnostics[0].message.hasPrefix("invalid TOML: "))
    }

    @Test func guestPathsMayNotCollideOrNest() {
        let text = """
            version = 1
            [module]
            name = "m"
            path = "/m.wasm"
            [[preopen]]
            host = "/a"
            guest = "/data"
            [[preopen]]
            host = "/b"
            guest = "/data/"
            [[preopen]]
            host = "/c"
            guest = "/data/in"
            [[preopen]]
            host = "/d"
            guest = "/x/../data"
            [limits]
            memory = "1MiB"
            cpu-time = "1s"
            wall-time = "1s"
            open-files = 8
            """
        let messages = PolicyParser.parse(text: text, file: "f").diagnostics.map(\.description)
        #expect(messages == [
            "f:10:9: error: guest path '/data' is granted twice (first at line 5)",
            "f:13:9: error: guest path '/data/in' is nested in '/data' (line 5)",
            "f:16:9: error: 'guest' in [[preopen]] must not contain '.' or '..' components",
        ])
    }

    @Test func reviewerWarnings() {
        let text = """
            version = 1
            [module]
            name = "m"
            path = "/srv/app/m.wasm"
            [[preopen]]
            host = "/etc"
            guest = "/etc"
            [[preopen]]
            host = "/home/alice"
            guest = "/home"
            [[preopen]]
            host = "/srv/app"
            guest = "/app"
            access = "read-write"
            [[preopen]]
            host = "/srv/missing"
            guest = "/missing"
            [limits]
            memory = "1MiB"
            cpu-time = "1s"
            wall-time = "1s"
            open-files = 8
            """
        let result = PolicyParser.parse(text: text, file: "f", policyPath: "/srv/app/policy.toml",
                                        host: Facts(existing: ["/etc", "/home/alice", "/srv/app"]))
        #expect(result.policy != nil)  // warnings only
        #expect(result.diagnostics.map(\.description) == [
            "f:6:8: warning: preopen of '/etc' grants system directory '/etc'; grant a narrower directory",
            "f:9:8: warning: preopen of '/home/alice' grants a home directory; grant a narrower directory",
            "f:12:8: warning: read-write preopen '/srv/app' contains the module file; the module could rewrite its own code",
            "f:12:8: warning: read-write preopen '/srv/app' contains this policy file; the module could rewrite its own permissions",
            "f:16:8: warning: host directory '/srv/missing' does not exist",
        ])
    }

    @Test func servicesAndSandboxValuesAreValidated() {
        let text = """
            version = 1
            [module]
            name = "m"
            path = "/m.wasm"
            [sandbox]
            namespaces = ["user", "net", "user", "nett"]
            landlock = "maybe"
            [service]
            mode = "per-connection"
            listen = ["tcp:localhost", "udp:1.2.3.4:5"]
            """
        let messages = PolicyParser.parse(text: text, file: "f").diagnostics.filter { $0.severity == .error }.map(\.description)
        #expect(messages == [
            "f:6:30: error: duplicate namespace 'user' in [sandbox] namespaces",
            "f:6:38: error: invalid value 'nett' for 'namespaces' in [sandbox]; expected one of: user, mount, net, ipc, uts, pid, cgroup; did you mean 'net'?",
            "f:7:12: error: invalid value 'maybe' for 'landlock' in [sandbox]; expected one of: require, best-effort, off",
            "f:10:11: error: invalid listen address 'tcp:localhost' (expected tcp:HOST:PORT, unix:/path or systemd:NAME)",
            "f:10:28: error: invalid listen address 'udp:1.2.3.4:5' (expected tcp:HOST:PORT, unix:/path or systemd:NAME)",
        ])
    }

    /// `policy suggest` edits lines by these positions; they come from the parse tree.
    @Test func sourceLocatorFindsKeysValuesAndHeaders() {
        let text = """
            version = 1
            [module]
            name = "m"
            env = { A = "1" }
            [[preopen]]
            host = "/a"
            [[preopen]]
            guest = "/b"
            [limits.x]
            [sandbox]
            namespaces = ["user", "net"]
            """
        let locator = SourceLocator(text: text)
        typealias P = SourceLocator.Position
        #expect(locator.key(["module", "name"]) == P(line: 3, column: 1) && locator.value(["module", "name"]) == P(line: 3, column: 8))
        #expect(locator.header(["module"]) == P(line: 2, column: 1))
        #expect(locator.header(["preopen"]) == P(line: 5, column: 1) && locator.header(["preopen", "1"]) == P(line: 7, column: 1))
        #expect(locator.value(["preopen", "1", "guest"]) == P(line: 8, column: 9))
        #expect(locator.value(["sandbox", "namespaces", "1"]) == P(line: 11, column: 23))
        #expect(locator.key(["sandbox", "namespaces", "1"]) == nil)
        // An inline table has no header; a table only named by a longer header is located at its name.
        #expect(locator.header(["module", "env"]) == nil && locator.value(["module", "env"]) == P(line: 4, column: 7))
        #expect(locator.key(["module", "env", "A"]) == P(line: 4, column: 9))
        #expect(locator.header(["limits"]) == P(line: 9, column: 2))
        #expect(locator.header(["module", "name"]) == nil && locator.value(["module", "missing"]) == nil)
        #expect(locator.value(["preopen", "2"]) == nil && locator.value(["preopen", "x"]) == nil)
        #expect(SourceLocator(text: "a = ").value(["a"]) == nil)
    }

    @Test func unitsRoundTrip() {
        #expect(Units.size("256MiB") == 256 << 20)
        #expect(Units.size("64KiB") == 64 << 10)
        #expect(Units.size("1GiB") == 1 << 30)
        #expect(Units.size("12B") == 12)
        #expect(Units.size("MiB") == nil && Units.size("-1MiB") == nil && Units.size("1.5GiB") == nil && Units.size("99999999999999999999GiB") == nil)
        #expect(Units.duration("250ms") == .milliseconds(250))
        #expect(Units.duration("30s") == .seconds(30))
        #expect(Units.duration("5m") == .seconds(300))
        #expect(Units.duration("1h") == .seconds(3600))
        #expect(Units.duration("0s") == nil && Units.duration("s") == nil && Units.duration("1d") == nil)
        #expect(Units.format(size: 256 << 20) == "256MiB" && Units.format(size: 1000) == "1000B")
        #expect(Units.format(duration: .seconds(90)) == "90s" && Units.format(duration: .seconds(120)) == "2m")
    }
}

import WardenTestSupport

/// Policies checked together are deployed together.
@Suite struct PolicySetTests {
    @Test func duplicateModuleNamesAcrossFilesAreErrors() throws {
        let tree = try TemporaryTree()
        let body = "version = 1\n[module]\nname = \"same\"\npath = \"/m.wasm\"\n[limits]\nmemory = \"1MiB\"\ncpu-time = \"1s\"\nwall-time = \"1s\"\nopen-files = 8\n"
        try tree.write("a.toml", body)
        try tree.write("b.toml", body)
        let result = try Command.run(Warden.executable, ["policy", "check", "--offline", tree.url("a.toml"), tree.url("b.toml")])
        #expect(result.status == 2)
        #expect(result.stdout.contains("\(tree.url("b.toml")):3:8: error: duplicate module name 'same' (first declared at \(tree.url("a.toml")):3)"))
        let single = try Command.run(Warden.executable, ["policy", "check", "--offline", tree.url("a.toml")])
        #expect(single.status == 0)
    }
}
