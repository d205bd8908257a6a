import Testing
import WardenCLI
import WardenLauncher

/// The hand parser on `warden run`'s start-up path must read every command line it accepts
/// exactly as swift-argument-parser does, and hand everything else to it.
@Suite struct RunCommandLineTests {
    /// What swift-argument-parser makes of `warden run ARGS`, or nil if it rejects them.
    func referenceRequest(_ arguments: [String]) -> RunRequest? {
        guard let parsed = try? Run.parse(arguments) else { return nil }
        return parsed.request(commandLine: ["warden", "run"] + arguments)
    }

    static let accepted: [[String]] = [
        ["hello.wasm"],
        ["hello.wasm", "a", "b"],
        ["hello.wasm", "--dir", "x"],
        ["hello.wasm", "-x", "--", "y"],
        ["--dir", "/tmp", "hello.wasm"],
        ["--dir=/tmp::/work", "--ro-dir", "/srv", "--ro-dir", "/etc::/e", "m.wasm", "arg"],
        ["--env", "A=1", "--env=B", "--tcplisten", "127.0.0.1:0", "m.wasm"],
        ["--max-memory", "64MiB", "--fuel", "1000", "--audit", "/tmp/a.log", "m.wasm"],
        ["--fuel=5", "--max-memory=1G", "m.wasm"],
        ["--fuel", "lots", "--wall-time", "5s", "--cpu-time=1s", "m.wasm"],
        ["--no-sandbox", "m.wasm"],
        ["--timings", "--no-sandbox", "m.wasm"],
        ["--seccomp-drop-group", "@sockets", "--seccomp-drop-group=@time", "--seccomp-action", "errno", "m.wasm"],
        ["--debug-without", "seccomp", "--debug-without", "landlock", "m.wasm"],
        ["--user", "nobody", "m.wasm"],
        ["--policy", "p.toml"],
        ["--policy", "p.toml", "--", "a", "--b"],
        ["--policy=p.toml", "--fuel", "9", "--", "--"],
        ["--policy", "p.toml", "--max-memory", "1MiB", "--audit", "a.log"],
        ["--audit", "a.log", "--audit-on-failure", "continue", "m.wasm"],
        ["--policy", "p.toml", "--audit-on-failure=stop"],
        ["--", "m.wasm", "x"],
        ["m.wasm", "--", "--dir", "x"],
        ["--env", "", "m.wasm"],
        [],
    ]

    @Test("the hand parser agrees with swift-argument-parser", arguments: accepted)
    func agrees(_ arguments: [String]) throws {
        let reference = try #require(referenceRequest(arguments), "swift-argument-parser rejects \(arguments)")
        let fast = try #require(RunCommandLine.parse(["warden", "run"] + arguments), "the hand parser defers on \(arguments)")
        #expect(fast == reference)
    }

    /// Command lines the hand parser must not guess at: help, mistakes, repetitions.
    static let deferred: [[String]] = [
        ["--audit=", "m.wasm"],
        ["--help"],
        ["-h"],
        ["--dir"],
        ["--dir", "--env", "x", "m.wasm"],
        ["--fuel", "-1", "m.wasm"],
        ["--policy", "a.toml", "--policy", "b.toml"],
        ["--audit-on-failure", "stop", "--audit-on-failure", "continue", "m.wasm"],
        ["--no-sandbox=yes", "m.wasm"],
        ["--timings", "--timings", "m.wasm"],
        ["--unknown", "m.wasm"],
        ["-x", "m.wasm"],
        ["-", "m.wasm"],
    ]

    @Test("the hand parser hands anything doubtful to swift-argument-parser", arguments: deferred)
    func defers(_ arguments: [String]) {
        #expect(RunCommandLine.parse(["warden", "run"] + arguments) == nil)
    }

    @Test("other commands never take the fast path")
    func otherCommands() {
        #expect(RunCommandLine.parse(["warden"]) == nil)
        #expect(RunCommandLine.parse(["warden", "policy", "check", "x"]) == nil)
        #expect(RunCommandLine.parse(["warden", "--version"]) == nil)
    }
}
