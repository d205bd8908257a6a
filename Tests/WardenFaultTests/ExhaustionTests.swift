import Foundation
import Testing
import WardenTestSupport

extension Faults {
    /// wardend starved of descriptors, and its control socket flooded by someone not allowed in.
    @Suite struct Exhaustion {
        @Test("wardend at RLIMIT_NOFILE with clients still arriving: accept fails, is logged once per burst, and service recovers")
        func descriptorLimit() throws {
            let wardend = try WardendHarness(launch: false)
            let port = WardendHarness.freePort()
            try wardend.policy("greeter", module: try Faults.supervisorGuest("greeter"),
                               service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]\nmax-connections = 500")
            try wardend.start([], prefix: ["/usr/bin/prlimit", "--nofile=64:64"])
            try wardend.waitFor("greeter", "running") { $0["state"] as? String == "running" }

            // Root's control connections that send nothing fill wardend's descriptor table;
            // each is held until its 2 s request deadline.
            var held: [Int32] = []
            defer { for fd in held { close(fd) } }
            for _ in 0..<80 {
                let fd = UnixClient.connect(wardend.controlSocket)
                if fd >= 0 { held.append(fd) }
            }
            let controlFailure = "control socket: accept: Too many open files (EMFILE)"
            #expect(Faults.eventually(timeout: 5) { wardend.log.contains(controlFailure) }, "\(wardend.log)")

            // Clients arriving now cannot be accepted: they wait in the backlog, and are
            // served once the table has room again.
            let answers = ConcurrentAnswers(count: 10, port: port)
            let failure = "module \"greeter\": accept: Too many open files (EMFILE)"
            #expect(Faults.eventually(timeout: 5) { wardend.log.contains(failure) }, "\(wardend.log)")
            #expect(answers.wait(timeout: 20), "a client hung")
            #expect(answers.results.filter { $0.hasPrefix("hello c") }.count == 10, "\(answers.results)\n\(wardend.log)")

            // One line per burst, however many retries, and one when it is over.
            #expect(wardend.log.components(separatedBy: failure).count - 1 == 1, "\(wardend.log)")
            #expect(wardend.log.components(separatedBy: controlFailure).count - 1 == 1, "\(wardend.log)")
            #expect(wardend.log.contains("module \"greeter\": accept works again after"), "\(wardend.log)")
            #expect(wardend.log.contains("control socket: accept works again after"), "\(wardend.log)")
            for fd in held { close(fd) }
            held = []
            #expect(try wardend.status()["greeter"]?["state"] as? String == "running")
            #expect(Client.exchange(port, "back\n") == "hello back #1\n", "\(wardend.log)")
            #expect(wardend.terminate() == 0, "\(wardend.log)")
        }

        @Test("a non-root client flooding the control socket: refused, bounded, rate-limited in the log; root and the service are unaffected")
        func controlSocketFlood() throws {
            let python = "/usr/bin/python3"
            guard FileManager.default.isExecutableFile(atPath: python) else {
                Issue.record("the flood client needs \(python)")
                return
            }
            let wardend = try WardendHarness(launch: false)
            let port = WardendHarness.freePort()
            try wardend.policy("greeter", module: try Faults.supervisorGuest("greeter"),
                               service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]")
            try wardend.start([])
            try wardend.waitFor("greeter", "running") { $0["state"] as? String == "running" }
            // As if the socket's mode had been widened: the peer check is what stands.
            #expect(chmod(wardend.controlSocket, 0o777) == 0)
            #expect(chmod(wardend.tree.path, 0o755) == 0)

            // nobody, for 3 s: connect as fast as it can, send a request or junk, hold up to
            // 1000 connections open without reading.
            try wardend.tree.write("flood.py", """
                import socket, sys, time
                path, held, made, answered = sys.argv[1], [], 0, 0
                end = time.time() + 3
                while time.time() < end:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.settimeout(1)
                    try:
                        s.connect(path)
                        s.send(b"status\\n" if made % 2 else b"x" * 100)
                        made += 1
                    except OSError:
                        s.close(); time.sleep(0.001); continue
                    held.append(s)
                    if len(held) > 1000: held.pop(0).close()
                print(made)
                """)
            let flood = Process()
            flood.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            flood.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", python, wardend.tree.url("flood.py"), wardend.controlSocket]
            let output = Pipe()
            flood.standardOutput = output
            flood.standardError = output
            try flood.run()
            defer { if flood.isRunning { kill(flood.processIdentifier, SIGKILL); flood.waitUntilExit() } }

            var peakDescriptors = 0
            var slowest: TimeInterval = 0
            for _ in 0..<10 {
                let started = Date()
                let status = try wardend.warden(["status"])
                slowest = max(slowest, Date().timeIntervalSince(started))
                #expect(status.status == 0, "root's status during the flood: \(status.stderr)")
                #expect(Client.exchange(port, "during\n") == "hello during #1\n")
                peakDescriptors = max(peakDescriptors, ProcessTable.descriptorCount(wardend.process.processIdentifier))
                Thread.sleep(forTimeInterval: 0.2)
            }
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            flood.waitUntilExit()
            let made = Int(printed.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect(made > 200, "the flood got through to accept: \(printed)")
            #expect(slowest < 2, "root waited \(slowest) s for status")
            #expect(peakDescriptors < 100, "wardend held \(peakDescriptors) descriptors during the flood")
            let refusals = wardend.log.components(separatedBy: "control socket: permission denied: uid 65534").count - 1
            #expect(refusals >= 1 && refusals <= 40, "\(refusals) refusal lines for \(made) connections")
            #expect(wardend.log.contains("suppressed"), "the rest are counted")
            #expect(wardend.terminate() == 0, "\(wardend.log)")
        }
    }
}
