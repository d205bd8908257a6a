import Foundation
import Testing
import WardenAudit
import WardenTestSupport

/// `warden audit`: filters, --json passthrough, summary, malformed lines, --follow.
@Suite struct AuditCommandTests {
    static func at(_ text: String) -> AuditTime { AuditTime(rfc3339: text)! }

    static func event(_ time: String, module: String, _ kind: AuditEvent.Kind) -> String {
        AuditEvent(time: at(time), module: module, instance: "0000000000000001", pid: 10, policyDigest: nil, kind: kind).jsonText
    }

    static let lines: [String] = [
        event("2026-11-21T10:00:00Z", module: "alpha", .lifecycle(LifecycleChange(.started))),
        event("2026-11-21T10:00:01Z", module: "alpha", .wasi(WASIRefusal(operation: "path_open", fd: 3, preopen: "/in", path: "../etc/passwd", reason: "escape-attempt", errno: "notcapable"))),
        event("2026-11-21T10:00:02Z", module: "alpha", .wasi(WASIRefusal(operation: "path_unlink_file", fd: 3, preopen: "/in", path: "data/a.txt", reason: "read-only", errno: "notcapable"))),
        "this is not json",
        event("2026-11-21T11:00:00Z", module: "beta", .seccomp(SyscallRefusal(syscall: "ptrace", number: 101, arguments: [0, 0, 0, 0, 0, 0], action: .killed, errno: nil))),
        #"{"v":1,"time":"2026-11-21T11:00:01.000Z","layer":"wasi","action":"denied","module":"beta","op":"path_open","path":"data/b.txt","reason":"read-only","errno":"notcapable","extra":{"kept":true}}"#,
        event("2026-11-21T12:00:00Z", module: "alpha", .suppressed(Suppression(layer: "wasi", since: at("2026-11-21T11:59:00Z"), counts: [
            .init(reason: "escape-attempt", operation: "path_open", count: 500), .init(reason: "read-only", operation: "path_open", count: 20)]))),
        event("2026-11-21T12:00:01Z", module: "alpha", .lifecycle(LifecycleChange(.exited, status: 0))),
    ]

    func log(_ tree: TemporaryTree) throws -> String {
        try tree.write("audit.jsonl", Self.lines.joined(separator: "\n") + "\n")
        return tree.url("audit.jsonl")
    }

    func audit(_ arguments: [String]) throws -> Command.Result { try Command.run(Warden.executable, ["audit"] + arguments) }

    @Test func textOutputWithAWarningForTheMalformedLine() throws {
        let tree = try TemporaryTree()
        let path = try log(tree)
        let result = try audit([path])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").count == 7)
        #expect(result.stdout.contains("2026-11-21T10:00:01.000Z alpha[10] wasi denied: path_open ../etc/passwd via /in: escape-attempt (notcapable)"))
        #expect(result.stderr == "\(path):4: warning: skipping malformed audit event: not JSON: invalid literal at byte 1\n")
    }

    @Test func filtersCombine() throws {
        let tree = try TemporaryTree()
        let path = try log(tree)
        func lines(_ arguments: [String]) throws -> [String] {
            try audit(arguments + ["--json", path]).stdout.split(separator: "\n").map(String.init)
        }
        #expect(try lines(["--module", "beta"]).count == 2)
        #expect(try lines(["--layer", "seccomp"]) == [Self.lines[4]])
        #expect(try lines(["--reason", "read-only"]).count == 3, "two events and the summary that counts read-only")
        #expect(try lines(["--reason", "read-only", "--module", "alpha", "--op", "path_unlink_file"]) == [Self.lines[2]])
        #expect(try lines(["--path", "data/*"]).count == 2)
        #expect(try lines(["--path", "*passwd"]) == [Self.lines[1]])
        #expect(try lines(["--since", "2026-11-21T11:00:00Z", "--until", "2026-11-21T11:59:59Z"]).count == 2)
        #expect(try lines(["--since", "2026-11-22"]).isEmpty)
        // --json passes the line through unchanged, unknown fields included.
        #expect(try lines(["--module", "beta", "--layer", "wasi"]) == [Self.lines[5]])
    }

    @Test func summaryCountsIncludeSuppressedRefusals() throws {
        let tree = try TemporaryTree()
        let result = try audit(["summary", try log(tree)])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("524 refusal(s) in 7 event(s), 520 of them counted in suppression summaries\n"), "\(result.stdout)")
        #expect(result.stdout.contains("by module:\n  522  alpha\n    2  beta\n"), "\(result.stdout)")
        #expect(result.stdout.contains("by reason:\n  501  escape-attempt\n   22  read-only\n    1  not-in-allowlist\n"), "\(result.stdout)")
        #expect(result.stdout.contains("by path:\n  1  ../etc/passwd\n  1  data/a.txt\n  1  data/b.txt\n"), "\(result.stdout)")
        #expect(result.stdout.contains("by lifecycle:\n  1  exited\n  1  started\n"))
    }

    @Test func badOptionsAndMissingFiles() throws {
        let bad = try audit(["--since", "last tuesday", "/dev/null"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("invalid --since 'last tuesday'"))
        let missing = try audit(["/nonexistent/audit.jsonl"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot open audit log '/nonexistent/audit.jsonl'"))
    }

    @Test func readsStandardInput() throws {
        let result = try Command.run(Warden.executable, ["audit", "--layer", "seccomp", "--json"], stdin: Self.lines.joined(separator: "\n"))
        #expect(result.stdout == Self.lines[4] + "\n")
    }

    @Test func followPrintsWhatIsAppendedAndSurvivesRotation() throws {
        let tree = try TemporaryTree()
        let path = tree.url("audit.jsonl")
        try tree.write("audit.jsonl", Self.lines[1] + "\n")
        try tree.write("out.txt", "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Warden.executable)
        process.arguments = ["audit", "--follow", "--json", path]
        // A file rather than a pipe: the test polls it with a deadline and can never block.
        process.standardOutput = try #require(FileHandle(forWritingAtPath: tree.url("out.txt")))
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        func output(reaching count: Int) -> [String] {
            var lines: [String] = []
            for _ in 0..<200 {
                lines = ((try? tree.read("out.txt")) ?? "").split(separator: "\n").map(String.init)
                if lines.count >= count { break }
                usleep(50_000)
            }
            return lines
        }
        #expect(output(reaching: 1) == [Self.lines[1]])
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data((Self.lines[2] + "\n").utf8))
        try handle.close()
        #expect(output(reaching: 2) == [Self.lines[1], Self.lines[2]])
        #expect(rename(path, path + ".1") == 0)
        try tree.write("audit.jsonl", Self.lines[4] + "\n")
        #expect(output(reaching: 3) == [Self.lines[1], Self.lines[2], Self.lines[4]])
        // Interrupted like a user would (the test thread's blocked signal mask is inherited).
        process.interrupt()
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        #expect(!process.isRunning)
    }
}
