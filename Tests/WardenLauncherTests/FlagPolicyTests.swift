import Foundation
import Testing
import WardenTestSupport

/// `warden run`'s flags are a policy: what a policy file refuses, the flag standing for it is
/// refused too (exit 64, the policy rule's words, the flag named), and the hardening flags
/// take only names that mean something.
@Suite struct FlagPolicyTests {
    static let exitZero = """
        (module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (call $exit (i32.const 0))))
        """

    /// (flags, a phrase the one-line refusal must contain)
    static let refused: [([String], String)] = [
        (["--dir", "/tmp::out"], "--dir '/tmp::out': 'guest' in [[preopen]] must be an absolute path"),
        (["--dir", "/tmp::../out"], "--dir '/tmp::../out': 'guest' in [[preopen]] must be an absolute path"),
        (["--dir", "/tmp::/in/../out"], "must not contain '.' or '..' components"),
        (["--dir", "/tmp::/in", "--ro-dir", "/var::/in/sub"], "--ro-dir '/var::/in/sub': guest path '/in/sub' is nested in '/in' (--dir '/tmp::/in')"),
        (["--dir", "/tmp::/out", "--ro-dir", "/var::/out"], "--ro-dir '/var::/out': guest path '/out' is granted twice (first at --dir '/tmp::/out')"),
        (["--dir", "relative"], "--dir 'relative': a relative host directory needs an absolute guest path"),
        (["--env", "1BAD=x"], "--env '1BAD=x': invalid environment variable name '1BAD'"),
        (["--max-memory", "5GiB"], "--max-memory '5GiB': 'memory' in [limits] must be between 64KiB and 4GiB"),
        (["--max-memory", "10"], "--max-memory '10': 'memory' in [limits] must be between 64KiB and 4GiB"),
        (["--max-memory", "lots"], "--max-memory 'lots': invalid size 'lots'"),
        (["--fuel", "-5"], "--fuel '-5': 'fuel' in [limits] must be between 0 and"),
        (["--wall-time", "soon"], "--wall-time 'soon': invalid duration 'soon'"),
        (["--cpu-time", "0s"], "--cpu-time '0s': invalid duration '0s'"),
        (["--seccomp-drop-group", "nonsense"], "--seccomp-drop-group 'nonsense': unknown syscall group"),
    ]

    @Test("a flag a policy would refuse is a usage error naming the flag", arguments: refused)
    func refusedFlag(_ flags: [String], _ phrase: String) throws {
        let module = try Guests.wat(Self.exitZero, name: "exit0")
        let result = try Warden.run(flags + [module])
        #expect(result.status == 64, "\(flags): \(result.stderr)")
        #expect(result.stderr.contains(phrase), "\(flags): \(result.stderr)")
    }

    @Test("--seccomp-drop-group takes a group with or without '@', and drops it")
    func seccompGroupWithoutAt() throws {
        // Without @random the guest's random_get (getrandom(2)) is a refused system call.
        let random = """
            (module
              (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start") (call $exit (call $random (i32.const 0) (i32.const 16)))))
            """
        let module = try Guests.wat(random, name: "random")
        let timeGroup = "@random"
        #expect(try Warden.run([module]).status == 0)
        let bare = try Warden.run(["--seccomp-drop-group", String(timeGroup.dropFirst()), module])
        let spelled = try Warden.run(["--seccomp-drop-group", timeGroup, module])
        #expect(bare.status != 0, "dropping '\(timeGroup.dropFirst())' drops \(timeGroup): \(bare.stderr)")
        #expect(bare.status == spelled.status)
    }

    @Test("limits within the policy's ranges are accepted, and --wall-time ends a run with 124")
    func wallTimeFlag() throws {
        let spin = """
            (module
              (memory (export "memory") 1)
              (func (export "_start") (loop $l (br $l))))
            """
        let module = try Guests.wat(spin, name: "spin-walltime")
        let start = Date()
        let result = try Warden.run(["--wall-time", "300ms", "--max-memory", "64K", "--fuel", "0", module])
        #expect(result.status == 124, "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 20)
    }

    /// RLIMIT_CPU counts whole seconds: a cpu-time that is not whole seconds is rounded up,
    /// never down (1500ms was enforced, and reported, as 1s).
    @Test("--cpu-time 1500ms allows 2s of CPU, and says so")
    func cpuTimeRoundsUp() throws {
        let spin = """
            (module
              (memory (export "memory") 1)
              (func (export "_start") (loop $l (br $l))))
            """
        let module = try Guests.wat(spin, name: "spin-cputime")
        let result = try Warden.run(["--cpu-time", "1500ms", module])
        #expect(result.status == 152, "\(result.stderr)")
        #expect(result.stderr.contains("exceeded its cpu-time limit (2s)"), "\(result.stderr)")
        #expect(result.stderr.contains("\"limit\":\"cpu-time\",\"value\":\"2s\""), "\(result.stderr)")
    }

    @Test("--policy with --wall-time may only lower the policy's")
    func wallTimeNarrowsPolicy() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat(Self.exitZero, name: "exit0")
        try tree.write("p.toml", """
            version = 1
            [module]
            name = "p"
            path = "\(module)"
            [limits]
            wall-time = "10s"
            [sandbox]
            user = "nobody"
            """)
        let wider = try Warden.run(["--policy", tree.url("p.toml"), "--wall-time", "1h"])
        #expect(wider.status == 64)
        #expect(wider.stderr.contains("--wall-time 1h exceeds the policy's wall-time limit 10s"), "\(wider.stderr)")
        #expect(try Warden.run(["--policy", tree.url("p.toml"), "--wall-time", "5s"]).status == 0)
    }
}
