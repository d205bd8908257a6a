import Foundation
import Testing
@testable import WardenSupervisor
import WardenIPC
import WardenSystem
import WardenTestSupport

/// `wardend --warm ENGINE=N` keeps workers exec'd (their engine loaded) for `warden run` to
/// borrow: the run's whole layout travels with the configuration, the worker hardens as one
/// the launcher spawned, wardend reaps it and says how it ended, and a borrower that goes away
/// has its worker ended.
@Suite(.serialized, .enabled(if: geteuid() == 0, "wardend lends warm workers to root only; these tests run warden as root"))
struct WarmWorkerTests {
    /// wardend keeping one warm worker per available engine, once they are all idle.
    static func wardendWithWarmWorkers() throws -> WardendHarness {
        let wardend = try WardendHarness(launch: false)
        try wardend.start(TestEngine.available.flatMap { ["--warm", "\($0.rawValue)=1"] })
        try waitUntil(wardend, "a warm worker idle per engine") { warm in
            TestEngine.available.allSatisfy { engine in warm.contains { $0["engine"] as? String == engine.rawValue && ($0["idle"] as? [Int])?.count == 1 } }
        }
        return wardend
    }

    /// The `warm` entries of `warden status --json`.
    static func warmState(_ wardend: WardendHarness) -> (entries: [[String: Any]], lentTotal: Int) {
        guard let result = try? wardend.warden(["status", "--json"]), result.status == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else { return ([], -1) }
        return ((object["warm"] as? [[String: Any]]) ?? [], (object["warm_lent_total"] as? Int) ?? -1)
    }

    static func waitUntil(_ wardend: WardendHarness, _ what: String, timeout: TimeInterval = 20, _ condition: ([[String: Any]]) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: wardend.controlSocket), condition(warmState(wardend).entries) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Guests.BuildError(description: "timed out waiting for \(what): \(warmState(wardend).entries)\nlog:\n\(wardend.log)")
    }

    /// The pids lent right now, for `engine`.
    static func lentPids(_ wardend: WardendHarness, _ engine: TestEngine) -> [Int32] {
        let entry = warmState(wardend).entries.first { $0["engine"] as? String == engine.rawValue }
        return ((entry?["lent"] as? [Int]) ?? []).map(Int32.init)
    }

    /// The scheduling policy of `pid` (/proc/PID/stat field 41: 0 SCHED_OTHER, 5 SCHED_IDLE).
    static func schedulingPolicy(_ pid: Int32) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command's ')': state is field 3, so field 41 is the 39th.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 38 ? Int(fields[38]) : nil
    }

    /// `warden run` on the current engine against `wardend`'s socket, under `umask`.
    static func run(_ wardend: WardendHarness, _ arguments: [String], stdin: String? = nil, umask: String = "022") throws -> Command.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["WARDEN_CONTROL_SOCKET"] = wardend.controlSocket
        return try Command.run("/bin/sh", ["-c", "umask \(umask); exec \"$@\"", "sh", Warden.executable] + Warden.runArguments(arguments),
                               stdin: stdin, environment: environment, timeout: 60)
    }

    /// A `warden run` left running in the background (to be signalled).
    static func start(_ wardend: WardendHarness, _ arguments: [String]) throws -> Process {
        try Command.start(Warden.executable, Warden.runArguments(arguments), environment: ["WARDEN_CONTROL_SOCKET": wardend.controlSocket])
    }

    @Test("a lent worker runs with the run's stdin, stdout, stderr, grant, umask and exit status; wardend counts the loan and replaces the worker")
    func lentWorkerRunsTheRun() throws {
        let wardend = try Self.wardendWithWarmWorkers()
        let module = try Guests.c("Tests/WardenSupervisorTests/Guests/borrower.c")
        var lent = 0
        for engine in TestEngine.available {
            try TestEngine.$current.withValue(engine) {
                let tree = try TemporaryTree("warm")
                try tree.makeDirectory("data")
                let idleBefore = (Self.warmState(wardend).entries.first { $0["engine"] as? String == engine.rawValue }?["idle"] as? [Int]) ?? []
                for pid in idleBefore {
                    #expect(Self.schedulingPolicy(Int32(pid)) == 5, "\(engine): an idle warm worker waits on SCHED_IDLE")
                }
                let result = try Self.run(wardend, ["--warm", "require", "--timings", "--dir", "\(tree.url("data"))::/data", module, "3"],
                                          stdin: "hello", umask: "027")
                lent += 1
                #expect(result.status == 3, "\(engine): \(result.stderr)\n\(wardend.log)")
                #expect(result.stdout == "wrote 5\n", "\(engine)")
                #expect(result.stderr.hasPrefix("note\n"), "\(engine): the module's stderr is the run's: \(result.stderr)")
                #expect(result.stderr.contains("warm worker borrowed from wardend"), "\(engine): \(result.stderr)")
                #expect(try tree.read("data/out") == "hello", "\(engine)")
                let mode = (try FileManager.default.attributesOfItem(atPath: tree.url("data/out"))[.posixPermissions] as? Int) ?? 0
                #expect(mode == 0o640, "\(engine): the module's files follow the launcher's umask 027, not wardend's: \(String(mode, radix: 8))")
                // The next idle worker is a new process: the lent one is gone, reaped by wardend.
                try Self.waitUntil(wardend, "a replacement \(engine) worker") { entries in
                    let idle = (entries.first { $0["engine"] as? String == engine.rawValue }?["idle"] as? [Int]) ?? []
                    return idle.count == 1 && idle != idleBefore
                }
                for pid in idleBefore { #expect(!WardendHarness.isAlive(Int32(pid)), "\(engine): pid \(pid) was lent and ended") }
            }
        }
        #expect(Self.warmState(wardend).lentTotal == lent)
        let text = try wardend.warden(["status"])
        #expect(text.stdout.contains("warm workers for warden run (\(lent) lent since start):"), "\(text.stdout)")
        #expect(wardend.terminate() == 0)
    }

    @Test("--warm require without a warm worker fails and says why; auto starts its own; off never asks")
    func withoutWarmWorkers() throws {
        let wardend = try WardendHarness(launch: false)
        try wardend.start([])
        try Self.waitUntil(wardend, "wardend's socket") { _ in true }
        let module = try Guests.c("Tests/WardenSupervisorTests/Guests/sleeper.c")
        let required = try Self.run(wardend, ["--warm", "require", module, "0"])
        #expect(required.status == 125, "\(required.stderr)")
        #expect(required.stderr.contains("--warm require: no warm worker: wardend: wardend keeps no warm"), "\(required.stderr)")
        let automatic = try Self.run(wardend, ["--timings", module, "0"])
        #expect(automatic.status == 0 && automatic.stdout == "done\n", "\(automatic.stderr)")
        #expect(automatic.stderr.contains("worker spawned"), "\(automatic.stderr)")
        let bad = try Self.run(wardend, ["--warm", "sometimes", module, "0"])
        #expect(bad.status == 64 && bad.stderr.contains("--warm must be auto, off or require"), "\(bad.stderr)")
        #expect(wardend.terminate() == 0)
        // No wardend at all: auto runs as before; require says where it looked.
        let gone = try Self.run(wardend, ["--warm", "require", module, "0"])
        #expect(gone.status == 125 && gone.stderr.contains("wardend's control socket \(wardend.controlSocket)"), "\(gone.stderr)")
        #expect(try Self.run(wardend, [module, "0"]).status == 0)
    }

    @Test("a borrowed worker is ended by the run's wall-time limit, by SIGTERM to warden, and when warden dies")
    func borrowedWorkerEnds() throws {
        let wardend = try Self.wardendWithWarmWorkers()
        let sleeper = try Guests.c("Tests/WardenSupervisorTests/Guests/sleeper.c")
        for engine in TestEngine.available {
            try TestEngine.$current.withValue(engine) {
                let limited = try Self.run(wardend, ["--warm", "require", "--wall-time", "300ms", sleeper])
                #expect(limited.status == 124, "\(engine): \(limited.stderr)")
                #expect(limited.stderr.contains("exceeded its wall-time limit (300ms)"), "\(engine): \(limited.stderr)")

                for (signal, expected) in [(SIGTERM, Int32(143)), (SIGKILL, Int32(SIGKILL))] {
                    try Self.waitUntil(wardend, "an idle \(engine) worker") { entries in
                        ((entries.first { $0["engine"] as? String == engine.rawValue }?["idle"] as? [Int]) ?? []).count == 1
                    }
                    let run = try Self.start(wardend, ["--warm", "require", sleeper])
                    try Self.waitUntil(wardend, "the \(engine) worker lent") { _ in Self.lentPids(wardend, engine).count == 1 }
                    let worker = Self.lentPids(wardend, engine)[0]
                    Thread.sleep(forTimeInterval: 0.3)  // configured and running the module
                    // Hardened as a spawned worker is: a seccomp filter in force, no_new_privs, and
                    // user and network namespaces of its own (the network one made while idle).
                    let status = (try? String(contentsOfFile: "/proc/\(worker)/status", encoding: .utf8)) ?? ""
                    #expect(status.contains("Seccomp:\t2") && status.contains("NoNewPrivs:\t1"), "\(engine): \(status)")
                    #expect(Self.schedulingPolicy(worker) == 0, "\(engine): a lent worker runs on SCHED_OTHER again")
                    for namespace in ["net", "user"] {
                        let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\(namespace)")
                        let workers = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker)/ns/\(namespace)")
                        #expect(workers != own, "\(engine): the warm worker runs in a \(namespace) namespace of its own")
                    }
                    kill(run.processIdentifier, signal)
                    run.waitUntilExit()
                    #expect(run.terminationStatus == expected, "\(engine), signal \(signal): \(run.terminationReason) \(run.terminationStatus)")
                    let deadline = Date().addingTimeInterval(10)
                    while Date() < deadline, WardendHarness.isAlive(worker) { Thread.sleep(forTimeInterval: 0.02) }
                    #expect(!WardendHarness.isAlive(worker), "\(engine), signal \(signal): the borrowed worker \(worker) is ended\n\(wardend.log)")
                }
            }
        }
        #expect(wardend.log.contains("its borrower went away; ended"), "\(wardend.log)")
        #expect(wardend.terminate() == 0)
    }

    @Test("a lent worker keeps the run's memory ceiling and fuel (wasmtime: the engine made while idle, or a fresh one with fuel)")
    func limitsOnALentWorker() throws {
        let wardend = try Self.wardendWithWarmWorkers()
        // Exit 11 when growing to 65 pages is refused, 10 when it is allowed.
        let grower = try Guests.wat("""
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                (call $exit (i32.add (i32.const 10) (i32.eq (memory.grow (i32.const 64)) (i32.const -1))))))
            """, name: "warm-grower")
        for engine in TestEngine.available {
            try TestEngine.$current.withValue(engine) {
                func idleWorker() throws {
                    try Self.waitUntil(wardend, "an idle \(engine) worker") { entries in
                        ((entries.first { $0["engine"] as? String == engine.rawValue }?["idle"] as? [Int]) ?? []).count == 1
                    }
                }
                for fuel in [[], ["--fuel", "1000000"]] {
                    try idleWorker()
                    let tree = try TemporaryTree("warm-limits")
                    let log = tree.url("audit.jsonl")
                    let result = try Self.run(wardend, ["--warm", "require", "--audit", log, "--max-memory", "1MiB"] + fuel + [grower])
                    #expect(result.status == 11, "\(engine) \(fuel): \(result.stderr)")
                    let events = Warden.auditEvents(in: (try? tree.read("audit.jsonl")) ?? "")
                    #expect(events.contains { $0["layer"] as? String == "limit" && $0["limit"] as? String == "memory" && $0["value"] as? String == "1MiB" },
                            "\(engine) \(fuel): \(events)")
                    try idleWorker()
                    let roomy = try Self.run(wardend, ["--warm", "require", "--max-memory", "8MiB"] + fuel + [grower])
                    #expect(roomy.status == 10, "\(engine) \(fuel): \(roomy.stderr)")
                }
            }
        }
        #expect(wardend.terminate() == 0)
    }

    @Test("a pin mismatch gives back the warm worker asked for: no worker ever gets the module")
    func pinMismatchEndsTheLoan() throws {
        let wardend = try Self.wardendWithWarmWorkers()
        let module = try Guests.c("Tests/WardenSupervisorTests/Guests/sleeper.c")
        for engine in TestEngine.available {
            let tree = try TemporaryTree("warm-pin")
            try tree.write("policy.toml", """
                version = 1
                [module]
                name = "pinned"
                path = "\(module)"
                sha256 = "\(String(repeating: "0", count: 64))"
                [engine]
                name = "\(engine.rawValue)"
                [sandbox]
                user = "nobody"
                """)
            let before = Self.warmState(wardend).lentTotal
            let result = try Self.run(wardend, ["--warm", "require", "--policy", tree.url("policy.toml")])
            #expect(result.status == 125, "\(engine): \(result.stderr)")
            #expect(result.stderr.contains("sha256 mismatch"), "\(engine): \(result.stderr)")
            // Asked for before the pin was checked, and ended with the request (if lent at all).
            #expect(Self.warmState(wardend).lentTotal <= before + 1, "\(engine)")
            try Self.waitUntil(wardend, "no \(engine) worker lent, one idle") { entries in
                Self.lentPids(wardend, engine).isEmpty
                    && ((entries.first { $0["engine"] as? String == engine.rawValue }?["idle"] as? [Int]) ?? []).count == 1
            }
        }
        #expect(wardend.terminate() == 0)
    }

    @Test("the pool answers who may borrow: root only, the same configuration format, an engine it keeps, an idle worker")
    func poolRefusals() throws {
        let pool = WarmPool(targets: ["wasmkit": 1], workerPath: "/nonexistent/warden-worker")
        func answer(_ words: [String], uid: uid_t) throws -> String {
            let (ours, theirs) = try ChildProcess.socketPair()
            defer { try? ours.close() }
            pool.lend(words, to: theirs, peerUID: uid)
            return String(decoding: try ours.readToEnd(limit: 4096), as: UTF8.self)
        }
        let format = "\(WorkerConfiguration.formatVersion)"
        #expect(try answer(["warm", "wasmkit", format], uid: 1000).hasPrefix("error: warm workers serve root only"))
        #expect(try answer(["warm", "wasmkit", "1"], uid: 0).hasPrefix("error: this wardend speaks worker configuration format \(format), not 1"))
        #expect(try answer(["warm", "wasmtime", format], uid: 0).hasPrefix("error: wardend keeps no warm wasmtime workers"))
        #expect(try answer(["warm", "wasmkit", format], uid: 0).hasPrefix("error: no warm wasmkit worker is idle right now"))
        #expect(try answer(["warm", "wasmkit"], uid: 0).hasPrefix("error: usage: warm ENGINE FORMAT"))
        #expect(pool.lentTotal == 0)
    }
}
