import Foundation
import Testing
import WardenSystem
import WardenTestSupport

/// An identity that works: `policy check` says when a policy cannot run on this host (module
/// file, account) and how to fix it; `--user` narrows a policy run but never to root.
@Suite struct IdentityTests {
    static let empty = "(module (memory (export \"memory\") 1) (func (export \"_start\")))"

    @Test("policy check: a missing module file and a missing account are errors with the fix")
    func policyCheckSeesTheHost() throws {
        let tree = try TemporaryTree()
        try tree.write("p.toml", """
            version = 1
            [module]
            name = "job"
            path = "\(tree.url("missing.wasm"))"
            [limits]
            memory = "16MiB"
            cpu-time = "10s"
            wall-time = "60s"
            open-files = 16
            [sandbox]
            user = "warden-no-such-user"
            """)
        let result = try Command.run(Warden.executable, ["policy", "check", "--strict", tree.url("p.toml")])
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stdout.contains("\(tree.url("p.toml")):4:8: error: module file '\(tree.url("missing.wasm"))' cannot be read: No such file or directory (ENOENT); put the module there or correct 'path' in [module]"),
                "\(result.stdout)")
        #expect(result.stdout.contains("\(tree.url("p.toml")):11:8: error: account 'warden-no-such-user' ([sandbox] user) does not exist; create it"), "\(result.stdout)")
        let offline = try Command.run(Warden.executable, ["policy", "check", "--strict", "--offline", tree.url("p.toml")])
        #expect(offline.status == 0, "--offline checks the policy's own rules only: \(offline.stdout)")
    }

    /// A man-page policy on a fresh install passed `policy check --strict`, then its run got
    /// EACCES in its root-owned 0755 output directory (warden run only warned as it started).
    @Test("policy check: a grant the account cannot write is a warning that says so")
    func policyCheckSeesUnusableGrants() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat(Self.empty, name: "empty")
        try tree.makeDirectory("out")
        try tree.makeDirectory("in")
        chmod(tree.url("out"), 0o755)
        chmod(tree.url("in"), 0o755)
        let nobody = try #require(getpwnam("nobody")).pointee
        try tree.write("p.toml", """
            version = 1
            [module]
            name = "job"
            path = "\(module)"
            [[preopen]]
            host = "\(tree.url("in"))"
            guest = "/in"
            [[preopen]]
            host = "\(tree.url("out"))"
            guest = "/out"
            access = "read-write"
            [limits]
            memory = "16MiB"
            cpu-time = "10s"
            wall-time = "60s"
            open-files = 16
            [sandbox]
            user = "nobody"
            """)
        let result = try Command.run(Warden.executable, ["policy", "check", "--strict", tree.url("p.toml")])
        #expect(result.status == 1, "a warning, under --strict: \(result.stdout)")
        #expect(result.stdout.contains("\(tree.url("p.toml")):9:8: warning: grant '\(tree.url("out"))' (owner \(getuid()), group \(getgid()), mode 755) is not writable for account 'nobody' ([sandbox] user, \(nobody.pw_uid):\(nobody.pw_gid)); the module will get EACCES there"),
                "\(result.stdout)")
        #expect(!result.stdout.contains("grant '\(tree.url("in"))'"), "a readable read-only grant is fine: \(result.stdout)")
        chmod(tree.url("out"), 0o777)
        let fixed = try Command.run(Warden.executable, ["policy", "check", "--strict", tree.url("p.toml")])
        #expect(fixed.status == 0, "\(fixed.stdout)")
        chmod(tree.url("out"), 0o755)
        let offline = try Command.run(Warden.executable, ["policy", "check", "--strict", "--offline", tree.url("p.toml")])
        #expect(offline.status == 0, "--offline checks the policy's own rules only: \(offline.stdout)")
    }

    /// Accounts are read from /etc/passwd, not NSS: getpwnam of an absent name crashed the
    /// statically linked release warden (SIGSEGV in the next NSS module): `policy check` of a
    /// policy naming a missing account, or `--user nosuch`, exited 139.
    @Test("accounts come from the passwd file: name, uid, primary gid; absent names are nil")
    func accountsFromThePasswdFile() throws {
        let tree = try TemporaryTree()
        try tree.write("passwd", """
            root:x:0:0:root:/root:/bin/bash
            # a comment line
            warden:x:994:993:Warden WebAssembly module sandbox:/nonexistent:/usr/sbin/nologin
            broken:x:notanumber:1::/:/bin/sh
            wardenx:x:1000:1000::/:/bin/sh

            """)
        #expect(Accounts.user(named: "warden", passwd: tree.url("passwd")).map { [$0.uid, $0.gid] } == [994, 993])
        #expect(Accounts.user(named: "root", passwd: tree.url("passwd")).map { [$0.uid, $0.gid] } == [0, 0])
        #expect(Accounts.user(named: "ward", passwd: tree.url("passwd")) == nil, "whole names only")
        #expect(Accounts.user(named: "broken", passwd: tree.url("passwd")) == nil)
        #expect(Accounts.user(named: "nosuch", passwd: tree.url("passwd")) == nil)
        #expect(Accounts.user(named: "warden", passwd: tree.url("missing")) == nil)
        #expect(Accounts.user(named: "nobody").map { $0.uid } == getpwnam("nobody")?.pointee.pw_uid, "the default file is /etc/passwd")
    }

    @Test("--user narrows a policy run; --user root does not widen one")
    func userNarrowsAPolicy() throws {
        let tree = try TemporaryTree()
        let module = try Guests.wat(Self.empty, name: "empty")
        try tree.write("p.toml", """
            version = 1
            [module]
            name = "job"
            path = "\(module)"
            [sandbox]
            user = "nobody"
            """)
        let narrowed = try Command.run(Warden.executable, ["run", "--policy", tree.url("p.toml"), "--user", "daemon"])
        #expect(narrowed.status == 0, "\(narrowed.stderr)")
        let widened = try Command.run(Warden.executable, ["run", "--policy", tree.url("p.toml"), "--user", "root"])
        #expect(widened.status == 64)
        #expect(widened.stderr.contains("--user root cannot be combined with --policy whose [sandbox] user is 'nobody'"), "\(widened.stderr)")
        let invalid = try Command.run(Warden.executable, ["run", "--user", "Bad Name", module])
        #expect(invalid.status == 64)
        #expect(invalid.stderr.contains("--user 'Bad Name': invalid user name 'Bad Name' in [sandbox]"), "\(invalid.stderr)")
    }

    /// The issue's walkthrough: `--user nobody` writing into a root-owned 0755 grant. The
    /// kernel's ordinary checks refuse it; that is a `permission` refusal, not Landlock.
    @Test(.enabled(if: geteuid() == 0, "only root changes identity"))
    func permissionIsNotLandlock() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("out")
        chmod(tree.url("out"), 0o755)
        let write = """
            (module
              (import "wasi_snapshot_preview1" "path_open"
                (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "new.txt")
              (func (export "_start")
                ;; path_open(fd 3, 0, "new.txt", O_CREAT, rights fd_write, 0, 0, &fd)
                (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 7)
                                  (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 64)))))
            """
        let module = try Guests.wat(write, name: "create-file")
        for user in ["nobody", "daemon"] {
            let log = tree.url("audit-\(user).jsonl")
            let result = try Command.run(Warden.executable, ["run", "--user", user, "--audit", log, "--dir", "\(tree.url("out"))::/out", module])
            #expect(result.status == 2, "\(user): WASI errno acces (2): \(result.stderr)")
            let events = Warden.auditEvents(in: try tree.read("audit-\(user).jsonl")).filter { $0["layer"] as? String != "lifecycle" }
            #expect(events.count == 1, "\(user): \(events)")
            #expect(events.first?["layer"] as? String == "wasi", "\(user): \(events)")
            #expect(events.first?["reason"] as? String == "permission", "\(user): \(events)")
            #expect(events.first?["errno"] as? String == "acces")
            #expect(!events.contains { $0["layer"] as? String == "landlock" })
        }
    }

    /// `make install` runs systemd/create-account.sh: it creates the account (systemd-sysusers
    /// with the sysusers.d entry, else useradd) and the groups the entry declares (useradd
    /// alone made no `warden-admin`, which wardend.service and the tmpfiles entry name), says
    /// so, and leaves existing ones alone.
    @Test(.enabled(if: geteuid() == 0, "creates and removes a system account"), arguments: [true, false])
    func installCreatesTheAccount(withSysusers: Bool) throws {
        let tree = try TemporaryTree()
        let name = "wt-\(withSysusers ? "s" : "u")-\(getpid())"
        let group = "\(name)-a"
        try tree.write("test.conf", "u \(name) - \"Warden test account\" /nonexistent /usr/sbin/nologin\ng \(group) -\n")
        defer {
            _ = try? Command.run("/usr/sbin/userdel", [name]); _ = try? Command.run("/usr/sbin/groupdel", [name])
            _ = try? Command.run("/usr/sbin/groupdel", [group])
        }
        let script = Guests.packageRoot.appendingPathComponent("systemd/create-account.sh").path
        var environment = ProcessInfo.processInfo.environment
        if !withSysusers { environment["WARDEN_SYSUSERS"] = "" }
        let created = try Command.run(script, [name, tree.url("test.conf")], environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("created account '\(name)' ("), "\(created.stdout)")
        let sysusers = withSysusers && FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-sysusers")
        #expect(created.stdout.contains(sysusers ? "with systemd-sysusers" : "with useradd"), "\(created.stdout)")
        if !sysusers { #expect(created.stdout.contains("created group '\(group)' ("), "\(created.stdout)") }
        // Copied at once: getpwnam's buffer is shared with the tests running beside this one.
        let entry = try #require(getpwnam(name), "the account exists").pointee
        let (uid, gid, shell) = (entry.pw_uid, entry.pw_gid, String(cString: entry.pw_shell))
        #expect(shell == "/usr/sbin/nologin")
        #expect(getgrnam(group) != nil, "the group the entry declares exists")
        let again = try Command.run(script, [name, tree.url("test.conf")], environment: environment)
        #expect(again.status == 0)
        #expect(again.stdout == "account '\(name)' exists (\(uid):\(gid))\n", "\(again.stdout)")
    }
}
