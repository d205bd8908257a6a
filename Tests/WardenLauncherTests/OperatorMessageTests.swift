import Foundation
import Testing
import WardenTestSupport

/// Messages a person can act on: module load errors name the file, the place (line:column
/// from 1, or a byte offset) and the problem in words; usage errors show the subcommand's
/// usage; one prefix style; --version and help everywhere.
@Suite struct OperatorMessageTests {
    @Test("a text file named .wasm: the file, and what it is not")
    func textFileNamedWasm() throws {
        let tree = try TemporaryTree()
        try tree.write("notes.wasm", "hello, this is not a module\n")
        let result = try Warden.run([tree.url("notes.wasm")])
        #expect(result.status == 125)
        #expect(result.stderr == "warden: \(tree.url("notes.wasm")): invalid WebAssembly module: not a WebAssembly module: a binary module starts with the bytes \\0asm, a text module with '('\n",
                "\(result.stderr)")
    }

    @Test("an empty file is said to be empty, not to lack _start")
    func emptyFile() throws {
        let tree = try TemporaryTree()
        try tree.write("empty.wasm", "")
        let result = try Warden.run([tree.url("empty.wasm")])
        #expect(result.status == 125)
        #expect(result.stderr.contains("\(tree.url("empty.wasm")): invalid WebAssembly module: the file is empty"), "\(result.stderr)")
        #expect(!result.stderr.contains("_start"))
    }

    @Test("broken WebAssembly text: line and column from 1, in words, no value dump")
    func brokenText() throws {
        let tree = try TemporaryTree()
        try tree.write("broken.wat", "(module\n  (func (export \"_start\")\n    (i32.const 1)\n  ) ) )\n")
        let result = try Warden.run([tree.url("broken.wat")])
        #expect(result.status == 125)
        #expect(result.stderr.hasPrefix("warden: \(tree.url("broken.wat")): invalid WebAssembly text: line 4, column "), "\(result.stderr)")
        #expect(!result.stderr.contains("Location("), "\(result.stderr)")
    }

    @Test("a broken binary: the byte offset in decimal")
    func brokenBinary() throws {
        let tree = try TemporaryTree()
        let bytes: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0xff]
        FileManager.default.createFile(atPath: tree.url("cut.wasm"), contents: Data(bytes))
        let result = try Warden.run([tree.url("cut.wasm")])
        #expect(result.status == 125)
        #expect(result.stderr.contains("\(tree.url("cut.wasm")): invalid WebAssembly module: byte offset "), "\(result.stderr)")
    }

    @Test("a usage error of warden run: one 'warden:' line, then warden run's usage")
    func usageShowsTheSubcommand() throws {
        let result = try Warden.run(["--env", "1BAD=x", "m.wasm"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("warden: --env '1BAD=x': invalid environment variable name '1BAD'"), "\(result.stderr)")
        #expect(result.stderr.contains("Usage: warden run"), "\(result.stderr)")
        #expect(!result.stderr.contains("Error:"))
        let unknown = try Warden.run(["--bogus", "m.wasm"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.hasPrefix("warden: "), "\(unknown.stderr)")
    }

    @Test("--version on every executable; warden-worker by hand says what it is")
    func versions() throws {
        for name in ["warden", "wardend", "warden-worker"] {
            let result = try Command.run(Warden.product(name), ["--version"])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(result.stdout.contains("0.1.0"), "\(name): \(result.stdout)")
        }
        let help = try Command.run(Warden.product("warden-worker"), ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("not a command to run by hand"), "\(help.stdout)")
        let other = try Command.run(Warden.product("warden-worker"), ["x.wasm"])
        #expect(other.status == 64)
        #expect(other.stderr.contains("warden run MODULE"))
        // With no argument, as warden starts it, but no control socket at fd 3: said, not a
        // silent exit 80.
        let bare = try Command.run(Warden.product("warden-worker"), [])
        #expect(bare.status == 64)
        #expect(bare.stderr.contains("not a command to run by hand"), "\(bare.stderr)")
    }

    @Test("policy --help lists suggest; audit --layer takes only layers")
    func helpAndLayers() throws {
        let policy = try Command.run(Warden.executable, ["policy", "--help"])
        #expect(policy.stdout.contains("suggest"), "\(policy.stdout)")
        #expect(policy.stdout.contains("Check, explain and suggest"))
        let tree = try TemporaryTree()
        try tree.write("a.jsonl", "")
        let layer = try Command.run(Warden.executable, ["audit", "--layer", "bogus", tree.url("a.jsonl")])
        #expect(layer.status == 64)
        #expect(layer.stderr.hasPrefix("warden: --layer 'bogus': unknown layer; expected one of: wasi, seccomp, landlock, limit, policy, lifecycle"),
                "\(layer.stderr)")
        // The usage of what was typed, 'warden audit', not of its default subcommand's name.
        #expect(layer.stderr.contains("Usage: warden audit [--module NAME]") && !layer.stderr.contains("Usage: warden audit show"), "\(layer.stderr)")
    }

    @Test("policy check of a directory says to name the policy files in it")
    func policyCheckOfADirectory() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("policies.d")
        let result = try Command.run(Warden.executable, ["policy", "check", tree.url("policies.d")])
        #expect(result.status == 2)
        #expect(result.stdout.contains("\(tree.url("policies.d")):1:1: error: cannot read policy: Is a directory (EISDIR); name the policy files in it ('\(tree.url("policies.d"))/*.toml')"),
                "\(result.stdout)")
    }

    @Test("warden audit does not repeat a lifecycle action")
    func lifecycleText() throws {
        let tree = try TemporaryTree()
        try tree.write("a.jsonl", """
            {"v":1,"time":"2026-11-21T14:31:09.329Z","layer":"lifecycle","action":"started","module":"m","instance":"6db00bed277928d0","pid":12,"policy":null}
            {"v":1,"time":"2026-11-21T14:31:10.329Z","layer":"lifecycle","action":"exited","module":"m","instance":"6db00bed277928d0","pid":12,"policy":null,"status":3}

            """)
        let result = try Command.run(Warden.executable, ["audit", tree.url("a.jsonl")])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stdout)")
        #expect(lines.first?.hasSuffix("m[12] lifecycle started") == true, "\(result.stdout)")
        #expect(lines.last?.hasSuffix("m[12] lifecycle exited: status 3") == true, "\(result.stdout)")
    }
}
