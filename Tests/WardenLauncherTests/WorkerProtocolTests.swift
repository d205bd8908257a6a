import Foundation
import Testing
import WardenTestSupport

/// A compromised worker must not hang, crash or fool the launcher. `hostile_worker.c` plays
/// the worker; warden finds it because it sits next to a hard link of the warden binary.
@Suite(.serialized) struct WorkerProtocolTests {
    final class Stage: @unchecked Sendable {
        let tree: TemporaryTree
        let warden: String
        let module: String
        init() throws {
            tree = try TemporaryTree("warden-fake-worker")
            warden = tree.url("warden")
            // A hard link, not a copy or symlink: /proc/self/exe then names this directory.
            guard link(Warden.executable, warden) == 0 else {
                throw Guests.BuildError(description: "cannot hard-link warden into \(tree.path): errno \(errno)")
            }
            let source = Guests.packageRoot.appendingPathComponent("Tests/WardenLauncherTests/Guests/hostile_worker.c").path
            let build = try Command.run("/usr/bin/gcc", ["-O1", "-o", tree.url("warden-worker"), source])
            guard build.status == 0 else { throw Guests.BuildError(description: build.stderr) }
            module = try Guests.wat("(module (memory (export \"memory\") 1) (func (export \"_start\")))", name: "empty")
        }

        func run(_ mode: String, _ extra: [String] = []) throws -> Command.Result {
            try tree.write("mode", mode + "\n")
            return try Command.run(warden, ["run"] + Warden.asRoot(extra) + [module], timeout: 30)
        }
    }

    static let stage = Result { try Stage() }

    @Test func impossibleSignalIsAProtocolViolationNotACrash() throws {
        let result = try Self.stage.get().run("sigmax")
        #expect(!result.signaled)
        #expect(result.status == 125)
        #expect(result.stderr.contains("broke the control protocol (impossible signal 2147483647)"))
    }

    @Test func oversizedFrameEndsTheWorker() throws {
        let started = Date()
        let result = try Self.stage.get().run("huge")
        #expect(result.status == 125)
        #expect(result.stderr.contains("broke the control protocol"))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test(arguments: ["partial", "closenotify"])
    func refusedSyscallIsReportedEvenWhenTheControlStreamIsBroken(mode: String) throws {
        let result = try Self.stage.get().run(mode)
        #expect(result.status == 159, "\(result.stderr)")
        #expect(result.stderr.contains("the worker was ended for a forbidden system call: getppid("))
        let events = Warden.auditEvents(in: result.stderr)
        #expect(events.contains { $0["layer"] as? String == "seccomp" && $0["syscall"] as? String == "getppid" })
    }

    @Test func readyWithoutAListenerIsAProtocolViolation() throws {
        let result = try Self.stage.get().run("readynolistener")
        #expect(result.status == 125)
        #expect(result.stderr.contains("broke the control protocol (ready without a notification listener)"))
    }

    @Test func silentWorkerIsEndedAfterItClosesTheControlSocket() throws {
        let started = Date()
        let result = try Self.stage.get().run("closectl")
        #expect(result.status == 137)
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aClaimedExitDoesNotHideTheRealDeath() throws {
        let result = try Self.stage.get().run("exitedkilled")
        #expect(result.status == 137, "the worker said exit 0 but was killed")
    }
}
