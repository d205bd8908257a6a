import CWardenLinux
import Glibc
import WardenHardening
import WardenIPC
import WardenSystem
import WardenWASI

/// Runs a module in a `warden-worker` process: the launcher keeps the ambient authority (it
/// already opened the module and the grants) and hands the worker only descriptors, at fixed
/// numbers, plus a configuration over the control socket. The worker hardens itself before it
/// reads the module; its reports come back over the same socket.
struct WorkerLauncher {
    let options: RunOptions
    let moduleName: String
    let moduleBytes: [UInt8]
    let configuration: WASIConfiguration
    let auditor: RunAuditor
    /// Resolved by the launcher (which may read /etc/passwd); nil keeps the invoking ids.
    let identity: (uid: UInt32, gid: UInt32)?
    /// The seccomp program and network namespace, prepared on a second thread since the
    /// launch began.
    var preparation: LaunchPreparation? = nil

    /// Why the service account cannot use a granted directory (by its owner, group and mode
    /// bits; ACLs aside), or nil. Warden warns instead of failing: the grant stays as written.
    static func accessProblem(_ directory: FileDescriptor, readWrite: Bool, for identity: (uid: UInt32, gid: UInt32)) -> String? {
        var raw = stat()
        guard fstat(directory.rawValue, &raw) == 0 else { return nil }
        let mode = raw.st_mode
        let bits: UInt32 = raw.st_uid == identity.uid ? (mode >> 6) & 7 : (raw.st_gid == identity.gid ? (mode >> 3) & 7 : mode & 7)
        let needed: UInt32 = readWrite ? 7 : 5
        guard bits & needed != needed else { return nil }
        return "(owner \(raw.st_uid), group \(raw.st_gid), mode \(String(mode & 0o7777, radix: 8))) is not \(readWrite ? "writable" : "readable")"
    }

    /// The account `name` when running as root; nil when not root (ids cannot change anyway).
    static func resolve(user name: String?) throws(RunError) -> (uid: UInt32, gid: UInt32)? {
        guard let name, geteuid() == 0 else { return nil }
        guard let account = getpwnam(name) else {
            throw .grant("user '\(name)' does not exist: create the service account (e.g. with systemd-sysusers) or name another one ([sandbox] user, --user)")
        }
        return (account.pointee.pw_uid, account.pointee.pw_gid)
    }

    /// Whether the worker must hand over a seccomp notification listener (always, unless the
    /// seccomp step itself is skipped for measurement).
    var expectsListener: Bool { Self.expectsListener(options) }
    static func expectsListener(_ options: RunOptions) -> Bool { !options.skippedSteps.contains("seccomp") }

    /// `warden-worker` next to the running `warden` binary.
    static func workerPath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let executable = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = executable.lastIndex(of: "/") else { return nil }
        // String + String: `Substring + String` costs a Swift runtime conformance scan (~40 µs
        // in this binary) on every launch.
        return String(executable[..<slash]) + "/warden-worker"
    }

    func run() -> Int32 {
        func fail(_ status: Int32, _ message: String) -> Int32 {
            try? FileDescriptor.standardError.writeAll("warden: \(RunCommandCore.sanitized(message))\n")
            return status
        }
        guard let worker = Self.workerPath(), access(worker, X_OK) == 0 else {
            return fail(RunCommandCore.ExitStatus.launchFailure, "cannot find warden-worker next to warden")
        }
        let image = moduleBytes.withUnsafeBytes { warden_sealed_memfd("warden-module", $0.baseAddress, $0.count) }
        guard image >= 0 else { return fail(RunCommandCore.ExitStatus.launchFailure, "cannot stage the module: \(Errno.current)") }
        defer { Glibc.close(image) }
        var pair: [Int32] = [-1, -1]
        guard warden_socketpair(&pair) == 0 else { return fail(RunCommandCore.ExitStatus.launchFailure, "cannot create the control socket: \(Errno.current)") }
        defer { Glibc.close(pair[0]) }

        // The fixed layout: stdio, control, module, preopens, listeners.
        var layout: [Int32] = [configuration.stdin.rawValue, configuration.stdout.rawValue, configuration.stderr.rawValue,
                               pair[1], image]
        layout += configuration.preopens.map(\.host.rawValue)
        layout += configuration.listeners.map(\.rawValue)
        var pid: pid_t = 0
        let arguments: [String] = ["warden-worker"]
        let spawned = withCStrings(arguments) { argv in
            withCStrings([]) { envp in warden_spawn_layout(worker, argv, envp, layout, Int32(layout.count), &pid) }
        }
        Glibc.close(pair[1])
        guard spawned == 0 else { return fail(RunCommandCore.ExitStatus.launchFailure, "cannot start warden-worker: \(Errno.current)") }
        options.timeline?.mark("worker spawned")
        options.learner?.spawnedAt = SystemClock.monotonicNow()
        auditor.started(pid: pid)

        let control = ControlChannel(socket: FileDescriptor(rawValue: pair[0]))
        warden_deadline_child(pid)
        // The worker's seccomp program (aimed at its pid) and network namespace, prepared
        // while the worker is being exec'd.
        var setup = workerConfiguration()
        let prepared = preparation?.prepare()
        var namespace: FileDescriptor?
        defer { try? namespace?.close() }
        do throws(HardeningFailure) {
            namespace = try prepared?.networkNamespace.get()
            let template: SeccompProgramTemplate
            if let prepared { template = try prepared.seccomp.get() } else { template = try SeccompFilter.template(plan: Self.seccompPlan(for: options)) }
            setup.hardening.seccompProgram = template.program(forProcess: pid)
        } catch {
            kill(pid, SIGKILL)
            _ = reap(pid)
            return fail(RunCommandCore.ExitStatus.launchFailure, "module '\(moduleName)': \(error.message)")
        }
        setup.hardening.networkNamespacePassed = namespace != nil
        do {
            try control.send(setup.encoded(), passing: namespace)
        } catch {
            kill(pid, SIGKILL)
            _ = reap(pid)
            return fail(RunCommandCore.ExitStatus.launchFailure, "cannot configure warden-worker: \(error)")
        }

        // From here the worker may be compromised: nothing it sends (or withholds) may block
        // the launcher. The control socket is read without blocking and reassembled here; a
        // pidfd says when the worker is gone; the notification listener is served throughout.
        if let flags = try? control.socket.statusFlags() { try? control.socket.setStatusFlags(flags | O_NONBLOCK) }
        let pidfd = warden_pidfd_open(pid)
        defer { if pidfd >= 0 { Glibc.close(pidfd) } }
        var reader = FrameReader(socket: control.socket)
        defer { reader.closeStrays() }
        var final: WorkerMessage?
        var listener: SeccompNotificationListener?
        var killedFor: SeccompNotification?
        var violation: String?
        var controlOpen = true
        var ready = false
        // Whether the listener was handed over (it may hang up, and be dropped, before the
        // worker's ready message is read: a quick worker can exit in between).
        var receivedListener = false
        var graceEnds: UInt64?
        func endWorker(_ reason: String) {
            if violation == nil { violation = reason }
            kill(pid, SIGKILL)
        }
        serving: while true {
            var requests: [PollRequest] = []
            if controlOpen { requests.append(PollRequest(descriptor: control.socket, events: PollRequest.readable)) }
            let listenerSlot = requests.count
            if let listener { requests.append(PollRequest(descriptor: listener.descriptor, events: PollRequest.readable)) }
            let pidSlot = requests.count
            if pidfd >= 0 { requests.append(PollRequest(descriptor: FileDescriptor(rawValue: pidfd), events: PollRequest.readable)) }
            var timeout: UInt64? = pidfd >= 0 ? nil : 50_000_000
            if let graceEnds {
                let now = (try? SystemClock.monotonic.now()) ?? graceEnds
                timeout = graceEnds > now ? min(timeout ?? .max, graceEnds - now) : 0
            }
            do { _ = try ppoll(&requests, timeoutNanoseconds: timeout) } catch { break }

            // Kernel refusals first: the worker is blocked in the refused call until answered.
            if let active = listener {
                let events = requests[listenerSlot].returnedEvents
                if events & Int16(POLLIN) != 0, let notification = try? active.receive() {
                    if options.onSyscallViolation == "errno" {
                        auditor.recordSyscall(notification, action: "denied", errno: "EPERM")
                        options.learner?.refused(layer: "seccomp", operation: notification.syscallName, preopen: nil, path: nil, reason: "syscall")
                        try? active.deny(notification, errno: EPERM)
                    } else {
                        auditor.recordSyscall(notification, action: "killed", errno: nil)
                        options.learner?.refused(layer: "seccomp", operation: notification.syscallName, preopen: nil, path: nil, reason: "syscall")
                        if killedFor == nil { killedFor = notification }
                        kill(pid, SIGKILL)
                    }
                } else if events != 0 && events & Int16(POLLIN) == 0 {
                    listener = nil  // hung up: the worker is gone
                }
            }

            if controlOpen, requests[0].returnedEvents != 0 {
                let events: [FrameReader.Event]
                do { events = try reader.drain() } catch {
                    endWorker("unreadable control stream (\(error))")
                    controlOpen = false
                    continue
                }
                for event in events {
                    switch event {
                    case .endOfStream:
                        controlOpen = false
                        options.timeline?.mark("worker hung up")
                        // The worker has nothing more to say: it must be gone shortly.
                        graceEnds = ((try? SystemClock.monotonic.now()) ?? 0) &+ 2_000_000_000
                    case .frame(let payload, let passed):
                        guard let message = try? WorkerMessage.decode(payload) else {
                            if let passed { try? passed.close() }
                            endWorker("malformed message")
                            continue
                        }
                        switch message {
                        case .listener:
                            if let passed, !receivedListener, !ready {
                                listener = SeccompNotificationListener(descriptor: passed)
                                receivedListener = true
                            } else {
                                if let passed { try? passed.close() }
                                endWorker("unexpected listener message")
                            }
                        case .ready(let layers):
                            if let passed { try? passed.close() }
                            ready = true
                            auditor.noteLayers(layers)
                            // Refusals must reach warden: a worker ready without its listener is not.
                            if !receivedListener && expectsListener { endWorker("ready without a notification listener") }
                        case .denial(let operation, let fd, let preopen, let path, let reason, let errno):
                            if let passed { try? passed.close() }
                            auditor.record(operation: operation, fd: fd, preopen: preopen, path: path, reason: reason, errno: errno, pid: pid)
                            options.learner?.refused(layer: "wasi", operation: operation, preopen: preopen, path: path, reason: reason)
                        case .accesses(let batch):
                            if let passed { try? passed.close() }
                            guard let learner = options.learner, ready, final == nil else {
                                endWorker("unexpected accesses message")
                                continue
                            }
                            if !learner.add(batch, preopenCount: configuration.preopens.count) {
                                endWorker("more than \(AccessLearner.distinctLimit) distinct accesses, or one outside the grants")
                            }
                        case .usage(let memory, let fuel, let descriptors, let environment):
                            if let passed { try? passed.close() }
                            guard let learner = options.learner, ready, final == nil, !learner.usageReported else {
                                endWorker("unexpected usage message")
                                continue
                            }
                            learner.usage(memoryBytes: memory, fuelConsumed: fuel, peakOpenDescriptors: descriptors, environmentRead: environment)
                        case .kernelRefusal(let operation, let fd, let preopen, let path, let errno):
                            if let passed { try? passed.close() }
                            auditor.recordKernelRefusal(operation: operation, fd: fd, preopen: preopen, path: path, errno: errno, pid: pid)
                        case .limitReached(let limit, let requested):
                            if let passed { try? passed.close() }
                            if limit == "memory" { auditor.recordMemoryRefused(requested: requested, pid: pid) } else { endWorker("unknown limit") }
                        case .timeline(let names, let times):
                            if let passed { try? passed.close() }
                            guard options.timeline != nil, ready, final == nil else {
                                endWorker("unexpected timeline message")
                                continue
                            }
                            options.timeline?.merge(names: names, times: times)
                        case .signaled(let signal) where !(1...64).contains(signal):
                            if let passed { try? passed.close() }
                            endWorker("impossible signal \(signal)")
                        default:
                            if let passed { try? passed.close() }
                            if final == nil { final = message } else { endWorker("a second final report") }
                        }
                    }
                }
            }
            if pidfd >= 0, requests[pidSlot].returnedEvents != 0 {
                options.timeline?.mark("worker exited")
                break serving
            }
            if pidfd < 0, !controlOpen {
                // No pidfd (very old kernel): look without reaping, so reap() still gets the status.
                var info = siginfo_t()
                if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid { break serving }
            }
            if let graceEnds, ((try? SystemClock.monotonic.now()) ?? graceEnds) >= graceEnds {
                kill(pid, SIGKILL)
                break serving
            }
        }
        if let killedFor {
            _ = reap(pid)
            return fail(RunCommandCore.ExitStatus.signal(SIGSYS),
                        "module '\(moduleName)': the worker was ended for a forbidden system call: \(Self.describe(killedFor))")
        }
        if let violation {
            _ = reap(pid)
            return fail(RunCommandCore.ExitStatus.launchFailure, "module '\(moduleName)': the worker broke the control protocol (\(violation)); ended")
        }
        let status = reap(pid)
        options.timeline?.mark("worker reaped")
        return outcome(final, workerStatus: status, pid: pid, fail: fail)
    }

    func workerConfiguration() -> WorkerConfiguration {
        var worker = WorkerConfiguration()
        worker.moduleName = moduleName
        worker.arguments = configuration.arguments
        worker.environment = configuration.environment
        worker.preopens = configuration.preopens.map { .init(guestPath: $0.guestPath, readWrite: $0.access == .readWrite) }
        worker.listenerCount = configuration.listeners.count
        worker.maxMemoryBytes = options.maxMemoryBytes.map { UInt64($0) }
        worker.fuel = options.fuel
        worker.learn = options.learner != nil
        worker.maxOpenDescriptors = configuration.maxOpenDescriptors
        var hardening = HardeningSettings()
        // The worker can only lower limits (it never holds CAP_SYS_RESOURCE): never ask for more
        // descriptors than the launcher's own hard limit, or the rlimits step would fail.
        var current = rlimit()
        let wanted = UInt64(configuration.maxOpenDescriptors + 16 + configuration.preopens.count + configuration.listeners.count)
        hardening.openFiles = getrlimit(RLIMIT_NOFILE, &current) == 0 && current.rlim_max != rlim_t.max
            ? min(wanted, UInt64(current.rlim_max)) : wanted
        hardening.cpuSeconds = options.cpuTime.map { UInt64(max(1, $0.components.seconds)) }
        hardening.launcherPID = getpid()
        hardening.namespaces = options.namespaces
        hardening.namespacesRequired = options.namespacesRequired
        hardening.landlock = options.landlock
        hardening.onSyscallViolation = options.onSyscallViolation
        hardening.excludedSyscallGroups = options.excludedSyscallGroups
        hardening.skippedSteps = options.skippedSteps
        hardening.reportTimings = options.timeline != nil
        hardening.reportViolations = expectsListener
        hardening.uid = identity?.uid
        hardening.gid = identity?.gid
        worker.hardening = hardening
        return worker
    }

    /// The filter a worker for `options` gets; the worker rebuilds the same plan from the
    /// settings `workerConfiguration()` sends (`SeccompPlan.worker`), for its report.
    static func seccompPlan(for options: RunOptions) -> HardeningPlan.SeccompPlan {
        .worker(onViolation: options.onSyscallViolation, socketsGranted: !options.tcpListeners.isEmpty,
                reportViolations: expectsListener(options), excludedGroups: options.excludedSyscallGroups)
    }

    func outcome(_ reported: WorkerMessage?, workerStatus: Int32, pid: pid_t, fail: (Int32, String) -> Int32) -> Int32 {
        // The worker's own report counts only if it then exited normally: a death by signal
        // (cpu-time, a kill) wins over whatever a possibly compromised worker claimed first.
        let message = workerStatus & 0x7f == 0 ? reported : nil
        switch message {
        case .exited(let code): return Int32(code & 0xff)
        case .signaled(let signal):
            return fail(RunCommandCore.ExitStatus.signal(signal), "module '\(moduleName)' raised signal \(signal) (\(String(cString: strsignal(signal))))")
        case .trapped(let reason):
            auditor.trapped(reason, pid: pid)
            return fail(RunCommandCore.ExitStatus.trap, "module '\(moduleName)' trapped: \(reason)")
        case .loadFailed(let reason): return fail(RunCommandCore.ExitStatus.launchFailure, "\(options.modulePath): \(reason)")
        case .hardeningFailed(_, _, let text): return fail(RunCommandCore.ExitStatus.launchFailure, "module '\(moduleName)': \(text)")
        case .ready, .denial, .kernelRefusal, .limitReached, .listener, .timeline, .accesses, .usage, .instanceStarted, .instanceEnded, nil: break
        }
        // No final report: the worker died.
        if workerStatus & 0x7f != 0 {
            let signal = workerStatus & 0x7f
            if signal == SIGSYS {
                return fail(RunCommandCore.ExitStatus.signal(signal), "module '\(moduleName)': the kernel ended the worker for a forbidden system call (SIGSYS)")
            }
            if signal == SIGXCPU {
                let limit = options.cpuTime.map { "\(max(1, $0.components.seconds))s" } ?? "RLIMIT_CPU"
                auditor.recordLimit("cpu-time", value: limit, pid: pid)
                return fail(RunCommandCore.ExitStatus.cpuTime, "module '\(moduleName)' exceeded its cpu-time limit (\(limit)); ended")
            }
            auditor.crashed(signal: signal, status: RunCommandCore.ExitStatus.signal(signal))
            return fail(RunCommandCore.ExitStatus.signal(signal), "module '\(moduleName)': worker killed by signal \(signal) (\(String(cString: strsignal(signal))))")
        }
        return fail(RunCommandCore.ExitStatus.launchFailure, "module '\(moduleName)': warden-worker exited with status \((workerStatus >> 8) & 0xff) without a report")
    }

    func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        if let learner = options.learner {
            func nanoseconds(_ time: timeval) -> UInt64 { UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1000 }
            learner.cpuNanoseconds = nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime)
            learner.wallNanoseconds = SystemClock.monotonicNow() &- learner.spawnedAt
        }
        return status
    }
}

extension WorkerLauncher {
    /// `ptrace(0x10, 0x1, 0x0, ...)`: the call as the kernel saw it.
    static func describe(_ notification: SeccompNotification) -> String {
        notification.syscallName + "(" + notification.arguments.map { "0x" + String($0, radix: 16) }.joined(separator: ", ") + ")"
    }
}

/// NULL-terminated C string arrays for exec-style calls.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
