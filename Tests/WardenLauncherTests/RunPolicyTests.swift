import Foundation
import Testing
import WardenTestSupport

/// `warden run --policy`: exactly the policy's grants, flags that only narrow, pins, limits.
@Suite struct RunPolicyTests {
    /// Prints argv and env, reads /in/input.txt, writes /out/result.txt, then tries /in writes
    /// and an escape; exit code = number of refusals seen.
    static let probe = """
        (module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $argc (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $envc (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_open"
            (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "result.txt")
          (data (i32.const 120) "input.txt")
          (data (i32.const 140) "../escape")
          (func (export "_start")
            (local $refused i32)
            ;; exit code = argc * 16 + envc (checked by the test), + refusals in the top bits
            (drop (call $argc (i32.const 0) (i32.const 4)))
            (drop (call $envc (i32.const 8) (i32.const 12)))
            ;; create /out/result.txt (fd 3 = /in read-only... order: --dir first: policy order)
            (if (i32.ne (call $open (i32.const 4) (i32.const 0) (i32.const 100) (i32.const 10) (i32.const 1)
                                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 200)) (i32.const 0))
              (then (local.set $refused (i32.add (local.get $refused) (i32.const 1)))))
            ;; try to create in /in (read-only): refused
            (if (i32.ne (call $open (i32.const 3) (i32.const 0) (i32.const 120) (i32.const 9) (i32.const 9)
                                    (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 200)) (i32.const 0))
              (then (local.set $refused (i32.add (local.get $refused) (i32.const 1)))))
            ;; escape from /out: refused
            (if (i32.ne (call $open (i32.const 4) (i32.const 0) (i32.const 140) (i32.const 9) (i32.const 0)
                                    (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 200)) (i32.const 0))
              (then (local.set $refused (i32.add (local.get $refused) (i32.const 1)))))
            (call $exit (i32.add (i32.mul (local.get $refused) (i32.const 64))
                                 (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 8)) (i32.load (i32.const 8)))))))
        """

    func policy(_ tree: TemporaryTree, module: String, extra: String = "", limits: String? = nil) throws -> String {
        try tree.makeDirectory("in")
        try tree.makeDirectory("out")
        try tree.write("in/input.txt", "data")
        let text = """
            version = 1
            [module]
            name = "probe"
            path = "\(module)"
            args = ["one", "two"]
            env = { A = "1", B = "2", C = "3" }
            \(extra)
            [[preopen]]
            host = "\(tree.url("in"))"
            guest = "/in"
            [[preopen]]
            host = "\(tree.url("out"))"
            guest = "/out"
            access = "read-write"
            [limits]
            \(limits ?? "memory = \"1MiB\"\ncpu-time = \"10s\"\nwall-time = \"30s\"\nopen-files = 16")
            [sandbox]
            user = "nobody"
            """
        try tree.write("policy.toml", text)
        // The worker runs as `nobody` when the tests run as root: give it the grants' trees.
        if geteuid() == 0 { _ = try Command.run("/bin/chown", ["-R", "nobody:nogroup", tree.url("in"), tree.url("out")]) }
        return tree.url("policy.toml")
    }

    @Test func runsWithExactlyThePolicysGrants() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat(Self.probe, name: "policy-probe")
        let result = try Warden.run(["--policy", try policy(tree, module: module), "--", "three"])
        // argc = 4 (file name, one, two, three), envc = 3, refusals = 2 (create in /in, escape).
        #expect(result.status == 2 * 64 + 4 * 8 + 3, "stderr: \(result.stderr)")
        #expect(tree.exists("out/result.txt"))
        #expect(!tree.exists("in/input.txt.new"))
        let events = Warden.auditEvents(in: result.stderr)
        #expect(events.map { $0["reason"] as? String } == ["read-only", "escape-attempt"])
        #expect(events.allSatisfy { $0["module"] as? String == "probe" })
    }

    @Test func flagsMayOnlyNarrow() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat(Self.probe, name: "policy-probe")
        let path = try policy(tree, module: module)
        for flags in [["--dir", "/tmp"], ["--ro-dir", "/tmp"], ["--env", "X=1"], ["--tcplisten", "127.0.0.1:1"]] {
            let result = try Warden.run(flags + ["--policy", path])
            #expect(result.status == 64)
            #expect(result.stderr.contains("\(flags[0]) cannot be combined with --policy: command-line flags may only narrow a policy, never widen it"))
        }
        let wider = try Warden.run(["--policy", path, "--max-memory", "2MiB"])
        #expect(wider.status == 64)
        #expect(wider.stderr.contains("--max-memory 2MiB exceeds the policy's memory limit 1MiB"))
        let narrower = try Warden.run(["--policy", path, "--max-memory", "512KiB"])
        #expect(narrower.status == 2 * 64 + 3 * 8 + 3)
        let positional = try Warden.run(["--policy", path, "other.wasm"])
        #expect(positional.status == 64)
    }

    @Test func sha256PinIsEnforced() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat(Self.probe, name: "policy-probe")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: module))
        let digest = try Command.run("/usr/bin/sha256sum", [module]).stdout.prefix(64)
        #expect(digest.count == 64 && bytes.count > 0)
        let good = try Warden.run(["--policy", try policy(tree, module: module, extra: "sha256 = \"\(digest)\"")])
        #expect(good.status == 2 * 64 + 3 * 8 + 3, "stderr: \(good.stderr)")

        let wrong = String(repeating: "0", count: 64)
        let other = try TemporaryTree()
        let bad = try Warden.run(["--policy", try policy(other, module: module, extra: "sha256 = \"\(wrong)\"")])
        #expect(bad.status == 125)
        // One policy audit event (stderr is the default sink), then the message.
        let lines = bad.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(bad.stderr)")
        #expect(lines.last == "warden: module 'probe': sha256 mismatch: the policy pins \(wrong), but \(module) has \(digest); refusing to start")
        let events = Warden.auditEvents(in: bad.stderr)
        #expect(events.first?["layer"] as? String == "policy" && events.first?["reason"] as? String == "digest-mismatch")
    }

    @Test func invalidPolicyRefusesToStartWithDiagnostics() throws {
        let tree = try TemporaryTree()
        try tree.write("bad.toml", "version = 1\n[module]\nname = \"m\"\npath = \"/m.wasm\"\nflavour = 1\n")
        let result = try Warden.run(["--policy", tree.url("bad.toml")])
        #expect(result.status == 125)
        #expect(result.stderr.contains("\(tree.url("bad.toml")):5:1: error: unknown key 'flavour' in [module]"))
    }

    @Test func wallTimeEndsTheRunWithAnAuditEvent() throws {
        let tree = try TemporaryTree()
        let spin = try Guests.wat("(module (memory (export \"memory\") 1) (func (export \"_start\") (loop (br 0))))", name: "spin")
        let path = try policy(tree, module: spin, limits: "memory = \"1MiB\"\ncpu-time = \"20s\"\nwall-time = \"300ms\"\nopen-files = 16")
        let started = Date()
        let result = try Warden.run(["--policy", path], timeout: 20)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(result.status == 124)
        #expect(result.stderr.contains("warden: module 'probe' exceeded its wall-time limit"))
        let events = Warden.auditEvents(in: result.stderr)
        #expect(events.first?["layer"] as? String == "limit")
        #expect(events.first?["limit"] as? String == "wall-time")
        #expect((events.first?["time"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func cpuTimeEndsTheRun() throws {
        let tree = try TemporaryTree()
        let spin = try Guests.wat("(module (memory (export \"memory\") 1) (func (export \"_start\") (loop (br 0))))", name: "spin")
        let path = try policy(tree, module: spin, limits: "memory = \"1MiB\"\ncpu-time = \"1s\"\nwall-time = \"30s\"\nopen-files = 16")
        let result = try Warden.run(["--policy", path], timeout: 30)
        #expect(result.status == 152)
        #expect(result.stderr.contains("exceeded its cpu-time limit (1s)"))
    }

    @Test func explainNamesEveryGrant() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat(Self.probe, name: "policy-probe")
        let result = try Command.run(Warden.executable, ["policy", "explain", try policy(tree, module: module)])
        #expect(result.status == 0)
        #expect(result.stdout.contains("/in is host \(tree.url("in")), read-only: it can list, stat and read; it cannot create, modify or delete anything"))
        #expect(result.stdout.contains("/out is host \(tree.url("out")), read-write"))
        #expect(result.stdout.contains("argv: policy-probe-"))
        #expect(result.stdout.contains("environment: A=1 B=2 C=3 (nothing else is inherited from the host)"))
        #expect(result.stdout.contains("linear memory: at most 1MiB"))
        #expect(result.stdout.contains("the module cannot create sockets or connect anywhere"))
    }

    /// The whole explanation of a representative service policy, line for line.
    @Test func explainGolden() throws {
        let tree = try TemporaryTree()
        try tree.write("handler.toml", """
            version = 1
            [module]
            name = "echo"
            path = "/srv/warden/echo.wasm"
            sha256 = "a1ba918d4956c5863e758ee86a712b57ff546dbcca966eaa8bdc93d197a6b268"
            args = ["--greeting", "hello world"]
            [[preopen]]
            host = "/srv/warden/assets"
            guest = "/assets"
            [limits]
            memory = "32MiB"
            fuel = 5000000
            cpu-time = "2s"
            wall-time = "5s"
            open-files = 16
            [sandbox]
            on-syscall-violation = "errno"
            landlock = "require"
            namespaces = ["net", "ipc"]
            [service]
            mode = "per-connection"
            listen = ["tcp:127.0.0.1:8080"]
            max-connections = 100
            connection-wall-time = "1500ms"
            [audit]
            log = "/var/log/warden/echo.jsonl"
            """)
        let result = try Command.run(Warden.executable, ["policy", "explain", tree.url("handler.toml")])
        #expect(result.status == 0)
        #expect(result.stdout == """
            Module "echo"
              file: /srv/warden/echo.wasm
              pinned to sha256 a1ba918d4956c5863e758ee86a712b57ff546dbcca966eaa8bdc93d197a6b268: any other file at that path is refused

            Files
              /assets is host /srv/warden/assets, read-only: it can list, stat and read; it cannot create, modify or delete anything
              nothing else is reachable: paths resolve beneath these directories; '..', absolute paths and symlinks leading out are refused and logged

            Arguments and environment
              argv: echo.wasm --greeting 'hello world'
              environment: empty (nothing is inherited from the host)

            Standard streams
              stdin: empty (/dev/null)
              stdout: inherited
              stderr: inherited

            Network
              the module cannot create sockets or connect anywhere
              connections to tcp:127.0.0.1:8080 are handed to a fresh instance each, as its stdin and stdout (at most 100 at once, 1500ms each)

            Limits
              linear memory: at most 32MiB
              instructions: at most 5000000 (then it traps)
              CPU time: 2s; wall time: 5s
              open descriptors: at most 16

            Engine
              wasmkit 0.4.2: an interpreter; the worker maps no executable memory at all

            Kernel confinement of the worker process
              seccomp allowlist: a system call outside it fails with an error, and warden logs it (the module cannot suppress the report)
              seccomp groups in force: @basic-io @control @enosys @exit @fd-control @file-beneath @file-data @futex @memory @poll @process-info @random @scheduling @signals @time @zygote
              Landlock over the granted directories: required (refuse to start without it)
              namespaces: net, ipc (where available)
              identity: user 'warden' when started as root; every capability dropped; no_new_privs

            Service
              mode: one instance per connection; restart: on-failure

            Audit
              every refusal is logged to /var/log/warden/echo.jsonl
              beyond 100 events per second similar events are summarized with counts, never dropped silently

            Warnings
              line 8: host directory '/srv/warden/assets' does not exist


            """)
    }
}
