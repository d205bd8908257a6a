import Foundation
import Testing
import WardenAudit
import WardenTestSupport

/// Every event kind `warden run` writes, caused by a real guest and checked field by field in
/// the `--audit` file (parsed with Foundation, independently of WardenAudit's reader).
@Suite struct EndToEndEventTests {
    func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> Command.Result {
        try Warden.run(arguments, timeout: timeout)
    }

    @Test func wasiRefusalAndLifecycle() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("in")
        let log = tree.url("audit.jsonl")
        let result = try run(["--audit", log, "--ro-dir", "\(tree.url("in"))::/in", try AuditProbe.module(), "escape", "2"])
        #expect(result.status == 0)
        #expect(result.stdout == "2\n")
        #expect(result.stderr.isEmpty, "refusals go to the file, not stderr: \(result.stderr)")
        let objects = try AuditProbe.objects(log)
        try #require(objects.count == 4, "\(objects)")
        for object in objects { #expect(AuditProbe.checkEnvelope(object, module: AuditProbe.name, policy: nil).isEmpty, "\(object)") }
        #expect(Set(objects.compactMap { $0["instance"] as? String }).count == 1)
        #expect(Set(objects.compactMap { $0["pid"] as? Int }).count == 1)
        #expect(objects[0]["layer"] as? String == "lifecycle")
        #expect(objects[0]["action"] as? String == "started")
        for refusal in objects[1...2] {
            #expect(refusal["layer"] as? String == "wasi")
            #expect(refusal["action"] as? String == "denied")
            #expect(refusal["op"] as? String == "path_open")
            #expect(refusal["fd"] as? Int == 3)
            #expect(refusal["preopen"] as? String == "/in")
            #expect(refusal["path"] as? String == "../escape")
            #expect(refusal["reason"] as? String == "escape-attempt")
            #expect(refusal["errno"] as? String == "notcapable")
        }
        #expect(objects[3]["layer"] as? String == "lifecycle")
        #expect(objects[3]["action"] as? String == "exited")
        #expect(objects[3]["status"] as? Int == 0)
        // WardenAudit's reader sees the same.
        let events = try AuditProbe.events(log)
        #expect(events.map(\.layer) == ["lifecycle", "wasi", "wasi", "lifecycle"])
        #expect(events[1].kind == .wasi(WASIRefusal(operation: "path_open", fd: 3, preopen: "/in", path: "../escape",
                                                    reason: "escape-attempt", errno: "notcapable")))
    }

    @Test func refusalsOnStandardErrorCarryTheEnvelopeButNoLifecycle() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("in")
        let result = try run(["--ro-dir", "\(tree.url("in"))::/in", try AuditProbe.module(), "escape", "1"])
        let events = Warden.auditEvents(in: result.stderr)
        try #require(events.count == 1, "\(result.stderr)")
        #expect(AuditProbe.checkEnvelope(events[0], module: AuditProbe.name, policy: nil).isEmpty, "\(events[0])")
        #expect(events[0]["layer"] as? String == "wasi")
    }

    @Test func seccompRefusal() throws {
        let tree = try TemporaryTree()
        let log = tree.url("audit.jsonl")
        let module = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start") (call $exit (call $random (i32.const 0) (i32.const 16)))))
            """, name: "random-get")
        let result = try run(["--audit", log, "--seccomp-drop-group", "@random", "--seccomp-action", "errno", module])
        #expect(result.status == 63)
        let refusals = try AuditProbe.objects(log).filter { $0["layer"] as? String == "seccomp" }
        try #require(refusals.count == 1)
        let event = refusals[0]
        #expect(AuditProbe.checkEnvelope(event, module: URL(fileURLWithPath: module).lastPathComponent, policy: nil).isEmpty, "\(event)")
        #expect(event["action"] as? String == "denied")
        #expect(event["syscall"] as? String == "getrandom")
        #expect(event["nr"] as? Int == 318)
        #expect((event["args"] as? [String])?.count == 6)
        #expect((event["args"] as? [String])?[1] == "0x10")
        #expect(event["reason"] as? String == "not-in-allowlist")
        #expect(event["errno"] as? String == "EPERM")
    }

    /// With the WASI layer's read-only check switched off (debugging only), a write into a
    /// read-only grant reaches the kernel, and Landlock refuses it: a defense-in-depth catch.
    @Test func landlockCatchesWhatTheWASILayerLetThrough() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("in")
        let log = tree.url("audit.jsonl")
        let result = try run(["--audit", log, "--debug-without", "wasi-read-only", "--ro-dir", "\(tree.url("in"))::/in",
                              try AuditProbe.module(), "write", "/in/new.txt"])
        #expect(result.stdout == "2\n", "WASI acces: \(result.stderr)")
        #expect(!tree.exists("in/new.txt"))
        let catches = try AuditProbe.objects(log).filter { $0["layer"] as? String == "landlock" }
        try #require(catches.count == 1, "\((try? AuditProbe.objects(log)) ?? [])")
        let event = catches[0]
        #expect(AuditProbe.checkEnvelope(event, module: AuditProbe.name, policy: nil).isEmpty, "\(event)")
        #expect(event["action"] as? String == "denied")
        #expect(event["op"] as? String == "path_open")
        #expect(event["preopen"] as? String == "/in")
        #expect(event["path"] as? String == "new.txt")
        #expect(event["reason"] as? String == "kernel-refused")
        #expect(event["errno"] as? String == "EACCES")
        #expect(event["defense-in-depth"] as? Bool == true)
    }

    /// A refusal of the kernel's ordinary access checks is a `permission` refusal of the WASI
    /// layer, never a Landlock catch (it used to be silent, or Landlock's when the file's owner
    /// read as the worker's uid).
    @Test func filePermissionsAreNotReportedAsLandlock() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("out")
        try tree.write("out/locked.txt", "x")
        chmod(tree.url("out/locked.txt"), 0o444)
        let log = tree.url("audit.jsonl")
        let result = try run(["--audit", log, "--dir", "\(tree.url("out"))::/out", try AuditProbe.module(), "write", "/out/locked.txt"])
        #expect(result.stdout == "2\n", "WASI acces: \(result.stderr)")
        let refusals = try AuditProbe.objects(log).filter { $0["layer"] as? String != "lifecycle" }
        try #require(refusals.count == 1, "\(refusals)")
        #expect(refusals[0]["layer"] as? String == "wasi")
        #expect(refusals[0]["reason"] as? String == "permission")
        #expect(refusals[0]["errno"] as? String == "acces")
        #expect(refusals[0]["op"] as? String == "path_open")
        #expect(refusals[0]["defense-in-depth"] == nil)
    }

    @Test func memoryGrowthRefused() throws {
        let tree = try TemporaryTree()
        let log = tree.url("audit.jsonl")
        let result = try run(["--audit", log, "--max-memory", "1MiB", try AuditProbe.module(), "grow", "64"])
        #expect(result.stdout == "-1\n", "\(result.stderr)")
        let limits = try AuditProbe.objects(log).filter { $0["layer"] as? String == "limit" }
        try #require(limits.count == 1)
        #expect(AuditProbe.checkEnvelope(limits[0], module: AuditProbe.name, policy: nil).isEmpty, "\(limits[0])")
        #expect(limits[0]["action"] as? String == "refused")
        #expect(limits[0]["limit"] as? String == "memory")
        #expect(limits[0]["value"] as? String == "1MiB")
        #expect((limits[0]["requested"] as? String)?.hasSuffix("iB") == true)
    }

    @Test func fuelExhausted() throws {
        let tree = try TemporaryTree()
        let log = tree.url("audit.jsonl")
        let result = try run(["--audit", log, "--fuel", "100000", try AuditProbe.module(), "spin"])
        #expect(result.status == 134)
        let limits = try AuditProbe.objects(log).filter { $0["layer"] as? String == "limit" }
        try #require(limits.count == 1, "\(result.stderr)")
        #expect(AuditProbe.checkEnvelope(limits[0], module: AuditProbe.name, policy: nil).isEmpty)
        #expect(limits[0]["action"] as? String == "killed")
        #expect(limits[0]["limit"] as? String == "fuel")
        #expect(limits[0]["value"] as? String == "100000")
    }

    /// A policy for the probe: its digest is on every event.
    func policy(_ tree: TemporaryTree, limits: String = "wall-time = \"30s\"\ncpu-time = \"20s\"", sha256: String? = nil) throws -> (path: String, digest: String) {
        let text = """
            version = 1
            [module]
            name = "probe"
            path = "\(try AuditProbe.module())"
            args = ["spin"]
            \(sha256.map { "sha256 = \"\($0)\"" } ?? "")
            [limits]
            \(limits)
            [sandbox]
            user = "nobody"
            """
        try tree.write("policy.toml", text)
        let digest = try Command.run("/usr/bin/sha256sum", [tree.url("policy.toml")]).stdout.prefix(64)
        return (tree.url("policy.toml"), String(digest))
    }

    @Test func wallTimeKill() throws {
        let tree = try TemporaryTree()
        let log = tree.url("audit.jsonl")
        let (path, digest) = try policy(tree, limits: "wall-time = \"300ms\"\ncpu-time = \"20s\"")
        let result = try run(["--policy", path, "--audit", log], timeout: 30)
        #expect(result.status == 124)
        let limits = try AuditProbe.objects(log).filter { $0["layer"] as? String == "limit" }
        try #require(limits.count == 1, "\((try? AuditProbe.objects(log)) ?? [])")
        #expect(AuditProbe.checkEnvelope(limits[0], module: "probe", policy: digest).isEmpty, "\(limits[0])")
        #expect(limits[0]["action"] as? String == "killed")
        #expect(limits[0]["limit"] as? String == "wall-time")
        #expect(limits[0]["value"] as? String == "300ms")
    }

    @Test func cpuTimeKill() throws {
        let tree = try TemporaryTree()
        let log = tree.url("audit.jsonl")
        let (path, digest) = try policy(tree, limits: "wall-time = \"30s\"\ncpu-time = \"1s\"")
        let result = try run(["--policy", path, "--audit", log], timeout: 30)
        #expect(result.status == 152)
        let objects = try AuditProbe.objects(log)
        let limits = objects.filter { $0["layer"] as? String == "limit" }
        try #require(limits.count == 1, "\(objects)")
        #expect(AuditProbe.checkEnvelope(limits[0], module: "probe", policy: digest).isEmpty, "\(limits[0])")
        #expect(limits[0]["limit"] as? String == "cpu-time")
        #expect(limits[0]["value"] as? String == "1s")
        #expect(objects.last?["action"] as? String == "exited")
        #expect(objects.last?["status"] as? Int == 152)
    }

    @Test func digestMismatchIsAPolicyRefusal() throws {
        let tree = try TemporaryTree()
        let log = tree.url("audit.jsonl")
        let pinned = String(repeating: "ab", count: 32)
        let (path, digest) = try policy(tree, sha256: pinned)
        let result = try run(["--policy", path, "--audit", log])
        #expect(result.status == 125)
        let objects = try AuditProbe.objects(log)
        try #require(objects.count == 1, "\(objects)")
        #expect(AuditProbe.checkEnvelope(objects[0], module: "probe", policy: digest).isEmpty, "\(objects[0])")
        #expect(objects[0]["pid"] is NSNull)
        #expect(objects[0]["layer"] as? String == "policy")
        #expect(objects[0]["action"] as? String == "refused")
        #expect(objects[0]["reason"] as? String == "digest-mismatch")
        #expect(objects[0]["expected"] as? String == pinned)
        #expect((objects[0]["actual"] as? String)?.count == 64)
        #expect(objects[0]["file"] as? String == path)
    }

    @Test func invalidPolicyIsAPolicyRefusal() throws {
        let tree = try TemporaryTree()
        let log = tree.url("audit.jsonl")
        try tree.write("bad.toml", "version = 1\n[module]\nname = \"m\"\npath = \"/m.wasm\"\nflavour = 1\n")
        let result = try run(["--policy", tree.url("bad.toml"), "--audit", log])
        #expect(result.status == 125)
        let objects = try AuditProbe.objects(log)
        try #require(objects.count == 1, "\(objects)")
        let digest = try Command.run("/usr/bin/sha256sum", [tree.url("bad.toml")]).stdout.prefix(64)
        #expect(AuditProbe.checkEnvelope(objects[0], module: "bad.toml", policy: String(digest)).isEmpty, "\(objects[0])")
        #expect(objects[0]["layer"] as? String == "policy")
        #expect(objects[0]["reason"] as? String == "invalid-policy")
        #expect((objects[0]["diagnostics"] as? [String])?.first?.contains(":5:1: error: unknown key 'flavour'") == true)
    }

    /// A worker killed from outside (here: SIGKILL by pid, taken from its `started` event)
    /// is a crash.
    @Test func workerKilledFromOutsideIsACrash() throws {
        let tree = try TemporaryTree()
        let log = tree.url("audit.jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Warden.executable)
        process.arguments = ["run"] + Warden.asRoot(["--audit", log, try AuditProbe.module(), "sleep", "30"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var pid: Int?
        for _ in 0..<200 where pid == nil {
            pid = (try? AuditProbe.objects(log))?.first { $0["action"] as? String == "started" }?["pid"] as? Int
            if pid == nil { usleep(50_000) }
        }
        let worker = try #require(pid)
        #expect(Int32(worker) != process.processIdentifier)
        usleep(200_000)
        kill(Int32(worker), SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationStatus == 137)
        let objects = try AuditProbe.objects(log)
        #expect(objects.map { $0["action"] as? String } == ["started", "crashed"])
        let crash = try #require(objects.last)
        #expect(AuditProbe.checkEnvelope(crash, module: AuditProbe.name, policy: nil).isEmpty, "\(crash)")
        #expect(crash["pid"] as? Int == worker)
        #expect(crash["signal"] as? Int == 9)
        #expect(crash["status"] as? Int == 137)
    }
}
