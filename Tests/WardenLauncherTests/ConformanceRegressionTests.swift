import Foundation
import Testing
import WardenTestSupport

/// What the conformance work changed, checked without the wasi-testsuite (`make conformance`
/// runs that): a read-only grant refuses write intent at open (ENOTCAPABLE, a `read-only`
/// audit event, the host untouched), rights beyond a directory's narrow instead of refusing,
/// and the three calls the suite caught answering the wrong errno. Guest: `Guests/conf_regressions.c`.
@Suite("Conformance regressions")
struct ConformanceRegressionTests {
    @Test("read-only grants refuse write intent at open; rights narrow, never widen; suite errnos")
    func regressions() throws {
        let tree = try TemporaryTree("warden-conf")
        for grant in ["ro", "rw"] {
            try tree.write("\(grant)/file.txt", "file contents")
            try tree.write("\(grant)/other.txt", "other")
            try tree.write("\(grant)/sub/inner.txt", "inner")
        }
        let before = HostFile.snapshot(tree.url("ro"))
        let result = try FnGuest.run("conf_regressions", flags: ["--ro-dir", "\(tree.url("ro"))::/ro", "--dir", "\(tree.url("rw"))::/rw"])
        // errnos: 76 notcapable, 31 isdir, 44 noent, 20 exist, 57 notsock.
        expectRun(result, stdout: """
            ro inheriting fd_write=1, base path_create_file=0
            ro open O_WRONLY errno=76
            ro open O_RDWR errno=76
            ro open O_WRONLY|O_APPEND errno=76
            ro open O_RDONLY|O_TRUNC errno=76
            ro open O_RDONLY errno=0
            ro open sub O_DIRECTORY errno=0
            ro openat(sub) O_RDWR errno=76
            ro openat(sub) O_RDONLY errno=0 read=5
            rw all-ones O_DIRECTORY errno=0 narrowed=1
            rw narrow directory errno=0
            rw beneath narrow, asking for fd_write: errno=0 fd_write=0
            rw fd_write through it errno=76
            path_open . O_DIRECTORY read+write errno=31
            path_link file.txt link/ errno=44
            path_link file.txt other.txt/ errno=20
            sock_shutdown stdout errno=57

            """)
        // One read-only event per refused open, each naming the grant and the path asked for.
        let readOnly = deniedEvents(result)
            .filter { ($0["reason"] as? String) == "read-only" }
        #expect(readOnly.count == 5, "\(readOnly)")
        for event in readOnly {
            #expect(event["op"] as? String == "path_open")
            #expect(event["errno"] as? String == "notcapable")
            #expect(event["preopen"] as? String == "/ro")
        }
        #expect(readOnly.map { $0["path"] as? String } == ["file.txt", "file.txt", "file.txt", "file.txt", "inner.txt"])
        // The narrowed write is refused for its missing right, not as read-only.
        let rights = deniedEvents(result).filter { ($0["reason"] as? String) == "rights" }
        #expect(rights.map { $0["op"] as? String } == ["fd_write"], "\(rights)")
        // Nothing changed on the host: not the read-only tree, not the link names.
        #expect(HostFile.snapshot(tree.url("ro")) == before)
        #expect(!tree.exists("rw/link"))
        #expect(try tree.read("rw/other.txt") == "other")
        #expect(try tree.read("rw/sub/inner.txt") == "inner")
    }
}
