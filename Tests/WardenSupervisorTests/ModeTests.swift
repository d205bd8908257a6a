import Foundation
import Testing
import WardenTestSupport

/// wardend runs each module in its [service] mode: once, daemon, per-connection.
@Suite(.serialized, .onEveryEngine) struct ModeTests {
    static func guest(_ name: String) throws -> String { try Guests.c("Tests/WardenSupervisorTests/Guests/\(name).c") }

    @Test("once: runs to completion and records the exit status; no restart")
    func once() throws {
        let wardend = try WardendHarness(launch: false)
        try wardend.policy("batch", module: try Self.guest("sleeper"), args: ["10", "3"], service: "mode = \"once\"")
        try wardend.start([])
        let fields = try wardend.waitFor("batch", "exited") { $0["state"] as? String == "exited" }
        #expect(fields["last_exit"] as? Int == 3)
        #expect(fields["restarts"] as? Int == 0)
        #expect(wardend.log.contains("module \"batch\": worker exited 3"), "\(wardend.log)")
        #expect(wardend.terminate() == 0)
    }

    @Test("once: memory refused by the policy's limit is a limit event, and the module ends on its own terms")
    func memoryLimitReached() throws {
        // memory.grow past [limits] memory (16MiB in the harness) returns -1: then exit 7.
        let module = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                (if (i32.eq (memory.grow (i32.const 1000)) (i32.const -1)) (then (call $exit (i32.const 7))))
                (call $exit (i32.const 0))))
            """, name: "grower")
        let wardend = try WardendHarness(launch: false)
        let log = wardend.tree.url("grower.jsonl")
        try wardend.policy("grower", module: module, service: "mode = \"once\"", extra: "[audit]\nlog = \"\(log)\"")
        try wardend.start([])
        let fields = try wardend.waitFor("grower", "exited") { $0["state"] as? String == "exited" }
        #expect(fields["last_exit"] as? Int == 7, "\(wardend.log)")
        #expect(!wardend.log.contains("control protocol"), "\(wardend.log)")
        Thread.sleep(forTimeInterval: 0.3)
        let events = Warden.auditEvents(in: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        let limits = events.filter { $0["layer"] as? String == "limit" }
        #expect(limits.count == 1 && limits.first?["limit"] as? String == "memory", "\(events)")
        #expect(wardend.terminate() == 0)
    }

    @Test("once: a module past its wall-time is ended, with a limit event, and exits 124")
    func wallTimeEndsTheWorker() throws {
        let wardend = try WardendHarness(launch: false)
        let log = wardend.tree.url("sleeper.jsonl")
        try wardend.policy("sleeper", module: try Self.guest("sleeper"), service: "mode = \"once\"",
                           extra: "[audit]\nlog = \"\(log)\"", wallTime: "500ms")
        try wardend.start([])
        let fields = try wardend.waitFor("sleeper", "exited") { $0["state"] as? String == "exited" }
        #expect(fields["last_exit"] as? Int == 124, "\(wardend.log)")
        #expect(wardend.log.contains("module \"sleeper\": exceeded its wall-time limit (500ms); ended"), "\(wardend.log)")
        #expect(wardend.log.contains("module \"sleeper\": worker status 124: exceeded its wall-time limit (500ms)"), "\(wardend.log)")
        Thread.sleep(forTimeInterval: 0.3)
        let limits = Warden.auditEvents(in: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "").filter { $0["layer"] as? String == "limit" }
        #expect(limits.count == 1 && limits.first?["limit"] as? String == "wall-time" && limits.first?["value"] as? String == "500ms", "\(limits)")
        #expect(wardend.terminate() == 0)
    }

    @Test("reload reopens each module's audit log by path: a rotated log is followed, nothing is lost")
    func auditLogRotation() throws {
        let wardend = try WardendHarness(launch: false)
        let log = wardend.tree.url("batch.jsonl")
        try wardend.policy("batch", module: try Self.guest("sleeper"), args: ["10", "3"], service: "mode = \"once\"",
                           extra: "[audit]\nlog = \"\(log)\"")
        try wardend.start([])
        try wardend.waitFor("batch", "exited") { $0["state"] as? String == "exited" }
        #expect(rename(log, log + ".1") == 0)
        #expect(try wardend.warden(["reload"]).status == 0)
        #expect(try wardend.warden(["start", "batch"]).status == 0)
        try wardend.waitFor("batch", "exited again") { $0["state"] as? String == "exited" && FileManager.default.fileExists(atPath: log) }
        Thread.sleep(forTimeInterval: 0.3)
        let actions = { (path: String) in
            Warden.auditEvents(in: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "").compactMap { $0["action"] as? String }
        }
        #expect(actions(log + ".1") == ["started", "exited"], "before the rotation")
        #expect(actions(log) == ["started", "exited"], "after it, in the new file")
        #expect(wardend.terminate() == 0)
    }

    /// A reload that finds the same policy in other words (a comment added) restarts nothing,
    /// and from then on events carry the digest of the file as it is: before, they kept the
    /// old text's digest, which no file on disk had any more, even across later restarts.
    @Test("reload of a policy changed only in its comments: events carry the new file's digest")
    func reloadUpdatesTheDigest() throws {
        let wardend = try WardendHarness(launch: false)
        let log = wardend.tree.url("batch.jsonl")
        try wardend.policy("batch", module: try Self.guest("sleeper"), args: ["10", "3"], service: "mode = \"once\"",
                           extra: "[audit]\nlog = \"\(log)\"")
        let file = wardend.tree.url("policies/batch.toml")
        let sha = { try Command.run("/usr/bin/sha256sum", [file]).stdout.prefix(64) }
        let before = String(try sha())
        try wardend.start([])
        try wardend.waitFor("batch", "exited") { $0["state"] as? String == "exited" }
        let handle = try #require(FileHandle(forWritingAtPath: file))
        handle.seekToEndOfFile()
        handle.write(Data("# reviewed\n".utf8))
        try handle.close()
        let after = String(try sha())
        #expect(before != after)
        let reload = try wardend.warden(["reload"])
        #expect(reload.stdout.contains("0 changed"), "the same policy: nothing restarts: \(reload.stdout)")
        #expect(try wardend.warden(["start", "batch"]).status == 0)
        try wardend.waitFor("batch", "exited again") { $0["state"] as? String == "exited" && ($0["pids"] as? [Int] ?? []).isEmpty }
        Thread.sleep(forTimeInterval: 0.3)
        let digests = Warden.auditEvents(in: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "").map { $0["policy"] as? String ?? "null" }
        #expect(digests == [before, before, after, after], "\(digests)")
        #expect(wardend.terminate() == 0)
    }

    @Test("daemon: kept running; a worker killed with SIGKILL is reaped, accounted and restarted")
    func daemonRestartsAKilledWorker() throws {
        let wardend = try WardendHarness(launch: false)
        let log = wardend.tree.url("ticker.jsonl")
        try wardend.policy("ticker", module: try Self.guest("sleeper"), service: "mode = \"daemon\"", extra: "[audit]\nlog = \"\(log)\"")
        try wardend.start([])
        let first = try wardend.waitFor("ticker", "running") { $0["state"] as? String == "running" }
        let pid = try #require((first["pids"] as? [Int])?.first)
        #expect(kill(Int32(pid), SIGKILL) == 0)
        let second = try wardend.waitFor("ticker", "restarted") {
            $0["state"] as? String == "running" && ($0["pids"] as? [Int])?.first != pid
        }
        #expect(second["restarts"] as? Int == 1)
        #expect(second["last_exit"] as? Int == 137, "SIGKILL: 128 + 9")
        #expect(!WardendHarness.isAlive(Int32(pid)), "the killed worker is reaped, not a zombie")
        // One lifecycle event per change: the kill is one `crashed`, with the status above.
        let lifecycle = Warden.auditEvents(in: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
            .filter { $0["layer"] as? String == "lifecycle" && $0["pid"] as? Int == pid }
        #expect(lifecycle.compactMap { $0["action"] as? String } == ["started", "crashed", "restarted"], "\(lifecycle)")
        #expect(lifecycle.first { $0["action"] as? String == "crashed" }?["status"] as? Int == 137)
        // Audit fields that never lie: every event carries the policy file's digest, and each
        // start is a new instance.
        let events = Warden.auditEvents(in: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        let digest = try Command.run("/usr/bin/sha256sum", [wardend.tree.url("policies/ticker.toml")]).stdout.prefix(64)
        #expect(digest.count == 64)
        #expect(!events.isEmpty && events.allSatisfy { $0["policy"] as? String == String(digest) }, "\(events)")
        let starts = events.filter { $0["action"] as? String == "started" }
        #expect(starts.count >= 2)
        #expect(Set(starts.compactMap { $0["instance"] as? String }).count == starts.count, "a new instance per start: \(starts)")
        let crash = try #require(lifecycle.first { $0["action"] as? String == "crashed" })
        #expect(crash["instance"] as? String == lifecycle.first?["instance"] as? String, "the crash belongs to the first start's instance")
        #expect(wardend.terminate() == 0)
    }

    /// A worker wardend ends on purpose (warden stop, warden restart, shutdown) exited on
    /// request: an `exited` event naming the signal and why, never `crashed` (which says the
    /// worker died of a signal on its own; it did for each of these before).
    @Test("daemon: warden stop, warden restart and shutdown are exits on request, not crashes")
    func stopsAreNotCrashes() throws {
        let wardend = try WardendHarness(launch: false)
        let log = wardend.tree.url("ticker.jsonl")
        try wardend.policy("ticker", module: try Self.guest("sleeper"), service: "mode = \"daemon\"", extra: "[audit]\nlog = \"\(log)\"")
        try wardend.start([])
        try wardend.waitFor("ticker", "running") { $0["state"] as? String == "running" }
        #expect(try wardend.warden(["restart", "ticker"]).status == 0)
        try wardend.waitFor("ticker", "running again") { $0["state"] as? String == "running" && ($0["last_exit"] as? Int) == 137 }
        #expect(try wardend.warden(["stop", "ticker"]).status == 0)
        try wardend.waitFor("ticker", "stopped") { $0["state"] as? String == "stopped" && ($0["pids"] as? [Int] ?? []).isEmpty }
        #expect(try wardend.warden(["start", "ticker"]).status == 0)
        try wardend.waitFor("ticker", "started") { $0["state"] as? String == "running" }
        #expect(wardend.terminate() == 0)
        let lifecycle = Warden.auditEvents(in: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
            .filter { $0["layer"] as? String == "lifecycle" }
        #expect(lifecycle.compactMap { $0["action"] as? String } == ["started", "exited", "started", "exited", "started", "exited"], "\(lifecycle)")
        let exits = lifecycle.filter { $0["action"] as? String == "exited" }
        #expect(exits.compactMap { $0["detail"] as? String } == ["ended by wardend: warden restart", "ended by wardend: warden stop",
                                                                   "ended by wardend: wardend is stopping"], "\(exits)")
        #expect(exits.allSatisfy { $0["status"] as? Int == 137 && $0["signal"] as? Int == 9 }, "\(exits)")
        #expect(!wardend.log.contains("killed by signal 9"), "the log says who ended it: \(wardend.log)")
    }

    @Test("daemon: a module that traps at once is restarted with growing delays, then marked failed at the start limit")
    func startLimit() throws {
        let wardend = try WardendHarness(launch: false)
        try wardend.policy("crasher", module: try Self.guest("trap"), service: "mode = \"daemon\"\nrestart = \"on-failure\"")
        let started = Date()
        try wardend.start(["--start-limit-burst", "4", "--start-limit-interval", "30s"])
        let failed = try wardend.waitFor("crasher", "failed") { $0["state"] as? String == "failed" }
        // Starts at 0, 50, 150, 350 ms (delays 50, 100, 200): the fourth restart would be the fifth start.
        #expect(Date().timeIntervalSince(started) >= 0.35)
        // Four starts are three restarts: the fourth would be the fifth start, refused.
        #expect(failed["restarts"] as? Int == 3)
        #expect(failed["last_exit"] as? Int == 134)
        #expect((failed["failed"] as? String)?.contains("start limit hit: 4 starts within 30s") == true, "\(failed)")
        #expect(wardend.log.contains("restarting in 50ms") && wardend.log.contains("restarting in 100ms") && wardend.log.contains("restarting in 200ms"),
                "\(wardend.log)")
        #expect(!wardend.log.contains("restarting in 400ms"), "no restart is announced that the start limit refuses: \(wardend.log)")
        // The audit room has each start, exit and restart, in order.
        let lifecycle = Warden.auditEvents(in: wardend.log).filter { $0["layer"] as? String == "lifecycle" && $0["module"] as? String == "crasher" }
        // Four starts (the burst), three restarts; the one the start limit refuses is no
        // restart: its event says the limit was reached, and names it.
        #expect(lifecycle.map { $0["action"] as? String ?? "" } == Array(repeating: ["started", "exited", "restarted"], count: 3).flatMap { $0 } + ["started", "exited", "start-limit"],
                "\(lifecycle)")
        #expect((lifecycle.last?["detail"] as? String)?.contains("start limit hit: 4 starts within 30s") == true, "\(lifecycle)")
        #expect(lifecycle.filter { $0["action"] as? String == "exited" }.allSatisfy { $0["status"] as? Int == 134 })
        // It stays stopped until asked: `warden restart` clears the limit and tries again.
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try wardend.status()["crasher"]?["restarts"] as? Int == 3)
        let restart = try wardend.warden(["restart", "crasher"])
        #expect(restart.status == 0, "\(restart.stderr)")
        try wardend.waitFor("crasher", "restarted after warden restart") { ($0["restarts"] as? Int ?? 0) > 3 }
        #expect(wardend.terminate() == 0)
    }

    @Test("per-connection: each connection gets a fresh instance on stdin/stdout; no state carries over")
    func perConnection() throws {
        let wardend = try WardendHarness(launch: false)
        let port = WardendHarness.freePort()
        try wardend.policy("greeter", module: try Self.guest("greeter"), service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]")
        try wardend.start([])
        try wardend.waitFor("greeter", "running") { $0["state"] as? String == "running" }
        for name in ["ada", "bob", "cy"] {
            #expect(Client.exchange(port, "\(name)\n") == "hello \(name) #1\n")
        }
        let fields = try wardend.waitFor("greeter", "3 served, none live") {
            $0["connections_served"] as? Int == 3 && $0["connections"] as? Int == 0
        }
        #expect(fields["last_exit"] as? Int == 0)
        #expect((fields["layers"] as? [String])?.contains { $0.hasPrefix("applied seccomp") && $0.contains("@zygote") } == true)
        // The zygote runs on the test's engine and says so (wasmtime: locked once loaded).
        #expect((fields["layers"] as? [String])?.contains { $0.hasPrefix("applied engine \(TestEngine.current) ") } == true)
        #expect(wardend.terminate() == 0)
    }

    @Test("daemon with listen: the socket is granted as a preopened descriptor and one long-lived instance accepts by itself")
    func daemonAccepts() throws {
        let wardend = try WardendHarness(launch: false)
        let port = WardendHarness.freePort()
        try wardend.policy("acceptor", module: try Self.guest("acceptor"), service: "mode = \"daemon\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]")
        try wardend.start([])
        try wardend.waitFor("acceptor", "running") { $0["state"] as? String == "running" }
        #expect(Client.exchange(port, "") == "accepted 1\n")
        #expect(Client.exchange(port, "") == "accepted 2\n", "the same instance, its state kept")
        let fields = try #require(try wardend.status()["acceptor"])
        #expect((fields["layers"] as? [String])?.contains { $0.contains("@sockets") } == true)
        #expect(wardend.terminate() == 0)
    }

    @Test("per-connection: an instance's refusal is attributed to the instance (its pid as the kernel attests it), not to the zygote")
    func instanceRefusalsNameTheInstance() throws {
        // Tries to open ../escape beneath its preopen (refused), then answers "ok".
        let module = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "path_open"
                (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 0) "../escape")
              (data (i32.const 32) "ok\\0a")
              (func (export "_start")
                (drop (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 9) (i32.const 0)
                                  (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)))
                (i32.store (i32.const 16) (i32.const 32))
                (i32.store (i32.const 20) (i32.const 3))
                (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))
            """, name: "escaper")
        let wardend = try WardendHarness(launch: false)
        try wardend.tree.makeDirectory("data")
        let log = wardend.tree.url("escaper.jsonl")
        let port = WardendHarness.freePort()
        try wardend.policy("escaper", module: module, service: "mode = \"per-connection\"\nlisten = [\"tcp:127.0.0.1:\(port)\"]",
                           extra: "[[preopen]]\nhost = \"\(wardend.tree.url("data"))\"\nguest = \"/data\"\naccess = \"read\"\n[audit]\nlog = \"\(log)\"")
        try wardend.start([])
        let zygote = try #require((try wardend.waitFor("escaper", "running") { $0["state"] as? String == "running" })["pids"] as? [Int]).first
        #expect(Client.exchange(port, "x\n") == "ok\n")
        try wardend.waitFor("escaper", "served") { $0["connections_served"] as? Int == 1 && $0["connections"] as? Int == 0 }
        let refusals = Warden.auditEvents(in: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "").filter { $0["layer"] as? String == "wasi" }
        #expect(refusals.count == 1, "\(refusals)")
        let pid = refusals.first?["pid"] as? Int
        #expect(pid != nil && pid != zygote && pid ?? 0 > 1, "refusal pid \(String(describing: pid)), zygote \(String(describing: zygote))")
        #expect(!wardend.log.contains("only the worker may send"), "\(wardend.log)")
        #expect(wardend.terminate() == 0)
    }

    @Test("per-connection over a unix socket")
    func unixSocket() throws {
        let wardend = try WardendHarness(launch: false)
        let path = wardend.tree.url("greeter.sock")
        try wardend.policy("greeter", module: try Self.guest("greeter"), service: "mode = \"per-connection\"\nlisten = [\"unix:\(path)\"]")
        try wardend.start([])
        try wardend.waitFor("greeter", "running") { $0["state"] as? String == "running" }
        // -t: after its stdin ends socat waits this long for the reply (0.5 s by default: less
        // than a per-connection instance took to answer under a sanitizer); it ends as soon as
        // the instance closes the connection.
        let result = try Command.run("/usr/bin/socat", ["-t", "10", "-", "UNIX-CONNECT:\(path)"], stdin: "unix\n", timeout: 20)
        #expect(result.stdout == "hello unix #1\n", "\(result.stderr)")
        #expect(wardend.terminate() == 0)
        #expect(!FileManager.default.fileExists(atPath: path), "the socket file is removed on exit")
    }
}
