import Foundation
import Testing
import WardenTestSupport

/// The worker as the kernel sees it while a module runs: every layer in force.
@Suite(.serialized) struct WorkerConfinementTests {
    /// Sleeps ~1.5 s (poll_oneoff on a relative monotonic clock), then exits 0.
    static let sleeper = """
        (module
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (i64.store (i32.const 0) (i64.const 1))            ;; userdata
            (i32.store8 (i32.const 8) (i32.const 0))            ;; tag: clock
            (i32.store (i32.const 16) (i32.const 1))            ;; monotonic
            (i64.store (i32.const 24) (i64.const 1500000000))   ;; 1.5 s
            (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
        """

    /// Starts `warden run arguments`, waits for its worker child, returns the worker's
    /// /proc status fields, then lets the run finish and checks its exit status.
    func workerStatus(_ arguments: [String]) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Warden.executable)
        process.arguments = ["run"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.waitUntilExit() }
        var worker: String?
        for _ in 0..<200 where worker == nil {
            let children = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children", encoding: .utf8)) ?? ""
            worker = children.split(separator: " ").first.map(String.init)
            if worker == nil { usleep(10_000) }
        }
        let pid = try #require(worker, "no worker process appeared")
        // Give the worker time to finish hardening (it reports ready before parsing).
        var fields: [String: String] = [:]
        for _ in 0..<100 {
            usleep(10_000)
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { continue }
            fields = Dictionary(text.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }, uniquingKeysWith: { first, _ in first })
            if fields["Seccomp"] == "2" { break }
        }
        // Its namespaces (as `ns.net` = "net:[4026...]") and the network devices it can see.
        for kind in ["net", "mnt", "ipc", "uts", "user"] {
            fields["ns.\(kind)"] = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/\(kind)")
        }
        // The launcher's own: it makes the worker's network namespace and must stay out of it.
        fields["launcher.ns.net"] = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(process.processIdentifier)/ns/net")
        let devices = (try? String(contentsOfFile: "/proc/\(pid)/net/dev", encoding: .utf8)) ?? ""
        fields["net.devices"] = devices.split(separator: "\n").dropFirst(2)
            .compactMap { $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return fields
    }

    /// A policy for the sleeper, run as `nobody`, written into `tree`; returns its path.
    func sleeperPolicy(in tree: TemporaryTree, limits: String = "") throws -> (policy: String, module: String) {
        let module = try Guests.wat(Self.sleeper, name: "sleeper")
        try tree.write("policy.toml", """
            version = 1
            [module]
            name = "sleeper"
            path = "\(module)"
            \(limits)
            [sandbox]
            user = "nobody"
            """)
        return (tree.url("policy.toml"), module)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to observe the identity change"))
    func policyWorkerCarriesEveryLayerAndTheServiceIdentity() throws {
        let tree = try TemporaryTree()
        let limits = "[limits]\nmemory = \"1MiB\"\ncpu-time = \"10s\"\nwall-time = \"30s\"\nopen-files = 16"
        let status = try workerStatus(["--policy", try sleeperPolicy(in: tree, limits: limits).policy])
        #expect(status["Seccomp"] == "2")
        #expect(status["NoNewPrivs"] == "1")
        for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            #expect(status[set] == "0000000000000000", "\(set) = \(status[set] ?? "missing")")
        }
        #expect(status["Uid"]?.split(separator: "\t").allSatisfy { $0 == "65534" } == true, "Uid: \(status["Uid"] ?? "missing")")
        #expect(status["Gid"]?.split(separator: "\t").allSatisfy { $0 == "65534" } == true, "Gid: \(status["Gid"] ?? "missing")")
    }

    /// Every namespace differs from the test's own, and the network one is empty but for
    /// loopback, whether the worker made it or the launcher prepared it (root).
    @Test(arguments: [false, true])
    func workerLivesInItsOwnNamespaces(viaPolicy: Bool) throws {
        let tree = try TemporaryTree()
        let (policy, module) = try sleeperPolicy(in: tree)
        let status = try workerStatus(viaPolicy ? ["--policy", policy] : [module])
        for kind in ["net", "mnt", "ipc", "uts", "user"] {
            let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\(kind)")
            let worker = try #require(status["ns.\(kind)"], "no \(kind) namespace read")
            #expect(worker != own, "the worker shares the \(kind) namespace \(own)")
        }
        #expect(status["net.devices"] == "lo", "devices in the worker's network namespace: \(status["net.devices"] ?? "none")")
        let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net")
        #expect(status["launcher.ns.net"] == own, "warden itself moved to \(status["launcher.ns.net"] ?? "?") (the test is in \(own))")
    }

    @Test func flagRunWorkerIsConfinedToo() throws {
        let module = try Guests.wat(Self.sleeper, name: "sleeper")
        let status = try workerStatus([module])
        #expect(status["Seccomp"] == "2")
        #expect(status["NoNewPrivs"] == "1")
        #expect(status["CapEff"] == "0000000000000000")
        #expect(status["CapBnd"] == "0000000000000000")
    }

    /// Started as root, a flag run's worker is not root: a transient uid and gid from
    /// systemd's dynamic range, no supplementary groups; root only with `--user root`.
    @Test(.enabled(if: geteuid() == 0, "only root changes identity"))
    func flagRunAsRootGetsATransientIdentity() throws {
        let module = try Guests.wat(Self.sleeper, name: "sleeper")
        let status = try workerStatus([module])
        let uids = (status["Uid"] ?? "").split(separator: "\t").compactMap { UInt32($0) }
        let gids = (status["Gid"] ?? "").split(separator: "\t").compactMap { UInt32($0) }
        #expect(uids.count == 4 && Set(uids).count == 1, "Uid: \(status["Uid"] ?? "missing")")
        let uid = try #require(uids.first)
        #expect((61184...65519).contains(uid) && uid != 65534, "uid \(uid)")
        #expect(gids.count == 4 && gids.allSatisfy { $0 == uid }, "Gid: \(status["Gid"] ?? "missing")")
        #expect(status["Groups"]?.isEmpty ?? true, "Groups: \(status["Groups"] ?? "")")
        #expect(getpwuid(uid) == nil, "no account has the transient uid")
        #expect(getgrgid(uid) == nil, "no group has the transient gid")
        let root = try workerStatus(["--user", "root", module])
        #expect(root["Uid"]?.split(separator: "\t").allSatisfy { $0 == "0" } == true, "Uid: \(root["Uid"] ?? "missing")")
    }

    @Test func noSandboxSaysSoLoudly() throws {
        let module = try Guests.wat("(module (memory (export \"memory\") 1) (func (export \"_start\")))", name: "empty")
        let result = try Warden.run(["--no-sandbox", module])
        #expect(result.status == 0)
        #expect(result.stderr.contains("warden: warning: --no-sandbox: the module runs inside the warden process without kernel confinement"))
    }

    @Test(.enabled(if: geteuid() == 0, "only root changes identity"))
    func grantTheServiceAccountCannotUseIsWarnedAbout() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("private")
        chmod(tree.url("private"), 0o700)
        let module = try Guests.wat("(module (memory (export \"memory\") 1) (func (export \"_start\")))", name: "empty")
        let result = try Warden.run(["--user", "nobody", "--dir", "\(tree.url("private"))::/d", module])
        #expect(result.status == 0)
        #expect(result.stderr.contains("warden: warning: grant '\(tree.url("private"))' (owner 0, group 0, mode 700) is not writable for user 'nobody' (65534:65534)"))
        let readable = try Warden.run(["--user", "nobody", "--ro-dir", "/usr::/usr", module])
        #expect(!readable.stderr.contains("warning"))
    }

    @Test(.enabled(if: geteuid() == 0, "only root changes identity"))
    func missingServiceUserRefusesToStart() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat("(module (memory (export \"memory\") 1) (func (export \"_start\")))", name: "empty")
        let result = try Warden.run(["--user", "warden-no-such-user", module])
        #expect(result.status == 125)
        #expect(result.stderr.contains("user 'warden-no-such-user' does not exist"))
        _ = tree
    }

    static let randomGet = """
        (module
          (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (call $exit (call $random (i32.const 0) (i32.const 16)))))
        """

    /// With @random left out of the allowlist, random_get's getrandom(2) is refused by the
    /// kernel: warden (holding the notification listener) logs it and answers EPERM.
    @Test func kernelRefusalInErrnoModeIsReportedAndFailsTheCall() throws {
        let module = try Guests.wat(Self.randomGet, name: "random-get")
        let result = try Warden.run(["--seccomp-drop-group", "@random", "--seccomp-action", "errno", module])
        #expect(result.status == 63)  // WASI perm, mapped from EPERM
        let events = Warden.auditEvents(in: result.stderr)
        try #require(events.count == 1, "\(result.stderr)")
        #expect(events[0]["layer"] as? String == "seccomp")
        #expect(events[0]["action"] as? String == "denied")
        #expect(events[0]["syscall"] as? String == "getrandom")
        #expect(events[0]["nr"] as? Int == 318)
        #expect((events[0]["args"] as? [String])?[1] == "0x10")
        #expect(events[0]["errno"] as? String == "EPERM")
    }

    @Test func kernelRefusalInKillModeEndsTheWorkerAndNamesTheCall() throws {
        let module = try Guests.wat(Self.randomGet, name: "random-get")
        let result = try Warden.run(["--seccomp-drop-group", "@random", module])
        #expect(result.status == 159)
        #expect(result.stderr.contains("the worker was ended for a forbidden system call: getrandom("))
        let events = Warden.auditEvents(in: result.stderr)
        try #require(events.count == 1, "\(result.stderr)")
        #expect(events[0]["layer"] as? String == "seccomp")
        #expect(events[0]["action"] as? String == "killed")
        #expect(events[0]["syscall"] as? String == "getrandom")
    }

    @Test func everyGroupIsListedWithADescription() throws {
        let result = try Command.run(Warden.executable, ["seccomp", "groups"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count >= 10)
        for name in ["@basic-io", "@control", "@file-beneath", "@memory", "@sockets"] {
            #expect(lines.contains { $0.hasPrefix(name + " ") }, "\(name) listed")
        }
        #expect(lines.allSatisfy { $0.split(separator: " ", omittingEmptySubsequences: true).count > 1 })
        let pfc = try Command.run(Warden.executable, ["seccomp", "export", "--action", "errno"])
        #expect(pfc.status == 0)
        #expect(pfc.stdout.contains("# filter for syscall \"openat\""))
    }
}
