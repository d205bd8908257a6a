import Foundation
import Testing
import WardenTestSupport

/// `warden learn` on guests with known access patterns: the learned policy is checked
/// exactly (measured figures masked), passes `policy check --strict`, and the same run under
/// it is refused nothing it was not refused while learning.
@Suite(.serialized) struct LearnTests {
    /// A tree the service account can use: directories 0755, `writable` ones 0777.
    func makeTree(directories: [String], writable: [String], files: [String: String]) throws -> TemporaryTree {
        let tree = try TemporaryTree("learn")
        for directory in directories + writable { try tree.makeDirectory(directory) }
        for (path, text) in files { try tree.write(path, text) }
        for directory in directories { chmod(tree.url(directory), 0o755) }
        for directory in writable { chmod(tree.url(directory), 0o777) }
        return tree
    }

    /// Runs `warden learn`, returns the policy text with the tree's path written as TREE and
    /// the measured figures (time, memory, fuel) as #.
    func learn(_ guest: String, tree: TemporaryTree, name: String) throws -> (text: String, masked: String) {
        let module = try Guests.c("Tests/WardenLauncherTests/Guests/\(guest).c")
        let result = try Command.run(Warden.executable, ["learn", "--user", "nobody", "--name", name,
                                                          "--allow-dir", tree.url("data") + "::/data", "-o", tree.url("learned.toml"), module])
        #expect(result.status == 0, "learn failed: \(result.stderr)")
        let text = try tree.read("learned.toml")
        var masked = text.replacingOccurrences(of: tree.path, with: "TREE").replacingOccurrences(of: module, with: "MODULE")
        // Measured figures, and the limits derived from them (on a loaded machine a run can
        // take long enough to move cpu-time past its 1s floor).
        for pattern in [#"(memory = ")[0-9]+MiB(")"#, #"(# peak )[0-9]+(KiB|MiB|B)"#, #"(used )[0-9.]+( ms)"#, #"(took )[0-9.]+( ms)"#,
                        #"(burned )[0-9]+( fuel)"#, #"(cpu-time = ")[0-9]+s(")"#, #"(wall-time = ")[0-9]+s(")"#] {
            masked = masked.replacingOccurrences(of: pattern, with: "$1#$2", options: .regularExpression)
        }
        masked = masked.replacingOccurrences(of: #"# peak #(KiB|MiB|B)"#, with: "# peak #", options: .regularExpression)
        return (text, masked)
    }

    /// `policy check --strict` is silent, and `warden run --policy` is refused nothing.
    func runUnderLearnedPolicy(_ tree: TemporaryTree, expectOutput: String) throws {
        let check = try Command.run(Warden.executable, ["policy", "check", "--strict", tree.url("learned.toml")])
        #expect(check.status == 0 && check.stdout.isEmpty, "policy check: \(check.stdout)")
        let run = try Command.run(Warden.executable, ["run", "--policy", tree.url("learned.toml"), "--audit", tree.url("audit.log")])
        #expect(run.status == 0, "run under the learned policy: \(run.stderr)")
        #expect(run.stdout == expectOutput)
        let log = (try? tree.read("audit.log")) ?? ""
        // Lifecycle events (start, exit) are not refusals.
        #expect(Warden.auditEvents(in: log).filter { $0["layer"] as? String != "lifecycle" }.isEmpty, "audit: \(log)")
    }

    static let limits = """
        # Limits: what the run used, with headroom (memory: twice the peak and 16 MiB more;
        # cpu-time and wall-time: ten times; open-files: twice the most held at once).
        [limits]
        memory = "#"   # peak #
        cpu-time = "#"   # used # ms
        wall-time = "#"   # took # ms
        """

    @Test(.enabled(if: geteuid() == 0, "learns as the 'nobody' account, which needs root"))
    func converterGetsReadOnlyInputAndWritableOutput() throws {
        let tree = try makeTree(directories: ["data", "data/in", "data/unused"], writable: ["data/out"],
                                files: ["data/in/a.txt": "hello\n", "data/in/b.txt": "world\n"])
        let learned = try learn("learn_converter", tree: tree, name: "converter")
        #expect(learned.masked == """
            # Warden policy learned by `warden learn` from one run of MODULE.
            # Review it before deploying: it grants what that run used, and nothing it did not.

            version = 1

            [module]
            name = "converter"
            path = "MODULE"

            # read-only, because the module listed in, read in/a.txt, read in/b.txt
            [[preopen]]
            host = "TREE/data/in"
            guest = "/data/in"
            access = "read"

            # read-write, because the module created out/a.txt, created out/b.txt, written out/a.txt, written out/b.txt
            [[preopen]]
            host = "TREE/data/out"
            guest = "/data/out"
            access = "read-write"

            \(Self.limits)
            open-files = 16   # at most 7 held at once
            # The run burned # fuel; metering stays off (fuel = 0) unless you set a budget.
            fuel = 0

            [sandbox]
            user = "nobody"

            # Refused during learning, and not granted:
            #   wasi path_open /data ../../etc/passwd (escape-attempt)

            """)
        #expect(try tree.read("data/out/a.txt") == "HELLO\n")
        // Under the narrowed grants the escape attempt matches no preopen at all: wasi-libc
        // fails it before it reaches warden, so nothing is refused, and nothing granted.
        try runUnderLearnedPolicy(tree, expectOutput: "converted\n")
    }

    @Test(.enabled(if: geteuid() == 0, "learns as the 'nobody' account, which needs root"))
    func listerGetsTheTreeItWalkedReadOnly() throws {
        let tree = try makeTree(directories: ["data", "data/tree", "data/tree/docs", "data/tree/docs/sub", "data/tree/other"], writable: [],
                                files: ["data/tree/docs/a.md": "a", "data/tree/docs/sub/b.md": "bb", "data/tree/other/c": "c"])
        for directory in ["data/tree", "data/tree/docs", "data/tree/docs/sub", "data/tree/other"] { chmod(tree.url(directory), 0o755) }
        let learned = try learn("learn_lister", tree: tree, name: "lister")
        #expect(learned.masked.contains("""
            # read-only, because the module listed tree/docs, listed tree/docs/sub, stat'ed tree/docs/a.md, stat'ed tree/docs/sub, stat'ed tree/docs/sub/b.md
            [[preopen]]
            host = "TREE/data/tree/docs"
            guest = "/data/tree/docs"
            access = "read"

            """), "\(learned.masked)")
        #expect(learned.masked.components(separatedBy: "[[preopen]]").count == 2, "exactly one preopen")
        #expect(!learned.masked.contains("Refused"))
        let output = "/data/tree/docs/a.md 1\n/data/tree/docs/sub 4096\n/data/tree/docs/sub/b.md 2\n"
        let sorted = { (text: String) in text.split(separator: "\n").sorted().joined(separator: "\n") }
        let run = try Command.run(Warden.executable, ["run", "--policy", tree.url("learned.toml")])
        #expect(run.status == 0)
        #expect(sorted(run.stdout) == sorted(output))
        try runUnderLearnedPolicy(tree, expectOutput: run.stdout)
    }

    @Test(.enabled(if: geteuid() == 0, "learns as the 'nobody' account, which needs root"))
    func tempFileWriterGetsItsConfigReadOnlyAndItsScratchWritable() throws {
        let tree = try makeTree(directories: ["data", "data/etc"], writable: ["data/tmp"], files: ["data/etc/app.conf": "mode=fast\n"])
        let learned = try learn("learn_tempfiles", tree: tree, name: "tempfiles")
        #expect(learned.masked.contains("""
            # read-only, because the module read etc/app.conf
            [[preopen]]
            host = "TREE/data/etc"
            guest = "/data/etc"
            access = "read"

            # read-write, because the module created tmp/work-0, created tmp/work-1, created tmp/work-2, deleted tmp/work-0, deleted tmp/work-1, deleted tmp/work-2, read tmp/work-0, read tmp/work-1, read tmp/work-2, written tmp/work-0, written tmp/work-1, written tmp/work-2
            [[preopen]]
            host = "TREE/data/tmp"
            guest = "/data/tmp"
            access = "read-write"

            """), "\(learned.masked)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tree.url("data/tmp")).isEmpty)
        try runUnderLearnedPolicy(tree, expectOutput: "done\n")
    }

    @Test(.enabled(if: geteuid() == 0, "learns as the 'nobody' account, which needs root"))
    func unusedGrantsAndUnreadEnvironmentAreLeftOut() throws {
        let tree = try makeTree(directories: ["data", "data/etc", "spare"], writable: ["data/tmp"], files: ["data/etc/app.conf": "x\n"])
        let module = try Guests.c("Tests/WardenLauncherTests/Guests/learn_tempfiles.c")
        let result = try Command.run(Warden.executable, ["learn", "--user", "nobody", "--allow-dir", tree.url("data") + "::/data",
                                                          "--allow-dir", tree.url("spare") + "::/spare", "--allow-env", "HOME", module])
        #expect(result.status == 0, "\(result.stderr)")
        // Without -o: the policy on stdout, the module's own output on stderr.
        #expect(result.stdout.hasPrefix("# Warden policy learned"))
        #expect(result.stderr.contains("done\n"))
        #expect(result.stdout.contains("# Left out: \(tree.url("spare")) (as /spare) was granted for learning but never used."))
        #expect(!result.stdout.contains("env = "))
    }

    /// Started as root without --user, learn runs as the account the learned policy will run
    /// as (the default 'warden'), never as root: what it creates belongs to that account, so
    /// the same run under the learned policy is refused nothing. (As root it was uid 0: the
    /// file it created, 0644 root, refused the policy's run with EACCES.)
    @Test(.enabled(if: geteuid() == 0 && getpwnam("warden") != nil, "needs root and the 'warden' account (make install)"))
    func learnWithoutUserRunsAsThePolicysAccount() throws {
        let tree = try makeTree(directories: ["data", "data/in", "data/unused"], writable: ["data/out"],
                                files: ["data/in/a.txt": "hello\n", "data/in/b.txt": "world\n"])
        let module = try Guests.c("Tests/WardenLauncherTests/Guests/learn_converter.c")
        let result = try Command.run(Warden.executable, ["learn", "--name", "converter", "--allow-dir", tree.url("data") + "::/data",
                                                          "-o", tree.url("learned.toml"), module])
        #expect(result.status == 0, "learn failed: \(result.stderr)")
        #expect(!(try tree.read("learned.toml")).contains("[sandbox]"), "the policy keeps the default user")
        var info = stat()
        #expect(stat(tree.url("data/out/a.txt"), &info) == 0)
        #expect(info.st_uid == getpwnam("warden")!.pointee.pw_uid, "learn ran as 'warden', not as root")
        try runUnderLearnedPolicy(tree, expectOutput: "converted\n")
    }

    @Test func learnWithoutAModuleIsAUsageError() throws {
        let result = try Command.run(Warden.executable, ["learn"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("missing MODULE"))
    }
}
