import Foundation
import Testing
import WardenTestSupport

/// Symlinks leading out of the sandbox: pre-existing ones (relative, absolute, chains, a
/// `..` inside the target), guest-created ones, loops, and magic links.
///
/// Reference behaviour (wasmtime 49): every escape below is refused with `perm`; Warden's
/// contract is `notcapable`. Where the two differ beyond that, the test says so.
@Suite("Hostile tree: symlinks", .onEveryEngine)
struct HostileTreeSymlinkTests {
    /// Pre-existing links to a directory outside (relative, absolute, through `..`, a chain).
    static let directoryLinks = ["reldir", "absdir", "relvault", "absvault", "absetc", "sneaky", "chain"]
    /// Pre-existing links to a file outside.
    static let fileLinks = ["relsecret", "abssecret", "abspasswd"]

    /// What every link leading out must withstand, used as the last component (with and
    /// without a trailing slash, following and not).
    static func finalComponentSteps(_ link: String) -> [HostileStep] {
        [
            // open: following is an escape; not following a final symlink is ELOOP (O_NOFOLLOW),
            // or ENOTDIR when a directory was asked for (Linux's answer; wasmtime says loop).
            escape("cat", "3", link, "FR"),
            escape("open", "3", link, "DFP"),
            fails("loop", "open", "3", link, "R"),
            fails("notdir", "open", "3", link, "DR"),
            // A trailing slash makes the kernel follow even without symlink_follow.
            escape("open", "3", "\(link)/", "R"),
            escape("open", "3", "\(link)/", "DR"),
            escape("open", "3", "\(link)/", "DFR"),
            escape("open", "3", "\(link)/.", "DR"),
            // filestat: the link itself is inside and may be described; its target may not.
            succeeds("stat", "3", link, "n", fields: ["type": "7"]),
            escape("stat", "3", link, "f"),
            // (wasmtime answers the trailing-slash nofollow form with the link's own stat.)
            escape("stat", "3", "\(link)/", "n"),
            escape("stat", "3", "\(link)/", "f"),
            // set_times: following is an escape, with or without the slash.
            escape("settimes", "3", link, "f"),
            escape("settimes", "3", "\(link)/", "n"),
            escape("settimes", "3", "\(link)/", "f"),
            // unlink/rmdir/rename act on the final component and never follow it: "link/"
            // names a symlink, not a directory, so Linux says ENOTDIR (wasmtime says perm).
            fails("notdir", "unlink", "3", "\(link)/"),
            fails("notdir", "rmdir", "3", "\(link)/"),
            fails("notdir", "rmdir", "3", link),
            fails("notdir", "rename", "3", "\(link)/", "3", "moved"),
            fails("notdir", "rename", "3", link, "3", "moved/"),
            fails("exist", "mkdir", "3", link),
            fails("exist", "mkdir", "3", "\(link)/"),
            fails("exist", "open", "3", link, "CERW"),
            // Hard-linking with symlink_follow is inval (as wasmtime), so it cannot reach the target.
            fails("inval", "linkf", "3", link, "3", "hardlink"),
        ]
    }

    /// Links to a directory outside, used as a middle component.
    static func middleComponentSteps(_ link: String) -> [HostileStep] {
        [
            escape("cat", "3", "\(link)/secret", "FR"),
            escape("cat", "3", "\(link)/secret", "R"),
            escape("cat", "3", "\(link)/passwd", "FR"),
            escape("open", "3", "\(link)/sub", "DP"),
            escape("open", "3", "\(link)/new", "CRW"),
            escape("open", "3", "\(link)/secret", "TRW"),
            escape("stat", "3", "\(link)/secret", "n"),
            escape("stat", "3", "\(link)/secret", "f"),
            escape("settimes", "3", "\(link)/secret", "n"),
            escape("mkdir", "3", "\(link)/new"),
            escape("unlink", "3", "\(link)/secret"),
            escape("rmdir", "3", "\(link)/sub"),
            escape("rename", "3", "\(link)/secret", "3", "stolen"),
            escape("rename", "3", "inside.txt", "3", "\(link)/planted", side: .second),
            escape("link", "3", "\(link)/secret", "3", "stolen"),
            escape("link", "3", "inside.txt", "3", "\(link)/planted", side: .second),
            escape("symlink", "x", "3", "\(link)/planted"),
            escape("readlink", "3", "\(link)/secret"),
            escape("cat", "3", "\(link)/../secret.txt", "FR"),
            escape("cat", "3", "\(link)/../sandbox/inside.txt", "FR"),
        ]
    }

    @Test("pre-existing links to directories outside", arguments: directoryLinks)
    func directoryLink(_ link: String) throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check(Self.finalComponentSteps(link) + Self.middleComponentSteps(link), grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
        #expect(tree.listing("outside").isEmpty)
        #expect(tree.kind("sandbox/\(link)") == "link", "the link itself must survive")
        for name in ["moved", "stolen", "hardlink", "planted"] { #expect(tree.kind("sandbox/\(name)") == nil, "\(name)") }
        #expect(try tree.read("sandbox/inside.txt") == HostileTree.insideText)
    }

    @Test("pre-existing links to files outside", arguments: fileLinks)
    func fileLink(_ link: String) throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check(Self.finalComponentSteps(link) + [
            escape("cat", "3", "\(link)/x", "FR"),
            escape("open", "3", link, "FRW"),
            escape("open", "3", link, "FTRW"),
            escape("open", "3", link, "FARW"),
            escape("open", "3", link, "FCRW"),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
    }

    @Test("operations on the link itself stay inside: lstat, set times without follow, rename, unlink")
    func linkItself() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check([
            succeeds("readlink", "3", "relsecret", fields: ["link": "../secret.txt"]),
            succeeds("readlink", "3", "sneaky", fields: ["link": "a/b/../../../vault"]),
            // Times of the symlink itself (inside) may change; the target's may not.
            succeeds("settimes", "3", "relsecret", "n"),
            // A hard link to the symlink inode (not its target) is still a symlink leading out.
            succeeds("link", "3", "relsecret", "3", "twin"),
            succeeds("stat", "3", "twin", "n", fields: ["type": "7"]),
            escape("cat", "3", "twin", "FR"),
            // Moving links around does not make them any less escaping.
            succeeds("rename", "3", "relvault", "3", "renamed"),
            escape("cat", "3", "renamed/secret", "FR"),
            // Moved one level down, "../vault" names sandbox/vault: absent, and not outside.
            succeeds("rename", "3", "renamed", "3", "a/moved"),
            fails("noent", "cat", "3", "a/moved/secret", "FR"),
            succeeds("rename", "3", "absdir", "3", "a/abs"),
            escape("mkdir", "3", "a/abs/new"),
            succeeds("unlink", "3", "abssecret"),
            succeeds("unlink", "3", "reldir"),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
        #expect(tree.kind("sandbox/abssecret") == nil && tree.kind("sandbox/reldir") == nil)
        #expect(tree.linkTarget("sandbox/a/moved") == "../vault")
    }

    @Test("reading an absolute symlink is refused (as strict as wasmtime, which refuses it)")
    func readlinkOfAbsoluteLink() throws {
        // wasmtime (cap-std) answers path_readlink on a link with an absolute target with an
        // escape error: the target names a host path the guest has no business learning.
        let tree = try HostileTree()
        try HostileProbe.check([
            refused("absolute-symlink", "readlink", "3", "absetc", preopen: "/sandbox"),
            refused("absolute-symlink", "readlink", "3", "abssecret", preopen: "/sandbox"),
            succeeds("readlink", "3", "reldir", fields: ["link": "../outside"]),
        ], grants: tree.sandboxGrant)
    }

    @Test("guest-created symlinks: relative ones out may be created but never followed; absolute ones are refused")
    func guestCreatedLinks() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        let outside = tree.path("outside")
        try HostileProbe.check([
            succeeds("symlink", "../../outside", "3", "a/esc"),
            succeeds("readlink", "3", "a/esc", fields: ["link": "../../outside"]),
            succeeds("symlink", "../secret.txt", "3", "s2"),
            succeeds("symlink", "a/../../vault", "3", "s3"),
            succeeds("symlink", "../../../../../../../../../../etc", "3", "s4"),
            escape("cat", "3", "a/esc/x", "FR"),
            escape("open", "3", "a/esc", "DFP"),
            escape("open", "3", "a/esc/", "DP"),
            escape("open", "3", "a/esc/new", "CRW"),
            escape("mkdir", "3", "a/esc/new"),
            escape("rename", "3", "inside.txt", "3", "a/esc/moved", side: .second),
            escape("link", "3", "inside.txt", "3", "a/esc/hard", side: .second),
            escape("symlink", "x", "3", "a/esc/sl"),
            escape("stat", "3", "a/esc", "f"),
            escape("settimes", "3", "a/esc", "f"),
            escape("cat", "3", "s2", "FR"),
            escape("open", "3", "s2", "FCRW"),
            escape("cat", "3", "s3/secret", "FR"),
            escape("unlink", "3", "s3/secret"),
            escape("cat", "3", "s4/passwd", "FR"),
            // Absolute targets are refused at creation, whatever they point at.
            refused("absolute-symlink", "symlink", "/etc", "3", "abs1", preopen: "/sandbox"),
            refused("absolute-symlink", "symlink", outside, "3", "abs2", preopen: "/sandbox"),
            refused("absolute-symlink", "symlink", "//x", "3", "abs3", preopen: "/sandbox"),
            refused("absolute-symlink", "symlink", "/", "3", "abs4", preopen: "/sandbox"),
            refused("absolute-symlink", "symlink", "/sandbox/inside.txt", "3", "abs5", preopen: "/sandbox"),
            refused("absolute-symlink", "symlink", "/proc/self/root", "3", "abs6", preopen: "/sandbox"),
            fails("noent", "symlink", "", "3", "empty"),
            // Relative links that stay inside work.
            succeeds("symlink", "../inside.txt", "3", "a/back"),
            succeeds("cat", "3", "a/back", "FR", fields: ["data": "inside"]),
            succeeds("unlink", "3", "a/esc"),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
        #expect(tree.listing("outside").isEmpty)
        for name in ["abs1", "abs2", "abs3", "abs4", "abs5", "abs6", "empty", "moved", "a/esc"] {
            #expect(tree.kind("sandbox/\(name)") == nil, "\(name) must not exist")
        }
        #expect(tree.linkTarget("sandbox/s2") == "../secret.txt")
    }

    @Test("dangling links out never create their target")
    func danglingLinks() throws {
        let tree = try HostileTree()
        try tree.tree.symlink("sandbox/dangling", to: "../outside/created")
        try tree.tree.symlink("sandbox/absdangling", to: tree.path("outside/created"))
        let before = tree.snapshot()
        try HostileProbe.check([
            // O_CREAT through the link would create outside/created.
            escape("open", "3", "dangling", "FCRW"),
            escape("open", "3", "absdangling", "FCRW"),
            escape("open", "3", "absdangling", "FCW"),
            fails("loop", "open", "3", "dangling", "CRW"),
            // O_EXCL never follows a final symlink: the link itself exists.
            fails("exist", "open", "3", "dangling", "FCERW"),
            escape("settimes", "3", "dangling", "f"),
            escape("stat", "3", "dangling", "f"),
            escape("mkdir", "3", "dangling/sub"),
            // Calls that act on the final component meet the link itself.
            fails("exist", "mkdir", "3", "dangling"),
            fails("exist", "mkdir", "3", "dangling/"),
            fails("exist", "symlink", "x", "3", "dangling"),
            fails("exist", "link", "3", "inside.txt", "3", "dangling"),
            // A guest-made dangling link is no different.
            succeeds("symlink", "../outside/made", "3", "mine"),
            escape("open", "3", "mine", "FCRW"),
            fails("exist", "open", "3", "mine", "FCEW"),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
        #expect(tree.listing("outside").isEmpty)
    }

    @Test("symlink loops fail fast with loop")
    func loops() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        let deep = String(repeating: "cur/", count: 100) + "inside.txt"
        let fine = String(repeating: "cur/", count: 30) + "inside.txt"
        let steps: [HostileStep] = [
            fails("loop", "cat", "3", "loopa", "FR"),
            fails("loop", "cat", "3", "loopa/x", "FR"),
            fails("loop", "open", "3", "loopa/", "DR"),
            fails("loop", "stat", "3", "loopa", "f"),
            fails("loop", "stat", "3", "loopb/", "n"),
            fails("loop", "settimes", "3", "loopa", "f"),
            fails("loop", "mkdir", "3", "loopa/x"),
            fails("loop", "unlink", "3", "loopb/x"),
            fails("loop", "open", "3", "loopa/new", "CRW"),
            fails("loop", "rename", "3", "inside.txt", "3", "loopa/x"),
            fails("loop", "cat", "3", "self", "FR"),
            fails("loop", "cat", "3", "self/x", "FR"),
            // 50 hops: more than the kernel's 40.
            fails("loop", "cat", "3", "hop0", "FR"),
            // 100 `cur -> .` middle components: more than 40 link traversals.
            fails("loop", "cat", "3", deep, "FR"),
            fails("loop", "stat", "3", deep, "n"),
            fails("loop", "mkdir", "3", String(repeating: "cur/", count: 100) + "new"),
            HostileStep(arguments: ["repeat", "200", "cat", "3", deep, "FR"], errno: "loop"),
            HostileStep(arguments: ["repeat", "200", "cat", "3", "loopa", "FR"], errno: "loop"),
            // Controls: a few hops are fine.
            succeeds("cat", "3", fine, "FR", fields: ["data": "inside"]),
            succeeds("cat", "3", "hop40", "FR", fields: ["data": "inside"]),
        ]
        let run = try HostileProbe.run(steps, grants: tree.sandboxGrant)
        HostileProbe.verify(steps, run)
        #expect(run.elapsed < Sanitizers.scaled(.seconds(2)), "the whole run took \(run.elapsed)")
        expectUnchanged(before, tree.snapshot())
    }

    @Test("magic links in the sandbox (absolute /proc targets) are refused")
    func magicLinksInSandbox() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        try HostileProbe.check([
            escape("open", "3", "fd1", "FW"),
            escape("open", "3", "fd1", "FR"),
            escape("cat", "3", "procroot/etc/passwd", "FR"),
            escape("open", "3", "procroot", "DFP"),
            escape("open", "3", "proccwd", "DFP"),
            escape("stat", "3", "procroot/", "n"),
            escape("mkdir", "3", "proccwd/x"),
            fails("loop", "open", "3", "fd1", "W"),
        ], grants: tree.sandboxGrant)
        expectUnchanged(before, tree.snapshot())
    }

    @Test("magic links inside a granted /proc are escape attempts: notcapable and audited (RESOLVE_NO_MAGICLINKS)")
    func magicLinksInProc() throws {
        let tree = try HostileTree()
        let before = tree.snapshot()
        // fd 3 = /proc/self (Warden's own), fd 4 = /proc, both read-only grants. In-process
        // (--no-sandbox) so this exercises the WASI layer alone: in the hardened worker the
        // kernel refuses these even earlier (EACCES: another user namespace's /proc/PID).
        let grants = ["--no-sandbox", "--ro-dir", "/proc/self::/self", "--ro-dir", "/proc::/procfs"]
        try HostileProbe.check([
            succeeds("prestat", "3", fields: ["name": "/self"]),
            escape("cat", "3", "root/etc/passwd", "FR", preopen: "/self"),
            escape("open", "3", "root", "DFR", preopen: "/self"),
            escape("open", "3", "root/", "DR", preopen: "/self"),
            escape("open", "3", "cwd", "DFR", preopen: "/self"),
            escape("cat", "3", "exe", "FR", preopen: "/self"),
            escape("cat", "3", "fd/0", "FR", preopen: "/self"),
            escape("open", "3", "fd/1", "FR", preopen: "/self"),
            escape("cat", "3", "fd/3/status", "FR", preopen: "/self"),
            escape("stat", "3", "root", "f", preopen: "/self"),
            escape("stat", "3", "root/", "n", preopen: "/self"),
            escape("stat", "3", "cwd/.", "n", preopen: "/self"),
            // `self` is an ordinary symlink to "<pid>"; `<pid>/root` beyond it is magic.
            escape("cat", "4", "self/root/etc/passwd", "FR", preopen: "/procfs"),
            escape("cat", "4", "thread-self/root/etc/passwd", "FR", preopen: "/procfs"),
            escape("open", "4", "self/cwd", "DFR", preopen: "/procfs"),
            // Controls: ordinary /proc files are readable.
            succeeds("stat", "3", "status", "f", fields: ["type": "4"]),
            succeeds("stat", "3", "root", "n", fields: ["type": "7"]),
        ], grants: grants)
        expectUnchanged(before, tree.snapshot())
    }
}
