import Foundation
import Testing
import WardenTestSupport

/// fd_* functions through `Guests/fn_fd.c` (one scenario per test), against the standard
/// sandbox at /sandbox (fd 3). Each test checks the exact stdout and the files left behind.
@Suite("WASI functions: file descriptors", .onEveryEngine)
struct WASIFunctionDescriptorTests {
    func run(_ scenario: String, _ sandbox: Sandbox, stdin: String = "") throws -> Outcome {
        try FnGuest.run("fn_fd", [scenario], flags: sandbox.grant, stdin: stdin)
    }

    @Test("fd_write: gather to stdout/stderr, empty writes, files, 200 KiB, refusals")
    func fdWrite() throws {
        let box = try Sandbox.standard()
        let result = try run("write", box)
        expectRun(result, stdout: """
            hello, world
            stdout errno=0 nwritten=13
            no-iovecs errno=0 nwritten=0
            empty-iovec errno=0 nwritten=0
            stderr errno=0 nwritten=6
            file1 errno=0 nwritten=6
            file2 errno=0 nwritten=7
            big total=204800 size=204800
            read-only-fd refused
            bad-fd errno=8

            """)
        #expect(result.stderr.hasPrefix("world\n"), "stderr: \(result.stderr)")
        #expect(try box.read("out.txt") == "first\nsecond\n")
        let big = try box.bytes("big.txt")
        #expect(big.count == 204800)
        #expect(big.enumerated().allSatisfy { $0.element == UInt8(ascii: "a") + UInt8($0.offset % 26) })
        #expect(try box.read("data.txt") == "0123456789")
    }

    @Test("fd_read: scatter from a stdin pipe, files, EOF, zero-length, refusals")
    func fdRead() throws {
        let box = try Sandbox.standard()
        let result = try run("read", box, stdin: "hello stdin\nmore\n")
        expectRun(result, stdout: """
            stdin errno=0 n=17 first=<hell> second=<o stdin
            more
            >
            stdin rest=0 eof-n=0
            file errno=0 n=6 <012|345>
            file-rest errno=0 n=4 data=<6789>
            file-eof errno=0 n=0 data=<>
            zero-length errno=0 n=0
            write-only-fd refused
            bad-fd errno=8

            """)
        #expect(try box.read("data.txt") == "0123456789")
    }

    @Test("fd_seek, fd_tell: set/cur/end, past the end, negative, pipes, bad whence")
    func fdSeekTell() throws {
        let box = try Sandbox.standard()
        expectRun(try run("seek", box), stdout: """
            tell-initial errno=0 pos=0
            seek-set errno=0 pos=3
            read errno=0 n=2 data=<34>
            tell errno=0 pos=5
            seek-cur errno=0 pos=4
            seek-end errno=0 pos=8
            read errno=0 n=2 data=<89>
            seek-past-end errno=0 pos=100
            read-past-end errno=0 n=0 data=<>
            seek-negative errno=28 pos=777
            tell-after-errors errno=0 pos=100
            seek-pipe errno=70
            seek-bad-fd errno=8
            tell-bad-fd errno=8
            seek-bad-whence errno=28

            """)
    }

    @Test("fd_pread, fd_pwrite: positional I/O leaves the offset alone, extends files, pipes are spipe")
    func fdPreadPwrite() throws {
        let box = try Sandbox.standard()
        expectRun(try run("pread_pwrite", box), stdout: """
            pwrite errno=0 n=2
            offset-after-pwrite=2
            pread errno=0 n=4 data=<4AB7>
            offset-after-pread=2
            pread-past-end errno=0 n=0
            pwrite-past-end errno=0 n=1 size=13
            read-at-offset errno=0 n=3 data=<234>
            pread-pipe errno=70
            pwrite-bad-fd errno=8
            pread-bad-fd errno=8

            """)
        #expect(try box.bytes("data.txt") == Array("01234AB789".utf8) + [0, 0, UInt8(ascii: "Z")])
    }

    @Test("fd_close: closes once, then badf; closing a preopen revokes it")
    func fdClose() throws {
        let box = try Sandbox.standard()
        expectRun(try run("close", box), stdout: """
            close errno=0
            close-again errno=8
            read-closed errno=8 n=0 data=<>
            close-bad-fd errno=8
            close-preopen errno=0
            prestat-after-close errno=8
            open-after-close errno=8

            """)
    }

    @Test("fd_sync, fd_datasync")
    func fdSync() throws {
        let box = try Sandbox.standard()
        expectRun(try run("sync", box), stdout: """
            fd_sync errno=0
            fd_datasync errno=0
            fd_sync-bad-fd errno=8
            fd_datasync-bad-fd errno=8

            """)
        #expect(try box.read("synced.txt") == "durable\n")
    }

    @Test("fd_advise: all six advices accepted, out-of-range advice is inval")
    func fdAdvise() throws {
        let box = try Sandbox.standard()
        expectRun(try run("advise", box), stdout: """
            advice 0 errno=0
            advice 1 errno=0
            advice 2 errno=0
            advice 3 errno=0
            advice 4 errno=0
            advice 5 errno=0
            advice bad-fd errno=8
            read-after-advice errno=0 n=10 data=<0123456789>
            advice invalid errno=28

            """)
    }

    @Test("fd_allocate: grows the file (posix_fallocate), never shrinks it")
    func fdAllocate() throws {
        let box = try Sandbox.standard()
        expectRun(try run("allocate", box), stdout: """
            allocate errno=0 size=4096
            allocate-inside errno=0 size=4096
            allocate-extend errno=0 size=4196
            allocate-read-only-fd refused
            allocate-bad-fd errno=8

            """)
        let bytes = try box.bytes("alloc.bin")
        #expect(bytes.count == 4196 && bytes.allSatisfy { $0 == 0 })
        #expect(try box.read("data.txt") == "0123456789")
    }

    @Test("fd_filestat_get: type, size, links, mtime and inode match the host")
    func fdFilestatGet() throws {
        let box = try Sandbox.standard()
        let host = try #require(HostFile.status(box.url("data.txt")))
        expectRun(try run("filestat", box), stdout: """
            file errno=0 type=4 size=10 nlink=1 mtim_s=1000000000 mtim_ns=0
            same-inode-as-path=yes
            ino=\(host.inode)
            dir errno=0 type=3
            bad-fd errno=8

            """)
    }

    @Test("fd_filestat_set_size: shrink and zero-filled growth; refused without the right")
    func fdFilestatSetSize() throws {
        let box = try Sandbox.standard()
        expectRun(try run("set_size", box), stdout: """
            shrink errno=0 size=3
            grow errno=0 size=6
            read-only-fd refused
            bad-fd errno=8

            """)
        #expect(try box.bytes("data.txt") == Array("012".utf8) + [0, 0, 0])
        #expect(try box.read("other.txt") == "other")
    }

    @Test("fd_filestat_set_times: exact nanoseconds, MTIM_NOW, conflicting flags are inval")
    func fdFilestatSetTimes() throws {
        let box = try Sandbox.standard()
        expectRun(try run("set_times", box), stdout: """
            set errno=0 atim=exact mtim=exact
            mtim-now errno=0 mtim-is-now=yes atim-kept=yes
            atim+atim_now errno=28
            mtim+mtim_now errno=28
            final errno=0
            bad-fd errno=8

            """)
        let host = try #require(HostFile.status(box.url("data.txt")))
        #expect(host.modificationTime.tv_sec == 1_500_000_000 && host.modificationTime.tv_nsec == 456_000)
        #expect(host.accessTime.tv_sec == 1_000_000_000 && host.accessTime.tv_nsec == 123)
    }

    @Test("fd_fdstat_get: filetype, append flag, read/write rights")
    func fdFdstatGet() throws {
        let box = try Sandbox.standard()
        expectRun(try run("fdstat", box), stdout: """
            preopen errno=0 type=3 flags=0 path_open=1 readdir=1
            file-rw-append errno=0 type=4 flags=1 read=1 write=1
            file-ro errno=0 type=4 flags=0 read=1 write=0
            subdir errno=0 type=3 flags=0 path_open=1 readdir=1
            bad-fd errno=8

            """)
    }

    @Test("fd_fdstat_set_flags: APPEND on and off changes where writes land")
    func fdFdstatSetFlags() throws {
        let box = try Sandbox.standard()
        expectRun(try run("set_flags", box), stdout: """
            set-append errno=0
            after-set errno=0 type=4 flags=1 read=1 write=1
            append-write errno=0
            clear errno=0
            after-clear errno=0 type=4 flags=0 read=1 write=1
            overwrite errno=0
            bad-fd errno=8

            """)
        #expect(try box.read("log.txt") == "Start\nend\n")
    }

    @Test("fd_fdstat_set_rights: rights can be dropped (and are then enforced) but never regained")
    func fdFdstatSetRights() throws {
        let box = try Sandbox.standard()
        let result = try run("set_rights", box)
        expectRun(result, stdout: """
            initial write=1
            drop-write errno=0
            after-drop write=0 read=1
            write-after-drop errno=76
            read-still-works errno=0 n=4 data=<0123>
            regain-write errno=76
            after-regain write=0
            bad-fd errno=8

            """)
        #expect(try box.read("data.txt") == "0123456789")
        let operations = deniedEvents(result).compactMap { $0["op"] as? String }
        #expect(operations.contains("fd_write") && operations.contains("fd_fdstat_set_rights"), "\(result.stderr)")
    }

    @Test("fd_renumber: moves a descriptor, both ends must be open, onto itself is a no-op, onto stdout redirects")
    func fdRenumber() throws {
        let box = try Sandbox.standard()
        expectRun(try run("renumber", box), stdout: """
            renumber errno=0
            read-to errno=0 n=9 data=<A-content>
            from-now-closed errno=8
            self errno=0
            read-after-self errno=0 n=9 data=<A-content>
            to-not-open errno=8
            from-not-open errno=8
            still-open errno=0 n=0 data=<>
            onto-stdout errno=
            """)
        #expect(try box.read("redirected.txt") == "0 (written through fd 1)\n")
        #expect(try box.read("a.txt") == "A-content" && box.read("b.txt") == "B-content")
    }

    @Test("fd_prestat_get, fd_prestat_dir_name: --dir grants in order, then --ro-dir; nothing else is a preopen")
    func fdPrestat() throws {
        let box = try Sandbox.standard()
        try box.tree.makeDirectory("plain")
        try box.tree.makeDirectory("ro")
        let plain = box.tree.url("plain")
        // --ro-dir first on the command line: read-only grants still come after every --dir.
        let result = try FnGuest.run("fn_fd", ["prestat"],
                                     flags: ["--ro-dir", "\(box.tree.url("ro"))::/ro"] + box.grant + ["--dir", plain])
        expectRun(result, stdout: """
            fd 3 tag=0 len=8 name=</sandbox> errno=0 untouched-after=yes
            fd 3 short-buffer errno=37
            fd 4 tag=0 len=\(plain.utf8.count) name=<\(plain)> errno=0 untouched-after=yes
            fd 4 short-buffer errno=37
            fd 5 tag=0 len=3 name=</ro> errno=0 untouched-after=yes
            fd 5 short-buffer errno=37
            fd 6 errno=8
            fd 7 errno=8
            stdin errno=8
            opened-file errno=8

            """)
    }

    @Test("no preopen exists unless granted")
    func noPreopenByDefault() throws {
        expectRun(try FnGuest.run("fn_fd", ["prestat"]),
                  stdout: "fd 3 errno=8\nfd 4 errno=8\nfd 5 errno=8\nfd 6 errno=8\nfd 7 errno=8\nstdin errno=8\n")
    }
}
