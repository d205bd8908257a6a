import Foundation
import Testing
import WardenTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// sock_accept, sock_recv, sock_send, sock_shutdown through `Guests/fn_sock.c`: the guest
/// accepts on fd 3 (`--tcplisten`), reads a line, echoes it, shuts down its write side; this
/// test is the client on a real loopback socket.
@Suite("WASI functions: sockets", .onEveryEngine)
struct WASIFunctionSocketTests {
    @Test("sock_accept, sock_recv (with peek), sock_send, sock_shutdown: a TCP echo through --tcplisten")
    func echo() throws {
        let port = try Loopback.freePort()
        let warden = try RunningWarden(["--tcplisten", "127.0.0.1:\(port)", try FnGuest.c("fn_sock")])
        let reply: String
        do {
            let client = try Loopback.connect(port: port, deadline: Date().addingTimeInterval(30))
            defer { close(client) }
            try Loopback.send(client, "hello over tcp\n")
            reply = try Loopback.receiveAll(client)
        } catch {
            let outcome = warden.finish(timeout: 1)
            Issue.record("client failed: \(error); warden stdout:\n\(outcome.stdout)\nstderr:\n\(outcome.stderr)")
            return
        }
        #expect(reply == "echo: hello over tcp\n")
        expectRun(warden.finish(), stdout: """
            listener fdstat errno=0 type=6
            accepted new-fd=yes
            connection fdstat errno=0 type=6
            peek errno=0 data=<hell> roflags=0
            received <hello over tcp>
            sent 21 bytes
            shutdown-wr errno=0
            send-after-shutdown pipe
            recv-after-peer-close errno=0 n=0
            close errno=0
            accept-bad-fd errno=8
            recv-bad-fd errno=8
            send-bad-fd errno=8
            shutdown-bad-fd errno=8
            listener nonblock errno=0
            accept-nothing-pending errno=6

            """)
    }

    @Test("--tcplisten sockets come before the preopened directories")
    func listenerBeforePreopens() throws {
        let port = try Loopback.freePort()
        let box = try Sandbox.standard()
        // fn_fd's prestat walk: the listener at fd 3 is not a preopen (badf); /sandbox is fd 4.
        // (fn_fd's own file opens use fd 3 as the directory, so "opened-file" is absent.)
        let result = try FnGuest.run("fn_fd", ["prestat"], flags: box.grant + ["--tcplisten", "127.0.0.1:\(port)"])
        expectRun(result, stdout: """
            fd 3 errno=8
            fd 4 tag=0 len=8 name=</sandbox> errno=0 untouched-after=yes
            fd 4 short-buffer errno=37
            fd 5 errno=8
            fd 6 errno=8
            fd 7 errno=8
            stdin errno=8

            """)
    }
}
