// Glibc for types and constants only: pid_t, uid_t, SIGKILL
import Glibc
import WardenIPC
import WardenSystem

/// Workers started before any run asks for one (`wardend --warm ENGINE=N`), lent to `warden
/// run` over the control socket. A warm worker is exec'd and has its engine loaded (for
/// wasmtime, the shared library: most of a cold start), and nothing else: no configuration,
/// no descriptor of any run, no hardening yet. The borrower sends it the run's configuration
/// with every descriptor of its layout (`WorkerConfiguration.layoutFollows`) and from there
/// the worker hardens and runs exactly as one the launcher spawned itself.
///
/// What stays with wardend: it is the worker's parent, so it reaps it and tells the borrower
/// how it ended ("exited STATUS CPU_NS"), and a borrower that goes away first has its worker
/// ended. Only root may borrow: until its configuration names the run's user, a warm worker
/// runs as wardend does (the launcher of a non-root user starts its own, as before).
///
/// Reactor thread only (the spawning thread is the one PR_SET_PDEATHSIG follows).
final class WarmPool {
    struct Worker {
        let engine: String
        let pid: pid_t
        let pidfd: FileDescriptor
        /// wardend's end of the control socket, until the worker is lent.
        let control: FileDescriptor
    }

    struct Loan {
        let worker: Worker
        /// The borrower's connection: closed after the exit line, or watched for its end.
        var client: FileDescriptor?
    }

    /// Engine → how many idle workers to keep.
    let targets: [String: Int]
    /// The WasmKit worker; the wasmtime one is beside it with "-wasmtime".
    let workerPath: String
    private(set) var idle: [Worker] = []
    private var loans: [Int32: Loan] = [:]
    /// Per engine: consecutive failed spawns or early deaths, and when to try again.
    private var failures: [String: Int] = [:]
    private var retryAt: [String: UInt64] = [:]
    /// When the next refill runs: lent workers are replaced once their run ends, or this long
    /// after the loan, so a replacement's exec does not compete with the run that just began.
    private var refillAt: UInt64?
    static let refillDelay: UInt64 = 50_000_000
    private(set) var lentTotal = 0
    private let null: FileDescriptor?
    /// Set once wardend stops: nothing is started or lent any more.
    private(set) var retired = false

    init(targets: [String: Int], workerPath: String) {
        // A warm worker runs as wardend until its configuration names the run's user, and
        // holds the borrower's descriptors: only a root wardend may keep them (a borrower
        // checks that too). Unprivileged, the pool stays empty, and says why once.
        let wanted = targets.filter { $0.value > 0 }
        if !wanted.isEmpty && ProcessControl.effectiveUserID != 0 {
            SupervisorLog.warning("--warm ignored: warm workers need wardend to run as root (uid \(ProcessControl.effectiveUserID) here); warden run starts its own workers")
        }
        self.targets = ProcessControl.effectiveUserID == 0 ? wanted : [:]
        self.workerPath = workerPath
        null = try? AmbientAuthority(purpose: "wardend: /dev/null for warm workers' standard streams").openFile("/dev/null", flags: O_RDWR)
    }

    var isEnabled: Bool { !targets.isEmpty }

    func path(engine: String) -> String { engine == "wasmtime" ? workerPath + "-wasmtime" : workerPath }

    /// Starts workers until each engine has its number idle (an engine that keeps failing waits
    /// out its back-off).
    func fill() {
        guard !retired else { return }
        let now = SystemClock.monotonicNow()
        refillAt = nil
        for (engine, target) in targets.sorted(by: { $0.key < $1.key }) {
            if let retry = retryAt[engine], now < retry { continue }
            retryAt[engine] = nil
            while idle.filter({ $0.engine == engine }).count < target {
                guard let worker = spawn(engine: engine) else { break }
                idle.append(worker)
            }
        }
    }

    private func spawn(engine: String) -> Worker? {
        let executable = path(engine: engine)
        do throws(Errno) {
            let (ours, theirs) = try ChildProcess.socketPair()
            defer { try? theirs.close() }
            let placeholder = try FileDescriptor.sealedMemory(named: "warden-module-placeholder", holding: [])
            defer { try? placeholder.close() }
            // Standard input and output /dev/null, error wardend's (the journal), until the
            // borrower's arrive with the configuration. `--warm ENGINE`: prepare a default run's
            // seccomp program and network namespace while idle (`WarmPreparation`).
            let quiet = null?.rawValue ?? 2
            let pid: pid_t
            do { pid = try ChildProcess.spawn(executable, arguments: ["warden-worker", "--warm", engine], layout: [quiet, quiet, 2, theirs.rawValue, placeholder.rawValue]) } catch {
                try? ours.close()
                throw error
            }
            // Its start (exec, the engine's library, `WarmPreparation`) takes CPU only nothing
            // else wants: a refill never slows the run that just ended's successor. The worker
            // returns to normal scheduling when a run configures it.
            _ = ProcessControl.runOnlyWhenIdle(pid)
            let pidfd: FileDescriptor
            do { pidfd = try ChildProcess.pidfd(for: pid) } catch {
                ChildProcess.signal(pid, .kill)
                ChildProcess.reap(pid)
                try? ours.close()
                throw error
            }
            return Worker(engine: engine, pid: pid, pidfd: pidfd, control: ours)
        } catch {
            failed(engine, "cannot start \(executable): \(error)")
            return nil
        }
    }

    private func failed(_ engine: String, _ why: String) {
        let count = (failures[engine] ?? 0) + 1
        failures[engine] = count
        // 1s, 2s, 4s ... up to a minute: a missing or broken worker is not retried in a loop.
        let delay = min(UInt64(1_000_000_000) << UInt64(min(count - 1, 6)), 60_000_000_000)
        retryAt[engine] = SystemClock.monotonicNow() &+ delay
        SupervisorLog.warning("warm \(engine) worker: \(why); trying again in \(delay / 1_000_000_000)s")
    }

    var descriptors: [FileDescriptor] {
        idle.map(\.pidfd) + loans.values.flatMap { [$0.worker.pidfd] + ($0.client.map { [$0] } ?? []) }
    }

    var nextDeadline: UInt64? {
        retired ? nil : ([refillAt] + retryAt.values.map { Optional($0) }).compactMap { $0 }.min()
    }

    func fireTimers(_ now: UInt64) {
        if let refillAt, now >= refillAt { fill() }
        if retryAt.values.contains(where: { now >= $0 }) { fill() }
    }

    /// Lends an idle worker to the peer of `client` (whose request line was "warm ENGINE
    /// FORMAT"); answers and keeps or closes the connection.
    func lend(_ words: [String], to client: FileDescriptor, peerUID: uid_t) {
        func refuse(_ why: String) {
            ControlServer.send(client, "error: \(why)\n")
            try? client.close()
        }
        guard words.count == 3, let format = UInt32(words[2]) else { return refuse("usage: warm ENGINE FORMAT") }
        let engine = words[1]
        guard peerUID == 0 else {
            return refuse("warm workers serve root only (one runs as wardend's user until its configuration names the run's); start your own worker")
        }
        guard format == WorkerConfiguration.formatVersion else {
            return refuse("this wardend speaks worker configuration format \(WorkerConfiguration.formatVersion), not \(format) (restart wardend after an upgrade)")
        }
        guard !retired else { return refuse("wardend is stopping") }
        guard let index = idle.firstIndex(where: { $0.engine == engine }) else {
            return refuse(targets[engine] == nil ? "wardend keeps no warm \(engine) workers (wardend --warm \(engine)=N)" : "no warm \(engine) worker is idle right now")
        }
        let worker = idle.remove(at: index)
        let reply = Array("ok warm \(worker.pid) \(ProcessControl.currentID)\n".utf8)
        let sent = reply.withUnsafeBytes { raw in
            Result { () throws(Errno) in try client.send(raw, passing: [worker.control, worker.pidfd]) }
        }
        try? worker.control.close()
        lentTotal += 1
        if refillAt == nil { refillAt = SystemClock.monotonicNow() &+ Self.refillDelay }
        guard case .success(let count) = sent, count == reply.count else {
            // The borrower never got it: the worker is ended and reaped as a loan without one.
            SupervisorLog.warning("warm \(engine) worker pid \(worker.pid): the answer to its borrower could not be sent; ended")
            try? worker.pidfd.sendSignal(.kill)
            try? client.close()
            loans[worker.pidfd.rawValue] = Loan(worker: worker, client: nil)
            return
        }
        try? client.setNonBlocking(true)
        loans[worker.pidfd.rawValue] = Loan(worker: worker, client: client)
    }

    func service(_ ready: Set<Int32>) {
        var gone: [Worker] = []
        idle.removeAll { worker in
            guard ready.contains(worker.pidfd.rawValue) else { return false }
            gone.append(worker)
            return true
        }
        for worker in gone {
            // An idle worker has nothing to do: its end is a failure (a broken install, a
            // kill from outside).
            let ended = ChildProcess.reap(worker.pid)
            try? worker.pidfd.close()
            try? worker.control.close()
            failed(worker.engine, "pid \(worker.pid) ended while idle (wait status \(ended.status))")
        }
        for (key, var loan) in loans {
            if let client = loan.client, ready.contains(client.rawValue), Self.hungUp(client) {
                // The borrower may only wait: any byte or its end ends the worker it borrowed.
                SupervisorLog.info("warm \(loan.worker.engine) worker pid \(loan.worker.pid): its borrower went away; ended")
                try? loan.worker.pidfd.sendSignal(.kill)
                try? client.close()
                loan.client = nil
                loans[key] = loan
            }
            if ready.contains(loan.worker.pidfd.rawValue) { finish(key) }
        }
        if !gone.isEmpty { fill() }
    }

    /// Whether a borrower's connection has ended or carried a byte (either ends the loan). A
    /// poll result from the same pass as its request can say readable when nothing is left.
    static func hungUp(_ client: FileDescriptor) -> Bool {
        var byte: UInt8 = 0
        do throws(Errno) {
            _ = try withUnsafeMutableBytes(of: &byte) { raw throws(Errno) in try client.read(into: raw) }
            return true
        } catch {
            return error != .wouldBlock
        }
    }

    /// Reaps a lent worker and tells its borrower how it ended.
    private func finish(_ key: Int32) {
        guard let loan = loans.removeValue(forKey: key) else { return }
        let ended = ChildProcess.reap(loan.worker.pid)
        try? loan.worker.pidfd.close()
        failures[loan.worker.engine] = nil
        if let client = loan.client {
            ControlServer.send(client, "exited \(ended.status) \(ended.cpuNanoseconds)\n")
            try? client.close()
        }
        fill()
    }

    /// wardend is stopping: idle workers are ended and reaped, none is started or lent again;
    /// runs on lent ones go on until `close`.
    func retire() {
        retired = true
        refillAt = nil
        retryAt.removeAll()
        // Reaped when their pidfds say they are gone, as loans without a borrower: a worker
        // stuck in the kernel never blocks the reactor here.
        for worker in idle {
            try? worker.pidfd.sendSignal(.kill)
            try? worker.control.close()
            loans[worker.pidfd.rawValue] = Loan(worker: worker, client: nil)
        }
        idle = []
    }

    /// wardend's loop has ended: lent workers are ended too, and their borrowers hear how.
    func close() {
        retire()
        for loan in loans.values { try? loan.worker.pidfd.sendSignal(.kill) }
        for key in Array(loans.keys) { finish(key) }
        try? null?.close()
    }

    /// One engine's share of the pool, for `warden status`.
    struct EngineState {
        let engine: String
        let target: Int
        let idle: [pid_t]
        let lent: [pid_t]
    }

    var states: [EngineState] {
        targets.keys.sorted().map { engine in
            EngineState(engine: engine, target: targets[engine] ?? 0, idle: idle.filter { $0.engine == engine }.map(\.pid),
                        lent: loans.values.filter { $0.worker.engine == engine }.map(\.worker.pid).sorted())
        }
    }
}
