// Glibc for constants and types only: pid_t, EPERM
import Glibc
import WardenAuthoring
import WardenHardening
import WardenIPC
import WardenSystem

/// One running `warden-worker`, served without blocking from someone else's poll loop: the
/// supervisor watches many at once, `warden run` (`WorkerLauncher.run(readModule:)`) just this one. From
/// the moment it is spawned the worker may be compromised, so nothing it sends or withholds
/// can block the caller; the kernel's refusals come through its seccomp listener; a pidfd
/// says when it is gone; its own final report counts only if it then exited normally.
///
/// Not thread-safe: one thread owns it (and must be the thread that lives as long as the
/// worker should, for PR_SET_PDEATHSIG).
public final class WorkerProcess {
    public enum Event {
        case ready(layers: [String])
        /// The kernel refused a call; `ended` when the answer was to end the worker.
        case refusedSyscall(SeccompNotification, ended: Bool)
        /// A zygote forked an instance; `pidfd` when it is still the zygote's child (nil: it is
        /// already gone) / reaped one.
        case instanceStarted(pid: pid_t, pidfd: FileDescriptor?)
        case instanceEnded(pid: pid_t, status: Int32)
        /// The worker ran past its wall-time limit and is being ended (a `limit` event is
        /// written); its `exited` follows.
        case wallTimeExceeded(limit: String)
        /// Its audit events can no longer be written and the policy fails closed
        /// (`[audit] on-failure = "stop"`): the worker is being ended; its `exited` follows.
        case auditFailed(Errno)
        /// The worker is gone and reaped.
        case exited(WorkerExit)
    }

    /// Why a worker could not be started: the step, and the kernel's answer.
    struct SpawnFailure: Error {
        enum Step { case controlSocket, spawn, pidfd }
        let step: Step
        let errno: Errno

        /// "creating the control socket", "starting /usr/bin/warden-worker", "pidfd_open".
        func what(worker: String) -> String {
            switch step {
            case .controlSocket: "creating the control socket"
            case .spawn: "starting \(worker)"
            case .pidfd: "pidfd_open"
            }
        }
    }

    public let pid: pid_t
    public let pidfd: FileDescriptor
    let control: ControlChannel
    /// The run's options, audit room and rendering of outcomes.
    let launcher: WorkerLauncher
    /// Set for a per-connection zygote, which forks instances.
    let perConnection: PerConnectionSettings?
    /// When the worker was configured (spawned, until then): its wall time counts from here,
    /// so a launcher that spawns first and compiles an artifact meanwhile does not charge the
    /// compile to the module.
    public private(set) var startedAt: UInt64
    /// The wall-time limit of the whole run (nil: none; a zygote's instances have their own).
    let wallTime: Duration?
    public private(set) var wallTimeExceeded = false
    /// Ended because its audit events could no longer be written (why).
    private var auditStopped: Errno?
    private var reader: FrameReader
    private var listener: SeccompNotificationListener?
    private var receivedListener = false
    public private(set) var isReady = false
    private var controlOpen = true
    private var final: WorkerMessage?
    private var violation: String?
    private var killedFor: SeccompNotification?
    /// When a worker that closed its control socket must be gone by.
    private var graceEnds: UInt64?
    public private(set) var layers: [String] = []
    /// A worker borrowed from wardend (`WarmLoan`): the connection wardend says how it ended
    /// on. nil for a worker this process spawned (and reaps).
    private let lender: FileDescriptor?
    /// A compile-only worker (`ArtifactCompiler`): its serialized code, as the parts arrive.
    var collectsArtifact = false
    public private(set) var artifact: [UInt8] = []

    /// Spawns `worker` for `module` and sends its configuration.
    public convenience init(worker: String, module: PreparedModule) throws(RunError) {
        // Restarts share the sealed image: each worker reads it from the start.
        _ = try? module.image.seek(offset: 0, from: .start)
        // A module on wasmtime runs in the worker that carries it, beside the WasmKit one.
        let worker = module.options.engine == "wasmtime" ? worker + "-wasmtime" : worker
        do {
            try self.init(worker: worker, layout: module.layout(control:), launcher: module.launcher, perConnection: module.perConnection,
                          wallTime: module.perConnection == nil ? module.policy.limits.wallTime : nil)
        } catch {
            throw .grant("module \"\(module.name)\": \(error.what(worker: worker)): \(error.errno)")
        }
        configure(module.workerConfiguration())
    }

    /// Spawns `worker` with the descriptors `layout(control)` puts at their fixed numbers; the
    /// caller sends the configuration (`configure`) once it has what the worker needs.
    init(worker: String, layout: (Int32) -> [Int32], launcher: WorkerLauncher, perConnection: PerConnectionSettings?,
         wallTime: Duration?) throws(SpawnFailure) {
        let ours: FileDescriptor, theirs: FileDescriptor
        do { (ours, theirs) = try ChildProcess.socketPair() } catch { throw SpawnFailure(step: .controlSocket, errno: error) }
        // Senders attested from the first byte: the kernel records a sender only while
        // SO_PASSCRED is on. Without it (never expected) every report is the worker's.
        var reader = FrameReader(socket: ours)
        try? reader.attestSenders()
        let child: pid_t
        do {
            defer { try? theirs.close() }
            child = try ChildProcess.spawn(worker, arguments: ["warden-worker"], layout: layout(theirs.rawValue))
        } catch {
            try? ours.close()
            throw SpawnFailure(step: .spawn, errno: error)
        }
        do { pidfd = try ChildProcess.pidfd(for: child) } catch {
            ChildProcess.signal(child, .kill)
            ChildProcess.reap(child)
            try? ours.close()
            throw SpawnFailure(step: .pidfd, errno: error)
        }
        pid = child
        self.launcher = launcher
        self.perConnection = perConnection
        self.wallTime = wallTime
        control = ControlChannel(socket: ours)
        self.reader = reader
        lender = nil
        startedAt = SystemClock.monotonicNow()
        launcher.options.learner?.spawnedAt = startedAt
    }

    /// A warm worker wardend lent: served like a spawned one, reaped by wardend.
    init(borrowing loan: WarmLoan, launcher: WorkerLauncher, wallTime: Duration?) {
        var reader = FrameReader(socket: loan.control)
        try? reader.attestSenders()
        pid = loan.pid
        pidfd = loan.pidfd
        lender = loan.lender
        self.launcher = launcher
        perConnection = nil
        self.wallTime = wallTime
        control = ControlChannel(socket: loan.control)
        self.reader = reader
        startedAt = SystemClock.monotonicNow()
        launcher.options.learner?.spawnedAt = startedAt
    }

    /// Sends the worker its configuration (and a descriptor with it: the network namespace to
    /// join). A worker that cannot be told is ended. From here the control socket is read
    /// without blocking.
    /// `image`: the module image, when the spawn layout held only a placeholder at its number
    /// (`imageFollows`); it travels with the configuration, after the namespace, in the same
    /// message: the worker gets the configuration and its descriptors together or not at all.
    /// `layout`: a borrowed worker's standard input, output, error, grants and listeners
    /// (`layoutFollows`), after the image in the same message.
    func configure(_ configuration: WorkerConfiguration, passing descriptor: FileDescriptor? = nil, image: FileDescriptor? = nil,
                   layout: [FileDescriptor] = []) {
        var configuration = configuration
        configuration.imageFollows = image != nil
        if lender != nil {
            configuration.layoutFollows = true
            configuration.fileCreationMask = ProcessControl.fileCreationMask
        }
        startedAt = SystemClock.monotonicNow()
        do {
            try control.send(configuration.encoded(), passing: [descriptor, image].compactMap { $0 } + layout)
        } catch {
            end("cannot be configured (\(error))")
        }
        if let flags = try? control.socket.statusFlags() { try? control.socket.setStatusFlags(flags | O_NONBLOCK) }
    }

    deinit {
        reader.closeStrays()
        try? control.socket.close()
        try? pidfd.close()
        try? lender?.close()
    }

    /// What to poll for readability.
    public var descriptors: [FileDescriptor] {
        var list = [pidfd]
        if controlOpen { list.append(control.socket) }
        if let listener { list.append(listener.descriptor) }
        return list
    }

    /// The deadline (CLOCK_MONOTONIC ns) this worker needs to be looked at by, if any.
    public var deadline: UInt64? { [graceEnds, wallTimeExceeded ? nil : wallDeadline].compactMap { $0 }.min() }

    private var wallDeadline: UInt64? { wallTime.map { startedAt &+ $0.nanoseconds } }

    /// A signal that ended `warden run` (SIGTERM, SIGINT...): the worker was ended for it.
    public private(set) var launcherSignal: Int32?

    /// `warden run` received `signal`: the worker is ended and its exit names the signal.
    public func endForSignal(_ signal: Int32) {
        if launcherSignal == nil { launcherSignal = signal }
        try? pidfd.sendSignal(.kill)
    }

    /// Why the supervisor ended this worker on purpose (`warden stop`, `warden restart`, a
    /// reload, shutdown), if it did: its end is that, not a crash.
    public private(set) var stopReason: String?

    /// Ends the worker now on the supervisor's decision: its exit says `reason` (cause
    /// `.stopped`), not that the worker was killed by a signal for reasons of its own.
    public func stop(because reason: String) {
        if stopReason == nil { stopReason = reason }
        try? pidfd.sendSignal(.kill)
    }

    /// Ends the worker now (SIGKILL through the pidfd: never a recycled pid).
    public func end(_ reason: String? = nil) {
        if let reason, violation == nil { violation = reason }
        try? pidfd.sendSignal(.kill)
    }

    /// Sends `signal` (SIGTERM asks a zygote to drain).
    public func signal(_ number: Int32) { try? pidfd.sendSignal(SignalNumber(rawValue: number)) }

    /// Hands a zygote one accepted connection; the caller closes its copy afterwards.
    public func pass(connection: FileDescriptor) throws(Errno) {
        // The control socket is non-blocking here: a zygote that stopped reading fails the
        // send (EAGAIN) rather than stalling the supervisor.
        try control.send(SupervisorMessage.connection.encoded(), passing: connection)
    }

    /// Does whatever is ready (`ready(fd)` says whether a descriptor polled readable).
    public func service(_ ready: (FileDescriptor) -> Bool) -> [Event] {
        var events: [Event] = []
        if let active = listener, ready(active.descriptor) { events += answerRefusal(active) }
        if controlOpen, ready(control.socket) { events += readControl() }
        let now = SystemClock.monotonicNow()
        if let graceEnds, now >= graceEnds { end() }
        if let wallTime, let wallDeadline, !wallTimeExceeded, now >= wallDeadline, !ready(pidfd) {
            wallTimeExceeded = true
            launcher.auditor.recordLimit("wall-time", value: wallTime.limitText, pid: pid)
            end()
            events.append(.wallTimeExceeded(limit: wallTime.limitText))
        }
        // Fail closed: a module whose refusals can no longer be recorded does not run on.
        if auditStopped == nil, let error = launcher.auditor.auditFailure {
            auditStopped = error
            launcher.auditor.auditFailed(error, pid: pid)
            end()
            events.append(.auditFailed(error))
        }
        if ready(pidfd) {
            launcher.options.timeline?.mark("worker exited")
            events.append(.exited(reap()))
        }
        return events
    }

    private func answerRefusal(_ active: SeccompNotificationListener) -> [Event] {
        guard let notification = try? active.receive() else {
            if !active.isReadable { listener = nil }
            return []
        }
        // Per-connection workers: a self-signal continues (the filter cannot pin the pid).
        if perConnection != nil, SeccompNotificationListener.isSelfSignal(notification) {
            try? active.allowSelfSignal(notification)
            return []
        }
        launcher.options.learner?.refused(layer: "seccomp", operation: notification.syscallName, preopen: nil, path: nil, reason: "syscall")
        if launcher.options.onSyscallViolation == "errno" {
            launcher.auditor.recordSyscall(notification, action: "denied", errno: "EPERM")
            try? active.deny(notification, errno: EPERM)
            return [.refusedSyscall(notification, ended: false)]
        }
        launcher.auditor.recordSyscall(notification, action: "killed", errno: nil)
        if notification.pid != pid {
            // An instance of a zygote: end that instance, not the service.
            ChildProcess.signal(notification.pid, .kill)
        } else {
            if killedFor == nil { killedFor = notification }
            end()
        }
        return [.refusedSyscall(notification, ended: true)]
    }

    private func readControl() -> [Event] {
        let frames: [FrameReader.Event]
        do { frames = try reader.drain() } catch {
            controlOpen = false
            end("unreadable control stream (\(error))")
            return []
        }
        var events: [Event] = []
        for frame in frames {
            guard case .frame(let payload, let passed, let sender) = frame else {
                // The worker has nothing more to say: it must be gone shortly.
                controlOpen = false
                graceEnds = SystemClock.monotonicNow() &+ 2_000_000_000
                launcher.options.timeline?.mark("worker hung up")
                continue
            }
            guard let message = try? WorkerMessage.decode(payload) else {
                if let passed { try? passed.close() }
                end("malformed message")
                continue
            }
            // A zygote's instances share its control socket: their refusals are theirs (the
            // kernel names the sender), and every other message must come from the worker.
            // Bytes of one frame from two processes: no one may be credited with it.
            if reader.attested && sender == nil {
                if let passed { try? passed.close() }
                end("a frame written by more than one process")
                continue
            }
            let from = sender ?? pid
            if from != pid {
                switch message {
                case .denial, .kernelRefusal, .limitReached: break
                default:
                    if let passed { try? passed.close() }
                    end("a message only the worker may send, from pid \(from)")
                    continue
                }
            }
            if case .listener = message, let passed, !receivedListener, !isReady {
                listener = SeccompNotificationListener(descriptor: passed)
                receivedListener = true
                continue
            }
            if let passed { try? passed.close() }
            switch message {
            case .listener: end("unexpected listener message")
            case .ready(let reported):
                guard !isReady else { end("a second ready message"); continue }
                isReady = true
                layers = reported
                launcher.auditor.noteLayers(reported)
                // Refusals must reach warden: a worker ready without its listener is not.
                if !receivedListener && launcher.expectsListener { end("ready without a notification listener") }
                events.append(.ready(layers: reported))
            case .denial(let operation, let fd, let preopen, let path, let reason, let errno):
                launcher.auditor.record(operation: operation, fd: fd, preopen: preopen, path: path, reason: reason, errno: errno, pid: from)
                launcher.options.learner?.refused(layer: "wasi", operation: operation, preopen: preopen, path: path, reason: reason)
            case .kernelRefusal(let operation, let fd, let preopen, let path, let errno):
                launcher.auditor.recordKernelRefusal(operation: operation, fd: fd, preopen: preopen, path: path, errno: errno, pid: from)
            case .limitReached(let limit, let requested):
                guard limit == "memory" else { end("unknown limit"); continue }
                launcher.auditor.recordMemoryRefused(requested: requested, pid: from)
            case .timeline(let names, let times):
                guard let timeline = launcher.options.timeline, isReady, final == nil else { end("unexpected timeline message"); continue }
                timeline.merge(names: names, times: times)
            case .accesses(let batch):
                guard let learner = launcher.options.learner, isReady, final == nil else { end("unexpected accesses message"); continue }
                if !learner.add(batch, preopenCount: launcher.configuration.preopens.count) {
                    end("more than \(AccessLearner.distinctLimit) distinct accesses, or one outside the grants")
                }
            case .usage(let memory, let fuel, let descriptors, let environment):
                guard let learner = launcher.options.learner, isReady, final == nil, !learner.usageReported else {
                    end("unexpected usage message")
                    continue
                }
                learner.usage(memoryBytes: memory, fuelConsumed: fuel, peakOpenDescriptors: descriptors, environmentRead: environment)
            case .instanceStarted(let child):
                guard perConnection != nil else { end("instance report from a worker that does not fork"); continue }
                // Track the pid only if it is this worker's child, checked through a pidfd so
                // the answer cannot change under us. A quick instance may already be reaped
                // (or its pid even reused) by the time this is read: then there is nothing to
                // track or end, and a forged report can never point the supervisor's signals
                // at a process that is not the zygote's.
                events.append(.instanceStarted(pid: child, pidfd: Self.childPidfd(child, of: pid)))
            case .instanceEnded(let child, let status): events.append(.instanceEnded(pid: child, status: status))
            case .artifact(let part):
                guard collectsArtifact, isReady, final == nil, artifact.count + part.count <= ArtifactCache.maximumArtifact else {
                    end("unexpected compiled code")
                    continue
                }
                artifact += part
            case .signaled(let signal) where !(1...64).contains(signal): end("impossible signal \(signal)")
            default:
                if final == nil { final = message } else { end("a second final report") }
            }
        }
        return events
    }

    /// `ptrace(0x10, 0x1, ...)`: a refused call as the kernel saw it.
    public static func describe(_ notification: SeccompNotification) -> String { WorkerLauncher.describe(notification) }

    /// A pidfd for `child` if its parent is `parent` (read after the pidfd pins the process).
    static func childPidfd(_ child: pid_t, of parent: pid_t) -> FileDescriptor? {
        guard child > 0 else { return nil }
        guard let descriptor = try? ChildProcess.pidfd(for: child) else { return nil }
        let stat = (try? AmbientAuthority(purpose: "checking a zygote's instance in /proc").readFile("/proc/\(child)/stat", limit: 4096)) ?? []
        // "pid (comm) state ppid ...": comm may contain spaces and parentheses; read after the last ')'.
        if let close = stat.lastIndex(of: UInt8(ascii: ")")) {
            let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
            if fields.count > 1, let ppid = Int32(String(decoding: fields[1], as: UTF8.self)), ppid == parent {
                return descriptor
            }
        }
        try? descriptor.close()
        return nil
    }

    private func reap() -> WorkerExit {
        // A borrowed worker is wardend's child: wardend reaps it and says how it ended. No
        // word from wardend reads as a kill from outside, never as the worker's success.
        let ended = lender.map { WarmLoan.ended(from: $0) ?? ChildProcess.Ended(status: SIGKILL, cpuNanoseconds: 0) } ?? ChildProcess.reap(pid)
        let status = ended.status
        launcher.options.timeline?.mark("worker reaped")
        if let learner = launcher.options.learner {
            learner.cpuNanoseconds = ended.cpuNanoseconds
            learner.wallNanoseconds = SystemClock.monotonicNow() &- learner.spawnedAt
        }
        // Drain what it said last (its final report may still be unread).
        if controlOpen { _ = readControl() }
        var message = ""
        let code: Int32
        let cause: WorkerExit.Cause
        if let launcherSignal {
            code = ExitStatus.signal(launcherSignal)
            message = "warden received \(WorkerExit.signalName(launcherSignal)); the worker was ended"
            cause = .endedByWarden
        } else if let auditStopped {
            code = ExitStatus.auditFailure
            message = RunAuditor.auditFailureText(auditStopped)
            cause = .auditFailure
        } else if wallTimeExceeded, let wallTime {
            code = ExitStatus.wallTime
            message = "exceeded its wall-time limit (\(wallTime.limitText))"
            cause = .wallTime
        } else if let killedFor {
            cause = .endedByWarden
            code = ExitStatus.signal(SignalNumber.badSystemCall.rawValue)
            message = "the worker was ended for a forbidden system call: \(WorkerLauncher.describe(killedFor))"
        } else if let violation {
            cause = .endedByWarden
            code = ExitStatus.launchFailure
            message = "the worker broke the control protocol (\(violation)); ended"
        } else if let stopReason, status & 0x7f == SIGKILL {
            // Only when the supervisor's SIGKILL is what ended it: a worker that ended on its
            // own first is reported as it ended.
            cause = .stopped
            code = ExitStatus.signal(SIGKILL)
            message = "ended by wardend: \(stopReason)"
        } else {
            cause = .ownEnd
            code = launcher.outcome(final, workerStatus: status, pid: pid) { status, text in
                message = text
                return status
            }
        }
        return WorkerExit(code: code, message: message, waitStatus: status, neverReady: !isReady, cause: cause)
    }
}

/// How a worker ended, as `warden run` would have put it.
public struct WorkerExit: Sendable, Equatable {
    /// `warden run`'s exit status for it: the module's code, 134 trap, 125 launch failure, 128+N.
    public let code: Int32
    /// Why, for the operator ("" for a plain exit).
    public let message: String
    public let waitStatus: Int32
    /// It never finished hardening (a start failure, not the module's).
    public let neverReady: Bool
    public enum Cause: Sendable, Equatable {
        /// It ended on its own (or a signal ended it): `message`, if any, names the module.
        case ownEnd
        /// Warden ended it (a forbidden system call, a broken protocol); `message` does not
        /// name the module.
        case endedByWarden
        /// It ran past its wall-time limit; `message` says so without naming the module.
        case wallTime
        /// Its audit events could no longer be written (`on-failure = "stop"`); `message` says
        /// so without naming the module.
        case auditFailure
        /// The supervisor ended it on purpose (`WorkerProcess.stop(because:)`); `message` says
        /// why without naming the module.
        case stopped
    }
    public let cause: Cause

    public var succeeded: Bool { code == 0 && message.isEmpty }

    /// "SIGTERM" for the signals that end a run, else "signal N".
    public static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        case SIGQUIT: "SIGQUIT"
        default: "signal \(signal)"
        }
    }
    public var summary: String { message.isEmpty ? "exited \(code)" : "status \(code): \(message)" }
}

extension SeccompNotificationListener {
    /// Whether the listener still has anyone behind it (POLLHUP once every filtered process is gone).
    var isReadable: Bool {
        var request = [PollRequest(descriptor: descriptor, events: PollRequest.readable)]
        _ = try? ppoll(&request, timeoutNanoseconds: 0)
        return request[0].returnedEvents & Int16(POLLHUP) == 0
    }
}
