import Foundation
import Testing
import WardenTestSupport

/// `warden policy suggest` end to end: a policy too narrow for its module, the audit log of a
/// run, the suggested diff applied with patch(1), and the run again.
@Suite(.serialized) struct PolicySuggestTests {
    @Test(.enabled(if: geteuid() == 0, "runs as the 'nobody' account, which needs root"),
          .enabled(if: (try? Command.which("patch")) != nil, "needs patch(1) to apply the diff"))
    func suggestionApplied() throws {
        let tree = try TemporaryTree("suggest")
        try tree.makeDirectory("data/in")
        try tree.makeDirectory("data/out")
        try tree.write("data/in/a.txt", "abc\n")
        for directory in ["data", "data/in"] { chmod(tree.url(directory), 0o755) }
        chmod(tree.url("data"), 0o777)
        chmod(tree.url("data/out"), 0o777)
        let module = try Guests.c("Tests/WardenLauncherTests/Guests/learn_converter.c")
        try tree.write("policy.toml", """
            version = 1

            [module]
            name = "converter"
            path = "\(module)"

            [[preopen]]
            host = "\(tree.url("data"))"
            guest = "/data"
            access = "read"

            [limits]
            memory = "64MiB"
            cpu-time = "10s"
            wall-time = "30s"
            open-files = 16

            [sandbox]
            user = "nobody"

            """)
        let first = try Command.run(Warden.executable, ["run", "--policy", tree.url("policy.toml"), "--audit", tree.url("audit.log")])
        #expect(first.status == 1, "the converter cannot write its output: \(first.stderr)")

        let suggest = try Command.run(Warden.executable, ["policy", "suggest", "--from", tree.url("audit.log"), "--policy", tree.url("policy.toml")])
        #expect(suggest.status == 0, "\(suggest.stderr)")
        #expect(suggest.stderr.contains("1. [medium risk] make preopen '/data' (\(tree.url("data"))) read-write: 1 refused mutation"))
        #expect(suggest.stdout == """
            --- \(tree.url("policy.toml"))
            +++ \(tree.url("policy.toml"))
            @@ -10,1 +10,1 @@
            -access = "read"
            +access = "read-write"

            """)

        try tree.write("fix.diff", suggest.stdout)
        let patched = try Command.run("/usr/bin/patch", [tree.url("policy.toml"), tree.url("fix.diff")])
        #expect(patched.status == 0, "\(patched.stdout)\(patched.stderr)")
        let second = try Command.run(Warden.executable, ["run", "--policy", tree.url("policy.toml"), "--audit", tree.url("audit2.log")])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try tree.read("data/out/a.txt") == "ABC\n")
        let refusals = Warden.auditEvents(in: try tree.read("audit2.log")).filter { $0["layer"] as? String == "wasi" }
        #expect(refusals.map { $0["reason"] as? String } == ["escape-attempt"])

        // Now only its escape attempt is refused: listed, never suggested, no diff.
        let again = try Command.run(Warden.executable, ["policy", "suggest", "--from", tree.url("audit2.log"), "--policy", tree.url("policy.toml")])
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty)
        #expect(again.stderr.contains("warden: 0 suggestions"))
        #expect(again.stderr.contains("not suggested (1): escape attempts are never granted"))
    }
}
