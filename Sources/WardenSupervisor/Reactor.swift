import Synchronization
import WardenPolicy
import WardenLauncher
import WardenSystem

/// The supervisor's one event loop, on one dedicated thread that lives as long as wardend:
/// it spawns every worker (PR_SET_PDEATHSIG follows the spawning *thread*), polls their
/// pidfds, control sockets and seccomp listeners, accepts connections, serves the control
/// socket and keeps every timer. Other threads only post commands.
final class Reactor: @unchecked Sendable {
    enum Command: Sendable { case reload, shutdown }

    let options: SupervisorOptions
    let authority = AmbientAuthority(purpose: "wardend: policies, modules, grants, sockets, audit logs")
    private let wake: WakeupEvent
    private let commands = Mutex<[Command]>([])
    private let done = Mutex<(finished: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    // Reactor-thread state.
    var modules: [String: ModuleRuntime] = [:]
    let listeners: ListenerPool
    var control: ControlServer?
    let notifier = SystemdNotifier()
    let limits: ResourceControl
    var shuttingDown = false
    var shutdownDeadline: UInt64?
    let refusalLog = RateLimitedLog(perSecond: 5)
    /// Workers kept exec'd for `warden run` to borrow (`--warm`).
    let warm: WarmPool

    init(options: SupervisorOptions, initial: PolicyDirectory, activated: [String: FileDescriptor], control: ControlServer?) throws(SupervisorError) {
        self.options = options
        do throws(Errno) { wake = try WakeupEvent() } catch { throw .startup("wardend: eventfd: \(error)") }
        listeners = ListenerPool(activated: activated)
        self.control = control
        limits = ResourceControl.detect()
        warm = WarmPool(targets: options.warm, workerPath: options.workerPath)
        for entry in initial.entries {
            modules[entry.policy.module.name] = ModuleRuntime(file: entry.file, policy: entry.policy, policyDigest: entry.digest, options: options)
        }
    }

    // MARK: Other threads

    func post(_ command: Command) {
        commands.withLock { $0.append(command) }
        wake.signal()
    }

    /// Returns once the loop has ended (after a shutdown).
    func finished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = done.withLock { state in
                if state.finished { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Starts the loop on its own thread.
    func start() throws(SupervisorError) {
        do throws(Errno) { try SystemThread.startDetached { [self] in run() } } catch {
            throw .startup("wardend: starting the supervisor thread: \(error)")
        }
    }

    // MARK: The loop

    func run() {
        for module in modules.values.sorted(by: { $0.name < $1.name }) { start(module) }
        warm.fill()
        notifier.send("READY=1\nSTATUS=\(summary())")
        while true {
            var requests = [PollRequest(descriptor: wake.descriptor, events: PollRequest.readable)]
            requests += pollDescriptors().map { PollRequest(descriptor: $0, events: PollRequest.readable) }
            let now = SystemClock.monotonicNow()
            let timeout = nextDeadline().map { $0 > now ? $0 - now : 0 }
            _ = try? ppoll(&requests, timeoutNanoseconds: timeout)
            let ready = Set(requests.filter { $0.returnedEvents != 0 }.map(\.descriptor.rawValue))
            if ready.contains(wake.descriptor.rawValue) {
                wake.drain()
                for command in commands.withLock({ pending in defer { pending = [] }; return pending }) {
                    switch command {
                    case .reload: _ = reload()
                    case .shutdown: beginShutdown()
                    }
                }
            }
            service(ready)
            fireTimers()
            if shuttingDown && modules.values.allSatisfy({ $0.worker == nil }) { break }
        }
        listeners.closeAll()
        warm.close()
        control?.close()
        notifier.send("STATUS=stopped")
        let waiters = done.withLock { state in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func pollDescriptors() -> [FileDescriptor] {
        var list: [FileDescriptor] = (control?.descriptors ?? []) + warm.descriptors
        for module in modules.values {
            if let worker = module.worker { list += worker.descriptors }
            list += module.instances.values.map { $0.pidfd }
            if acceptsConnections(module) { list += module.listenSockets }
        }
        return list
    }

    private func service(_ ready: Set<Int32>) {
        if let control { control.service(ready, reactor: self) }
        warm.service(ready)
        for module in modules.values {
            if acceptsConnections(module) {
                for socket in module.listenSockets where ready.contains(socket.rawValue) { accept(on: socket, for: module) }
            }
            for (pid, instance) in module.instances where ready.contains(instance.pidfd.rawValue) {
                try? instance.pidfd.close()
                module.instances[pid] = nil
            }
            guard let worker = module.worker else { continue }
            for event in worker.service({ ready.contains($0.rawValue) }) { handle(event, of: module) }
        }
    }

    private func handle(_ event: WorkerProcess.Event, of module: ModuleRuntime) {
        switch event {
        case .ready(let layers):
            module.lastLayers = layers
            if module.state == .starting { module.state = .running }
            SupervisorLog.info("module \"\(module.name)\": started (\(module.mode.rawValue), pid \(module.worker?.pid ?? 0))")
            notifier.send("STATUS=\(summary())")
        case .refusedSyscall(let notification, let ended):
            SupervisorLog.warning("module \"\(module.name)\": the kernel refused \(WorkerProcess.describe(notification)) in pid \(notification.pid)\(ended ? "; ended" : "")")
        case .wallTimeExceeded(let limit):
            SupervisorLog.warning("module \"\(module.name)\": exceeded its wall-time limit (\(limit)); ended")
        case .auditFailed(let error):
            SupervisorLog.error("module \"\(module.name)\": \(RunAuditor.auditFailureText(error))")
        case .instanceStarted(let pid, let pidfd):
            module.handoffs = max(0, module.handoffs - 1)
            module.connectionsServed += 1
            if let pidfd { module.instances[pid] = ModuleRuntime.Instance(pidfd: pidfd, startedAt: SystemClock.monotonicNow()) }
        case .instanceEnded(let pid, let status):
            // Ended for its connection-wall-time: 124, as `warden run` exits past its wall-time.
            module.lastExitCode = module.wallTimeKilled.remove(pid) != nil ? WardenLauncher.ExitStatus.wallTime
                : status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        case .exited(let exit):
            workerGone(module, exit)
        }
    }

    // MARK: Timers

    private func nextDeadline() -> UInt64? {
        var soonest: UInt64?
        func consider(_ time: UInt64?) { if let time { soonest = min(soonest ?? time, time) } }
        consider(shutdownDeadline)
        consider(notifier.nextWatchdog)
        consider(control?.nextDeadline)
        consider(warm.nextDeadline)
        for module in modules.values {
            if case .backingOff(let until) = module.state { consider(until) }
            consider(module.acceptPausedUntil)
            consider(module.stopDeadline)
            consider(module.worker?.deadline)
            let wall = module.policy.service.connectionWallTime.nanoseconds
            for instance in module.instances.values where !instance.killed { consider(instance.startedAt &+ wall) }
        }
        return soonest
    }

    private func fireTimers() {
        let now = SystemClock.monotonicNow()
        notifier.watchdogIfDue(now)
        control?.expire(now)
        warm.fireTimers(now)
        if let deadline = shutdownDeadline, now >= deadline {
            for module in modules.values { endEverything(module, reason: "the grace period ended") }
            shutdownDeadline = nil
        }
        for module in modules.values {
            if case .backingOff(let until) = module.state, now >= until, !shuttingDown { start(module) }
            if let paused = module.acceptPausedUntil, now >= paused { module.acceptPausedUntil = nil }
            if let deadline = module.stopDeadline, now >= deadline {
                module.stopDeadline = nil
                endEverything(module, reason: "it did not stop within the grace period")
            }
            let wall = module.policy.service.connectionWallTime
            for (pid, instance) in module.instances where !instance.killed && now >= instance.startedAt &+ wall.nanoseconds {
                module.instances[pid]?.killed = true
                module.wallTimeKilled.insert(pid)
                try? instance.pidfd.sendSignal(.kill)
                module.prepared?.auditor.recordLimit("connection-wall-time", value: wall.limitText, pid: pid)
            }
        }
    }

    func endEverything(_ module: ModuleRuntime, reason: String) {
        guard let worker = module.worker else { return }
        SupervisorLog.warning("module \"\(module.name)\": ending pid \(worker.pid): \(reason)")
        for instance in module.instances.values { try? instance.pidfd.sendSignal(.kill) }
        worker.stop(because: reason)
    }

    func summary() -> String {
        let running = modules.values.filter { $0.state == .running }.count
        let failed = modules.values.filter { if case .failed = $0.state { true } else { false } }.count
        return "\(modules.count) modules: \(running) running, \(failed) failed"
    }
}

/// At most `perSecond` lines a second; the rest are counted and summarised, never dropped silently.
final class RateLimitedLog {
    let perSecond: Int
    private var windowStart: UInt64 = 0
    private var written = 0
    private var suppressed = 0

    init(perSecond: Int) { self.perSecond = perSecond }

    func warning(_ line: String) {
        let now = SystemClock.monotonicNow()
        if now &- windowStart >= 1_000_000_000 {
            if suppressed > 0 { SupervisorLog.warning("suppressed \(suppressed) similar messages") }
            windowStart = now
            written = 0
            suppressed = 0
        }
        if written < perSecond {
            written += 1
            SupervisorLog.warning(line)
        } else {
            suppressed += 1
        }
    }
}
