import Foundation
import Testing
import WardenTestSupport

extension Faults {
    /// wardend or a zygote killed outright, mid-service.
    @Suite struct Crashes {
        func perConnectionPolicy(_ wardend: WardendHarness, port: UInt16, maxConnections: Int = 256) throws {
            try wardend.policy("greeter", module: try Faults.supervisorGuest("greeter"),
                               service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]\nmax-connections = \(maxConnections)")
        }

        @Test("kill -9 of wardend under a 200-client per-connection load: no orphaned worker, and a restart serves again")
        func killedUnderLoad() throws {
            let wardend = try WardendHarness(launch: false)
            let port = WardendHarness.freePort()
            try perConnectionPolicy(wardend, port: port)
            try wardend.start([])
            let zygote = try #require((try wardend.waitFor("greeter", "running") { $0["state"] as? String == "running" })["pids"] as? [Int]).first
            let session = Int32(try #require(zygote))

            let load = ClientLoad(count: 200, port: port, deadline: 30)
            #expect(Faults.eventually(timeout: 15) { load.answeredSoFar >= 400 }, "the load got going: \(load.answeredSoFar) answers")
            // Instances live at the moment of the kill: the session holds the zygote and them.
            let before = ProcessTable.members(ofSession: session)
            kill(wardend.process.processIdentifier, SIGKILL)
            wardend.process.waitUntilExit()

            // Every worker and instance goes with it (PR_SET_PDEATHSIG), whatever it was doing.
            let gone = Faults.eventually(timeout: 5) { ProcessTable.members(ofSession: session).isEmpty }
            #expect(gone, "orphans of the killed wardend: \(ProcessTable.members(ofSession: session)) (before: \(before.count))")
            // Clients see closed or refused connections, never a hang.
            #expect(load.stop(timeout: 15), "a client hung on a connection of the killed wardend")
            #expect(load.failed > 0 || load.answered > 0)

            // The same configuration starts again: the stale control socket and the port are taken over.
            #expect(FileManager.default.fileExists(atPath: wardend.controlSocket), "a killed wardend leaves its socket file behind")
            try wardend.relaunch([])
            try wardend.waitFor("greeter", "running again") { $0["state"] as? String == "running" }
            for round in 0..<20 {
                #expect(Client.exchange(port, "again\(round)\n") == "hello again\(round) #1\n", "\(wardend.log)")
            }
            #expect(wardend.terminate() == 0, "\(wardend.log)")
            #expect(!FileManager.default.fileExists(atPath: wardend.controlSocket), "a stopped wardend removes its socket")
        }

        @Test("a zygote killed mid-connection: the client sees the connection closed; wardend says so and restarts the zygote")
        func zygoteKilled() throws {
            let wardend = try WardendHarness(launch: false)
            let port = WardendHarness.freePort()
            try perConnectionPolicy(wardend, port: port)
            try wardend.start([])
            let first = try #require((try wardend.waitFor("greeter", "running") { $0["state"] as? String == "running" })["pids"] as? [Int])
            let zygote = Int32(try #require(first.first))

            // Mid-connection: the instance waits for the line that never comes.
            let connection = Client.connect(port)
            #expect(connection >= 0)
            defer { close(connection) }
            let live = try wardend.waitFor("greeter", "the instance is live") { ($0["pids"] as? [Int])?.count == 2 }
            let instance = Int32((live["pids"] as? [Int] ?? [0, 0])[1])
            kill(zygote, SIGKILL)

            let started = Date()
            #expect(Client.readAll(connection) == "", "the connection closes without an answer")
            #expect(Date().timeIntervalSince(started) < 5, "closed promptly, not by the client's timeout")
            #expect(Faults.eventually(timeout: 5) { !WardendHarness.isAlive(instance) }, "the instance outlived its zygote")
            try wardend.waitFor("greeter", "a new zygote") {
                $0["state"] as? String == "running" && (($0["pids"] as? [Int])?.first).map { Int32($0) != zygote } == true
            }
            #expect(wardend.log.contains("module \"greeter\": worker"), "\(wardend.log)")
            #expect(wardend.log.contains("signal 9"), "wardend names the kill: \(wardend.log)")
            #expect(wardend.log.contains("module \"greeter\": restarting in"), "\(wardend.log)")
            #expect(Client.exchange(port, "after\n") == "hello after #1\n")
            #expect(wardend.terminate() == 0, "\(wardend.log)")
        }
    }
}
