import Foundation
import Testing
import WardenTestSupport

/// poll_oneoff through `Guests/fn_poll.c`.
@Suite("WASI functions: poll_oneoff", .onEveryEngine)
struct WASIFunctionPollTests {
    @Test("poll_oneoff: a relative clock really sleeps; absolute, zero and the earlier of two clocks")
    func clockSubscriptions() throws {
        let start = Date()
        let result = try FnGuest.run("fn_poll", ["clock", "400"])
        let elapsed = Date().timeIntervalSince(start)
        expectRun(result, stdout: """
            poll errno=0 nevents=1
            event userdata=4660 type=0 error=0
            slept-long-enough=yes not-too-long=yes
            abstime errno=0 nevents=1 userdata=7 waited=yes
            zero errno=0 nevents=1 userdata=8 quick=yes
            two-clocks errno=0 nevents=1 first-userdata=2 quick=yes

            """)
        // 400 ms + 100 ms + 50 ms of sleeping, seen from outside too.
        #expect(elapsed >= 0.55, "warden run took only \(elapsed) s")
    }

    @Test("poll_oneoff: fd_read on a stdin pipe that already has data fires before the guard clock")
    func stdinReady() throws {
        expectRun(try FnGuest.run("fn_poll", ["stdin"], stdin: "ping\n"), stdout: """
            poll errno=0 nevents=1
            event userdata=42 type=1 error=0
            before-guard=yes
            read errno=0 data=<ping
            >

            """)
    }

    @Test("poll_oneoff: fd_read on stdin waits until data arrives")
    func stdinWaits() throws {
        let warden = try RunningWarden([try FnGuest.c("fn_poll"), "stdin", "300"])
        let first: String
        do {
            first = try warden.readStdout(until: "polling\n")
        } catch {
            let outcome = warden.finish(timeout: 1)
            Issue.record("\(error); stderr: \(outcome.stderr)")
            return
        }
        usleep(600_000)
        warden.writeStdin("late\n")
        warden.closeStdin()
        expectRun(warden.finish(stdoutPrefix: first), stdout: """
            polling
            poll errno=0 nevents=1
            event userdata=42 type=1 error=0
            before-guard=yes
            waited-for-data=yes
            read errno=0 data=<late
            >

            """)
    }

    @Test("poll_oneoff: a regular file is ready for reading and writing at once")
    func regularFileReady() throws {
        let box = try Sandbox.standard()
        let start = Date()
        let result = try FnGuest.run("fn_poll", ["file"], flags: box.grant)
        expectRun(result, stdout: """
            read errno=0 nevents=1 quick=yes
            event userdata=1 type=1 error=0
            write errno=0 nevents=1 quick=yes
            event userdata=2 type=2 error=0
            both errno=0 fd-events-only=yes

            """)
        #expect(Date().timeIntervalSince(start) < 9, "a guard clock (10 s) fired instead")
    }

    @Test("poll_oneoff: no subscriptions is inval; a bad fd is badf")
    func errors() throws {
        let result = try FnGuest.run("fn_poll", ["errors"])
        #expect(!result.signaled && result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "zero-subscriptions errno=28\nbad-fd badf (call)\n" ||
                result.stdout == "zero-subscriptions errno=28\nbad-fd badf (event) quick=yes\n", "\(result.stdout)")
    }
}
