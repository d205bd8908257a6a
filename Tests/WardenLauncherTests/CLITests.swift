import Foundation
import Testing
import WardenTestSupport

/// The launcher's own contract: help, usage errors, unreadable or invalid modules, missing
/// grants, exit statuses, audit file, and the man page.
@Suite(.onEveryEngine) struct CLITests {
    static let exitWithCode = """
        (module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (call $exit (i32.const 42))))
        """

    @Test func helpDescribesRunAndNarrowGrants() throws {
        let result = try Command.run(Warden.executable, ["run", "--help"])
        #expect(result.status == 0)
        for flag in ["--dir", "--ro-dir", "--env", "--tcplisten", "--max-memory", "--fuel", "--audit"] {
            #expect(result.stdout.contains(flag), "help mentions \(flag)")
        }
        #expect(result.stdout.contains("134"))
    }

    @Test func usageErrorsExitSixtyFour() throws {
        #expect(try Command.run(Warden.executable, ["run"]).status == 64)
        #expect(try Warden.run(["--max-memory", "lots", "x.wasm"]).status == 64)
        #expect(try Warden.run(["--dir", "::/guest", "x.wasm"]).status == 64)
    }

    @Test func exitCodeOfTheModuleIsPassedThrough() throws {
        let module = try Guests.wat(Self.exitWithCode, name: "exit42")
        let result = try Warden.run([module])
        #expect(result.status == 42)
        #expect(result.stderr.isEmpty)
    }

    @Test func timingsBreakStartUpDownByStepInOrder() throws {
        let module = try Guests.wat(Self.exitWithCode, name: "exit42")
        let result = try Warden.run(["--timings", module])
        #expect(result.status == 42)
        let lines = result.stderr.split(separator: "\n").dropFirst()
        // "  12.345    +0.123  milestone name"
        let names = lines.map { $0.split(separator: " ", maxSplits: 2).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        for step in ["descriptors", "rlimits", "namespaces", "capabilities", "no-new-privs", "landlock", "seccomp"] {
            #expect(names.contains("worker: hardening step \(step)"), "timings name the \(step) step")
        }
        for milestone in ["warden started", "worker spawned", "worker: module parsed and instantiated", "worker: module ended",
                          "worker hung up", "worker exited", "worker reaped", "run ended"] {
            #expect(names.contains(milestone))
        }
        let times = lines.compactMap { Double($0.split(separator: " ").first ?? "") }
        #expect(times.count == lines.count)
        #expect(times == times.sorted(), "milestones are in time order")
        #expect(names.last == "run ended")
    }

    @Test func watTextIsAccepted() throws {
        let tree = try TemporaryTree()
        try tree.write("exit.wat", Self.exitWithCode)
        #expect(try Warden.run([tree.url("exit.wat")]).status == 42)
    }

    @Test func unreadableAndInvalidModulesGetOneClearLine() throws {
        let tree = try TemporaryTree()
        let missing = try Warden.run([tree.url("missing.wasm")])
        #expect(missing.status == 125)
        #expect(missing.stderr == "warden: cannot read module '\(tree.url("missing.wasm"))': No such file or directory (ENOENT)\n")

        try tree.write("garbage.wasm", "\0asm\u{1}\0\0\0\u{ff}\u{ff}")
        let garbage = try Warden.run([tree.url("garbage.wasm")])
        #expect(garbage.status == 125)
        #expect(garbage.stderr.hasPrefix("warden: \(tree.url("garbage.wasm")): invalid WebAssembly module"))
        #expect(garbage.stderr.split(separator: "\n").count == 1)

        try tree.write("text.wat", "(module (func")
        let text = try Warden.run([tree.url("text.wat")])
        #expect(text.status == 125)
        #expect(text.stderr.contains("invalid WebAssembly text"))

        let noStart = try Guests.wat("(module (memory (export \"memory\") 1))", name: "nostart")
        let reactor = try Warden.run([noStart])
        #expect(reactor.status == 125)
        #expect(reactor.stderr.contains("no \"_start\""))

        let badImport = try Guests.wat("(module (import \"env\" \"nope\" (func)) (func (export \"_start\")))", name: "badimport")
        let unresolved = try Warden.run([badImport])
        #expect(unresolved.status == 125)
        #expect(unresolved.stderr.contains("cannot instantiate"))
    }

    @Test func missingGrantDirectoryIsALaunchFailure() throws {
        let module = try Guests.wat(Self.exitWithCode, name: "exit42")
        let result = try Warden.run(["--dir", "/nonexistent/warden-dir::/x", module])
        #expect(result.status == 125)
        #expect(result.stderr == "warden: cannot open directory '/nonexistent/warden-dir' for --dir: No such file or directory (ENOENT)\n")
        let file = try Warden.run(["--ro-dir", module, module])
        #expect(file.status == 125)
        #expect(file.stderr.contains("Not a directory (ENOTDIR)"))
    }

    @Test func trapsExitWith134AndSayWhy() throws {
        let module = try Guests.wat("(module (memory (export \"memory\") 1) (func (export \"_start\") unreachable))", name: "trap")
        let result = try Warden.run([module])
        #expect(result.status == 134)
        #expect(result.stderr.contains("trapped: unreachable"))
        #expect(!result.signaled)
    }

    @Test func fuelAndMemoryLimitsBind() throws {
        let spin = try Guests.wat("(module (memory (export \"memory\") 1) (func (export \"_start\") (loop (br 0))))", name: "spin")
        let result = try Warden.run(["--fuel", "100000", spin])
        #expect(result.status == 134)
        #expect(result.stderr.lowercased().contains("fuel"))

        // memory.grow past --max-memory returns -1, which this module turns into exit code 1.
        let grow = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                (call $exit (i32.eq (memory.grow (i32.const 16)) (i32.const -1)))))
            """, name: "grow")
        let refused = try Warden.run(["--max-memory", "512KiB", grow])
        #expect(refused.status == 1)
        // The refusal is reported: one `limit` event naming memory and the size asked for.
        let limits = Warden.auditEvents(in: refused.stderr).filter { $0["layer"] as? String == "limit" }
        #expect(limits.count == 1 && limits.first?["limit"] as? String == "memory", "\(refused.stderr)")
        #expect(try Warden.run(["--max-memory", "2MiB", grow]).status == 0)
    }

    @Test func auditFileCollectsDenials() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("box")
        let escape = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "path_open"
                (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "../outside")
              (func (export "_start")
                (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 10)
                                        (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)))))
            """, name: "escape")
        let result = try Warden.run(["--dir", "\(tree.url("box"))::/box", "--audit", tree.url("audit.jsonl"), escape])
        #expect(result.status == 76)  // notcapable, returned as the exit code
        #expect(result.stderr.isEmpty)
        // The refusal, between the lifecycle events an audit file also gets.
        let all = Warden.auditEvents(in: try tree.read("audit.jsonl"))
        #expect(all.map { $0["action"] as? String } == ["started", "denied", "exited"])
        let events = all.filter { $0["layer"] as? String == "wasi" }
        try #require(events.count == 1)
        #expect(events[0]["v"] as? Int == 1)
        #expect(events[0]["layer"] as? String == "wasi")
        #expect(events[0]["op"] as? String == "path_open")
        #expect(events[0]["fd"] as? Int == 3)
        #expect(events[0]["preopen"] as? String == "/box")
        #expect(events[0]["path"] as? String == "../outside")
        #expect(events[0]["reason"] as? String == "escape-attempt")
        #expect(events[0]["errno"] as? String == "notcapable")
        #expect(events[0]["module"] as? String == (escape as NSString).lastPathComponent)
        #expect((events[0]["time"] as? String)?.hasSuffix("Z") == true)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/mandoc"), "mandoc not installed"))
    func manPagesLintClean() throws {
        let pages = try FileManager.default.contentsOfDirectory(atPath: Guests.packageRoot.appendingPathComponent("man").path)
            .filter { $0.range(of: #"\.[1-8]$"#, options: .regularExpression) != nil }
        #expect(!pages.isEmpty)
        for page in pages {
            let path = Guests.packageRoot.appendingPathComponent("man/\(page)").path
            let lint = try Command.run("/usr/bin/mandoc", ["-Tlint", "-Wwarning", path])
            #expect(lint.status == 0, "\(page): \(lint.stdout)\(lint.stderr)")
        }
    }
}
