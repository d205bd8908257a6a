import Foundation
import Testing
import WardenTestSupport

/// path_* functions through `Guests/fn_path.c` (one scenario per test), against the standard
/// sandbox at /sandbox (fd 3). Each test checks the exact stdout and the tree left behind.
@Suite("WASI functions: paths", .onEveryEngine)
struct WASIFunctionPathTests {
    func run(_ scenario: String, _ sandbox: Sandbox) throws -> Outcome {
        try FnGuest.run("fn_path", [scenario], flags: sandbox.grant)
    }

    /// The one denial event `result` must carry for `operation` on `path`.
    func expectDenial(_ result: Outcome, operation: String, path: String, reason: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let matching = deniedEvents(result).filter { ($0["op"] as? String) == operation && ($0["path"] as? String) == path }
        #expect(matching.count == 1, "no single \(operation) denial for \(path) in:\n\(result.stderr)", sourceLocation: sourceLocation)
        guard let event = matching.first else { return }
        #expect(event["reason"] as? String == reason, "\(event)", sourceLocation: sourceLocation)
        #expect(event["errno"] as? String == "notcapable", "\(event)", sourceLocation: sourceLocation)
        #expect(event["layer"] as? String == "wasi", "\(event)", sourceLocation: sourceLocation)
        #expect(event["preopen"] as? String == "/sandbox", "\(event)", sourceLocation: sourceLocation)
        #expect((event["fd"] as? NSNumber)?.intValue == 3, "\(event)", sourceLocation: sourceLocation)
    }

    @Test("path_create_directory: new, existing, nested, missing parent, under a file, escape")
    func pathCreateDirectory() throws {
        let box = try Sandbox.standard()
        let result = try run("create_directory", box)
        expectRun(result, stdout: """
            new errno=0
            new-stat errno=0 type=3
            again errno=20
            nested errno=0
            missing-parent errno=44
            under-file errno=54
            over-file errno=20
            escape errno=76
            bad-fd errno=8

            """)
        #expect(HostFile.status(box.url("newdir/nested"))?.isDirectory == true)
        #expect(!box.exists("missing") && !box.tree.exists("escaped"))
        #expect(HostFile.status(box.url("data.txt"))?.isRegular == true)
        expectDenial(result, operation: "path_create_directory", path: "../escaped", reason: "escape-attempt")
    }

    @Test("path_filestat_get: files, directories, symlinks with and without SYMLINK_FOLLOW, errors")
    func pathFilestatGet() throws {
        let box = try Sandbox.standard()
        expectRun(try run("filestat_get", box), stdout: """
            file errno=0 type=4 size=10 nlink=1
            dir errno=0 type=3
            link-nofollow errno=0 type=7 size=8 nlink=1
            link-follow errno=0 type=4 size=10 nlink=1
            via-dir-link errno=0 type=4 size=5 nlink=1
            dangling-nofollow errno=0 type=7 size=14 nlink=1
            dangling-follow errno=44
            missing errno=44
            under-file errno=54
            mtim=1000000000.000000000
            bad-fd errno=8

            """)
    }

    @Test("path_filestat_set_times: exact times, ATIM_NOW, through a followed symlink, errors")
    func pathFilestatSetTimes() throws {
        let box = try Sandbox.standard()
        let linkBefore = try #require(HostFile.status(box.url("link-to-other")))
        expectRun(try run("filestat_set_times", box), stdout: """
            set errno=0 atim=exact mtim=exact
            atim-now errno=0 atim-is-now=yes mtim-kept=yes
            follow errno=0 target-mtim=set
            missing errno=44
            bad-fd errno=8
            atim+atim_now errno=28

            """)
        let data = try #require(HostFile.status(box.url("data.txt")))
        #expect(data.modificationTime.tv_sec == 1_500_000_000 && data.modificationTime.tv_nsec == 456_000)
        let other = try #require(HostFile.status(box.url("other.txt")))
        #expect(other.modificationTime.tv_sec == 1_500_000_000 && other.modificationTime.tv_nsec == 456_000)
        // Following the link changed the target, not the link itself.
        let linkAfter = try #require(HostFile.status(box.url("link-to-other")))
        #expect(linkAfter.modificationTime.tv_sec == linkBefore.modificationTime.tv_sec &&
                linkAfter.modificationTime.tv_nsec == linkBefore.modificationTime.tv_nsec)
    }

    @Test("path_link: hard links share the inode; SYMLINK_FOLLOW is inval; existing target, directory, escape")
    func pathLink() throws {
        let box = try Sandbox.standard()
        let result = try run("link", box)
        expectRun(result, stdout: """
            link errno=0
            source errno=0 type=4 size=10 nlink=2
            target errno=0 type=4 size=10 nlink=2
            same-inode=yes
            into-subdir errno=0
            target-exists errno=20
            missing-source errno=44
            follow-flag errno=28
            directory errno=63
            escape errno=76
            bad-fd errno=8

            """)
        let data = try #require(HostFile.status(box.url("data.txt")))
        #expect(data.links == 3)
        #expect(HostFile.status(box.url("hard.txt"))?.inode == data.inode)
        #expect(HostFile.status(box.url("sub/hard2.txt"))?.inode == data.inode)
        #expect(try box.read("other.txt") == "other")
        #expect(!box.exists("x.txt") && !box.exists("y.txt") && !box.exists("sub-link") && !box.tree.exists("escaped.txt"))
        expectDenial(result, operation: "path_link", path: "../escaped.txt", reason: "escape-attempt")
    }

    @Test("path_open: create, excl, trunc, directory, append, nofollow, bad flags and escapes")
    func pathOpen() throws {
        let box = try Sandbox.standard()
        try box.tree.symlink("box/abs-link", to: "/etc/passwd")
        let result = try run("open", box)
        expectRun(result, stdout: """
            create errno=0 type=4 size=0
            create-existing errno=0
            create-existing read errno=0 data=<hello>
            missing-no-create errno=44
            excl-existing errno=20
            excl-new errno=0
            excl-dangling-link errno=20
            trunc errno=0 size=0
            directory errno=0 type=3
            open-in-opened-dir errno=0
            inner read errno=0 data=<inner>
            directory-on-file errno=54
            directory-trailing-slash-file errno=54
            dir-for-writing errno=31
            append errno=0
            append position=15
            nofollow-link errno=32
            follow-link errno=0
            follow-link read errno=0 data=<0123456789>
            nofollow-intermediate-link errno=0
            nofollow-create-through-link errno=32
            bad-fd errno=8
            on-file-fd errno=54
            dotdot errno=76
            absolute errno=76
            absolute-symlink errno=76
            bad-oflags errno=28

            """)
        #expect(try box.read("created.txt") == "hello")
        #expect(HostFile.status(box.url("excl.txt"))?.size == 0)
        #expect(HostFile.status(box.url("trunc.txt"))?.size == 0)
        #expect(try box.read("log.txt") == "start\nappended\n")
        #expect(try box.read("data.txt") == "0123456789")
        #expect(!box.exists("nowhere-target") && !box.exists("missing.txt"))
        expectDenial(result, operation: "path_open", path: "..", reason: "escape-attempt")
        expectDenial(result, operation: "path_open", path: "/etc/passwd", reason: "escape-attempt")
        let viaLink = deniedEvents(result).filter { ($0["path"] as? String) == "abs-link" }
        #expect(viaLink.count == 1 && ["absolute-symlink", "escape-attempt"].contains(viaLink.first?["reason"] as? String ?? ""),
                "\(result.stderr)")
    }

    @Test("path_readlink: exact bytes and length, truncation to a small buffer, errors")
    func pathReadlink() throws {
        let box = try Sandbox.standard()
        expectRun(try run("readlink", box), stdout: """
            readlink errno=0 used=8 target=<data.txt> next-byte-untouched=yes
            nested errno=0 target=<../data.txt>
            small-buffer errno=0 used=4 data=<data> past-buffer-untouched=yes
            regular-file errno=28
            missing errno=44
            bad-fd errno=8

            """)
    }

    @Test("path_remove_directory: empty only; files and symlinks are notdir")
    func pathRemoveDirectory() throws {
        let box = try Sandbox.standard()
        expectRun(try run("remove_directory", box), stdout: """
            empty errno=0
            empty-after errno=44
            not-empty errno=55
            file errno=54
            symlink-to-dir errno=54
            missing errno=44
            nested errno=0
            bad-fd errno=8

            """)
        #expect(!box.exists("emptydir") && !box.exists("sub/deeper"))
        #expect(HostFile.status(box.url("sub"))?.isDirectory == true)
        #expect(HostFile.status(box.url("link-to-sub"))?.isSymlink == true)
        #expect(HostFile.status(box.url("data.txt"))?.isRegular == true)
    }

    @Test("path_rename: files, replacing, directories, into subdirectories, errors, escape")
    func pathRename() throws {
        let box = try Sandbox.standard()
        let result = try run("rename", box)
        expectRun(result, stdout: """
            file errno=0
            old errno=44
            new errno=0 type=4 size=10 nlink=1
            replace errno=0
            directory errno=0
            into-subdir errno=0
            missing-source errno=44
            missing-target-dir errno=44
            file-over-dir errno=31
            dir-over-file errno=54
            escape errno=76
            bad-fd errno=8

            """)
        #expect(try box.read("renamed.txt") == "0123456789" && !box.exists("data.txt"))
        #expect(try box.read("b.txt") == "A-content" && !box.exists("a.txt"))
        #expect(HostFile.status(box.url("moved-dir"))?.isDirectory == true && !box.exists("emptydir"))
        #expect(try box.read("sub/other.txt") == "other" && !box.exists("other.txt"))
        #expect(try box.read("log.txt") == "start\n")
        #expect(!box.tree.exists("escaped.txt"))
        expectDenial(result, operation: "path_rename", path: "../escaped.txt", reason: "escape-attempt")
    }

    @Test("path_symlink: relative targets (even dangling) are created; absolute targets are refused")
    func pathSymlink() throws {
        let box = try Sandbox.standard()
        let result = try run("symlink", box)
        expectRun(result, stdout: """
            symlink errno=0
            sl-nofollow errno=0 type=7 size=8 nlink=1
            sl-follow errno=0 type=4 size=10 nlink=1
            through-link read errno=0 data=<0123456789>
            dangling errno=0
            in-subdir errno=0
            through-up-link read errno=0 data=<0123456789>
            exists errno=20
            absolute errno=76
            bad-fd errno=8

            """)
        #expect(HostFile.readlink(box.url("sl")) == "data.txt")
        #expect(HostFile.readlink(box.url("dl")) == "nowhere")
        #expect(HostFile.readlink(box.url("sub/up")) == "../data.txt")
        #expect(!box.exists("abs") && !box.exists("x"))
        #expect(HostFile.status(box.url("other.txt"))?.isRegular == true)
        let refusals = deniedEvents(result).filter {
            ($0["op"] as? String) == "path_symlink" && ($0["fd"] as? NSNumber)?.intValue == 3
        }
        #expect(refusals.count == 1 && refusals.first?["reason"] as? String == "absolute-symlink", "\(result.stderr)")
    }

    @Test("path_unlink_file: files and symlinks (not their targets); directories are isdir")
    func pathUnlinkFile() throws {
        let box = try Sandbox.standard()
        expectRun(try run("unlink", box), stdout: """
            file errno=0
            after errno=44
            again errno=44
            symlink errno=0
            link-target errno=0 type=4 size=5 nlink=1
            directory errno=31
            nested errno=0
            under-file errno=54
            bad-fd errno=8

            """)
        #expect(!box.exists("data.txt") && !box.exists("link-to-other") && !box.exists("sub/inner.txt"))
        #expect(try box.read("other.txt") == "other")
        #expect(HostFile.status(box.url("sub"))?.isDirectory == true)
    }

    @Test("--ro-dir: every mutation is notcapable with one read-only audit event; reads work")
    func readOnlyPreopen() throws {
        let box = try Sandbox.standard()
        try box.tree.write("box/mine.txt", "mine")
        try box.tree.write("ro/data.txt", "0123456789")
        try box.tree.makeDirectory("ro/emptydir")
        let roBefore = HostFile.snapshot(box.tree.url("ro"))
        let audit = box.tree.url("audit.jsonl")
        let result = try FnGuest.run("fn_path", ["readonly"],
                                     flags: ["--dir", "\(box.sandbox)::/rw", "--ro-dir", "\(box.tree.url("ro"))::/ro",
                                             "--audit", audit])
        expectRun(result, stdout: """
            read errno=0
            ro read errno=0 data=<0123456789>
            stat errno=0
            fd_write errno=76
            fd_filestat_set_size errno=76
            fd_filestat_set_times errno=76
            create errno=76
            trunc errno=76
            open-for-write errno=76
            path_filestat_set_times errno=76
            unlink errno=76
            rmdir errno=76
            mkdir errno=76
            rename-within errno=76
            rename-out errno=76
            rename-in errno=76
            link-out errno=76
            link-in errno=76
            symlink errno=76
            rw-mkdir errno=0

            """)
        #expect(HostFile.snapshot(box.tree.url("ro")) == roBefore)
        #expect(try box.read("mine.txt") == "mine")
        #expect(!box.exists("stolen.txt") && !box.exists("linked.txt") && HostFile.status(box.url("made"))?.isDirectory == true)
        let events = Warden.auditEvents(in: (try? String(contentsOfFile: audit, encoding: .utf8)) ?? "")
            .filter { ($0["action"] as? String) == "denied" }
        #expect(events.count == 16, "\(events)")
        #expect(events.allSatisfy { $0["reason"] as? String == "read-only" && $0["errno"] as? String == "notcapable" }, "\(events)")
        let operations = Set(events.compactMap { $0["op"] as? String })
        #expect(operations == ["fd_write", "fd_filestat_set_size", "fd_filestat_set_times", "path_open",
                               "path_filestat_set_times", "path_unlink_file", "path_remove_directory",
                               "path_create_directory", "path_rename", "path_link", "path_symlink"])
    }
}
