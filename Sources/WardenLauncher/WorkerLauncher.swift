// Glibc for constants and types only: pid_t
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
    let configuration: WASIConfiguration
    let auditor: RunAuditor
    /// Resolved by the launcher (which may read /etc/passwd); nil keeps the invoking ids.
    let identity: (uid: UInt32, gid: UInt32)?
    /// The seccomp program and network namespace, prepared while the worker is exec'd.
    var preparation: LaunchPreparation? = nil

    /// Why the service account cannot use a granted directory (by its owner, group and mode
    /// bits; ACLs aside), or nil. Warden warns instead of failing: the grant stays as written.
    static func accessProblem(_ directory: FileDescriptor, readWrite: Bool, for identity: (uid: UInt32, gid: UInt32)) -> String? {
        guard let status = try? directory.status() else { return nil }
        let mode = status.mode
        let bits: UInt32 = status.owner == identity.uid ? (mode >> 6) & 7 : (status.group == identity.gid ? (mode >> 3) & 7 : mode & 7)
        let needed: UInt32 = readWrite ? 7 : 5
        guard bits & needed != needed else { return nil }
        return "(owner \(status.owner), group \(status.group), mode \(String(mode & 0o7777, radix: 8))) is not \(readWrite ? "writable" : "readable")"
    }

    /// The account `name` when running as root; nil when not root (ids cannot change anyway).
    static func resolve(user name: String?) throws(RunError) -> (uid: UInt32, gid: UInt32)? {
        guard let name, ProcessControl.effectiveUserID == 0 else { return nil }
        guard let account = Accounts.user(named: name) else {
            throw .grant("user '\(name)' does not exist: create the service account (e.g. with systemd-sysusers) or name another one ([sandbox] user, --user)")
        }
        return account
    }

    /// systemd's range for DynamicUser= (61184–65519): documented as unallocated, so no
    /// distribution puts accounts there. Not 65534, which the kernel also uses for ids a user
    /// namespace does not map.
    public static let transientRange: ClosedRange<UInt32> = 61184...65519

    /// `warden run` as root without `--user`: a uid, with the gid of the same number, that
    /// no line of /etc/passwd or /etc/group has, picked from `transientRange` starting at a
    /// place the launcher's pid chooses. No supplementary groups (the capabilities step clears
    /// them). nil when not root (ids cannot change) or the range is used up. The files are
    /// read, not NSS: getpwuid/getgrgid crash the statically linked release binary, and the
    /// range is one no directory service allocates from.
    static func transientIdentity() -> (uid: UInt32, gid: UInt32)? {
        guard geteuid() == 0 else { return nil }
        let authority = AmbientAuthority(purpose: "warden run: the user database, to pick a transient uid")
        let taken = usedIDs(authority, "/etc/passwd", field: 2).union(usedIDs(authority, "/etc/group", field: 2))
        let count = UInt32(transientRange.count)
        let start = UInt32(truncatingIfNeeded: getpid()) % count
        for step in 0..<count {
            let id = transientRange.lowerBound + (start + step) % count
            if !taken.contains(id) { return (id, id) }
        }
        return nil
    }

    /// The numeric ids (colon-separated field `field`) of a passwd- or group-format file.
    static func usedIDs(_ authority: AmbientAuthority, _ path: String, field: Int) -> Set<UInt32> {
        guard let bytes = try? authority.readFile(path, limit: 16 << 20) else { return [] }
        var ids: Set<UInt32> = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: ":"), maxSplits: field + 1, omittingEmptySubsequences: false)
            if fields.count > field, let id = UInt32(String(decoding: fields[field], as: UTF8.self)) { ids.insert(id) }
        }
        return ids
    }

    /// Whether the worker must hand over a seccomp notification listener (always, unless the
    /// seccomp step itself is skipped for measurement).
    var expectsListener: Bool { Self.expectsListener(options) }
    static func expectsListener(_ options: RunOptions) -> Bool { !options.skippedSteps.contains("seccomp") }

    /// The worker executable for `engine`: `warden-worker` (WasmKit, fully static) or
    /// `warden-worker-wasmtime` (dynamically linked to wasmtime's C API).
    static func workerName(engine: String) -> String {
        engine == "wasmtime" ? "warden-worker-wasmtime" : "warden-worker"
    }

    /// The worker for `engine` next to the running `warden` binary.
    static func workerPath(engine: String = "wasmkit") -> String? {
        guard let executable = ProcessControl.executablePath(), let slash = executable.lastIndex(of: "/") else { return nil }
        // String + String: `Substring + String` costs a Swift runtime conformance scan (~40 µs
        // in this binary) on every launch.
        return String(executable[..<slash]) + "/" + workerName(engine: engine)
    }

    /// Why the module cannot be run, in the operator's words (unreadable, pin mismatch).
    struct ModuleRefusal: Error { let text: String }

    /// Runs the module `readModule` reads (with its pin checked), in a worker spawned before it
    /// is called.
    func run(readModule: () -> Result<[UInt8], ModuleRefusal>) -> Int32 {
        func fail(_ status: Int32, _ message: String) -> Int32 {
            try? FileDescriptor.standardError.writeAll("warden: \(OperatorOutput.sanitized(message))\n")
            return status
        }
        // SIGTERM, SIGINT, SIGHUP, SIGQUIT end the run through the loop below: the worker is
        // ended and the audit log closes with an event naming the signal. (The worker starts
        // with an empty signal mask: the spawn resets it.)
        let signals = TerminationSignals.descriptor()
        defer { try? signals?.close() }

        // A warm worker is asked of wardend (exec'd, its engine loaded: most of a cold start
        // already done) and collected once the module is staged, so wardend's answer (its
        // wake-up, mostly) overlaps the launcher's own work. Without one, the run's own worker
        // is spawned first: its exec (for wasmtime, loading the engine's library too) takes
        // longer than everything the launcher still has to do, which then happens meanwhile:
        // the artifact (hashing the module, the cache lookup, staging it in a sealed memfd),
        // the seccomp program and the network namespace.
        let pending: PendingWorker
        switch askForWarmWorker() {
        case .success(let asked): pending = .asked(asked)
        case .failure(let refusal):
            switch withoutLoan(refusal) {
            case .success(let process): pending = .spawned(process)
            case .failure(let unavailable): return fail(ExitStatus.launchFailure, unavailable.text)
            }
        }
        /// Before the worker has its module: a spawned one is ended (as the launcher's decision,
        /// so no crash is recorded for it) and reaped, a request given up, and the run fails.
        func abandon(_ message: String) -> Int32 {
            switch pending {
            case .spawned(let process):
                process.end("not configured")
                _ = Self.wait(for: process)
            case .asked(let request): request.cancel()
            }
            return fail(ExitStatus.launchFailure, message)
        }

        let staged: (image: FileDescriptor, artifact: WorkerConfiguration.ArtifactUse)
        switch stage(readModule: readModule) {
        case .success(let image): staged = image
        case .failure(let refusal): return abandon(refusal.text)
        }
        defer { try? staged.image.close() }

        let process: WorkerProcess
        var loan: WarmLoan?
        switch pending {
        case .spawned(let spawned): process = spawned
        case .asked(let request):
            switch request.collect() {
            case .success(let borrowed):
                loan = borrowed
                process = WorkerProcess(borrowing: borrowed, launcher: self, wallTime: options.wallTime)
                options.timeline?.mark("warm worker borrowed from wardend")
            case .failure(let refusal):
                // Without a loan the run's own worker after all: spawned now, so its exec still
                // overlaps the preparation below.
                switch withoutLoan(refusal) {
                case .success(let spawned): process = spawned
                case .failure(let unavailable): return fail(ExitStatus.launchFailure, unavailable.text)
                }
            }
        }
        let pid = process.pid
        // Started from the audit log's view once it has a module to run: a refused module or
        // artifact is a policy refusal, with no lifecycle events.
        auditor.started(pid: pid)

        // The worker's seccomp program (a template, aimed at its pid) and network namespace,
        // prepared while the worker is being exec'd. A warm worker prepared a default run's
        // while idle; its parent is wardend, which its hardening checks for; its whole
        // descriptor layout travels with the configuration.
        let prepared = loan == nil ? preparation?.prepare() : nil
        var namespace: FileDescriptor?
        defer { try? namespace?.close() }
        var setup = workerConfiguration()
        setup.artifact = staged.artifact
        if let loan { setup.hardening.launcherPID = loan.parentPID }
        do throws(HardeningFailure) {
            if loan != nil, let preparation {
                (setup.hardening.seccompProgram, setup.hardening.execLockProgram) = try preparation.forWarmWorker(pid: pid)
            } else {
                namespace = try prepared?.networkNamespace.get()
                let template: SeccompProgramTemplate
                if let prepared { template = try prepared.seccomp.get() } else { template = try SeccompFilter.template(plan: Self.seccompPlan(for: options)) }
                setup.hardening.seccompProgram = template.program(forProcess: pid)
                setup.hardening.execLockProgram = try prepared?.execLock.get()
            }
        } catch {
            process.end("not configured")
            _ = Self.wait(for: process)
            return fail(ExitStatus.launchFailure, "module '\(moduleName)': \(error.message)")
        }
        setup.hardening.networkNamespacePassed = namespace != nil
        process.configure(setup, passing: namespace, image: staged.image,
                          layout: loan == nil ? [] : [configuration.stdin, configuration.stdout, configuration.stderr]
                              + layoutAfterControl.map { FileDescriptor(rawValue: $0) })

        // Wall time is kept by the process's own deadline (the worker keeps cpu-time as its own
        // RLIMIT_CPU): the worker is ended there, and the audit room then closes as after any
        // other end, suppressed counts included.
        let exit = Self.wait(for: process, signals: signals)
        if let signal = process.launcherSignal { auditor.interrupted(signal: signal, status: exit.code) }
        switch exit.cause {
        case .wallTime: return fail(exit.code, "module '\(moduleName)' \(exit.message); ended")
        case .auditFailure: return fail(exit.code, "module '\(moduleName)' \(exit.message)")
        case .endedByWarden, .stopped: return fail(exit.code, "module '\(moduleName)': \(exit.message)")
        case .ownEnd: return exit.message.isEmpty ? exit.code : fail(exit.code, exit.message)
        }
    }

    /// The grants and listeners, in the order of their fixed numbers from
    /// `DescriptorLayout.firstPreopen`.
    var layoutAfterControl: [Int32] { configuration.preopens.map(\.host.rawValue) + configuration.listeners.map(\.rawValue) }

    /// The module read (its pin checked) and staged in a sealed memfd: on wasmtime the
    /// verified artifact from --artifact or the cache (compiled by a compile-only worker on a
    /// miss), so the worker loads code instead of compiling.
    func stage(readModule: () -> Result<[UInt8], ModuleRefusal>) -> Result<(image: FileDescriptor, artifact: WorkerConfiguration.ArtifactUse), WorkerUnavailable> {
        let moduleBytes: [UInt8]
        switch readModule() {
        case .success(let bytes): moduleBytes = bytes
        case .failure(let refusal): return .failure(WorkerUnavailable(text: refusal.text))
        }
        let code: [UInt8]?
        do { code = try ArtifactSource.code(for: moduleBytes, digest: options.sha256, options: options, moduleName: moduleName, auditor: auditor) } catch {
            return .failure(WorkerUnavailable(text: error.description))
        }
        do { return .success((try .sealedMemory(named: "warden-module", holding: code ?? moduleBytes), code == nil ? .none : .load)) } catch {
            return .failure(WorkerUnavailable(text: "cannot stage the module: \(error)"))
        }
    }

    /// A worker asked of wardend, or this run's own, spawned.
    enum PendingWorker {
        case asked(WarmRequest)
        case spawned(WorkerProcess)
    }

    /// Without a warm worker (`refusal` says why): `--warm require` fails, otherwise the run
    /// spawns its own.
    func withoutLoan(_ refusal: WorkerUnavailable) -> Result<WorkerProcess, WorkerUnavailable> {
        options.warm == .require ? .failure(WorkerUnavailable(text: "--warm require: no warm worker: \(refusal.text)")) : spawnWorker()
    }

    /// Asks wardend for a warm worker, when `--warm` allows and this run can use one: as root
    /// (wardend lends to root only), with a layout that fits one message.
    func askForWarmWorker() -> Result<WarmRequest, WorkerUnavailable> {
        guard options.warm != .off else { return .failure(WorkerUnavailable(text: "--warm off")) }
        guard ProcessControl.effectiveUserID == 0 else { return .failure(WorkerUnavailable(text: "wardend lends warm workers to root only")) }
        let count = 2 + 3 + layoutAfterControl.count
        guard count <= FileDescriptor.maximumPassed else {
            return .failure(WorkerUnavailable(text: "\(count) descriptors do not fit one message (at most \(FileDescriptor.maximumPassed))"))
        }
        return WarmRequest.send(engine: options.engine, socket: options.controlSocket)
    }

    /// Spawns this run's own worker, the module image's number held by an empty sealed memfd
    /// (not a second reference to the control socket, which would keep it open past a worker's
    /// close) until the image follows the configuration.
    func spawnWorker() -> Result<WorkerProcess, WorkerUnavailable> {
        let authority = AmbientAuthority(purpose: "warden run: the worker executable next to warden")
        guard let worker = Self.workerPath(engine: options.engine), authority.canExecute(worker) else {
            let name = Self.workerName(engine: options.engine)
            let why = options.engine == "wasmkit" ? "" : "; the \(options.engine) engine is unavailable (build or install it: make wasmtime-lib)"
            return .failure(WorkerUnavailable(text: "cannot find \(name) next to warden\(why)"))
        }
        let placeholder: FileDescriptor
        do { placeholder = try .sealedMemory(named: "warden-module-placeholder", holding: []) } catch {
            return .failure(WorkerUnavailable(text: "cannot stage the module: \(error)"))
        }
        defer { try? placeholder.close() }
        do {
            let process = try WorkerProcess(worker: worker, layout: { control in
                [configuration.stdin.rawValue, configuration.stdout.rawValue, configuration.stderr.rawValue, control, placeholder.rawValue]
                    + layoutAfterControl
            }, launcher: self, perConnection: nil, wallTime: options.wallTime)
            options.timeline?.mark("worker spawned")
            return .success(process)
        } catch {
            let what = error.step == .controlSocket ? "cannot create the control socket" : "cannot start warden-worker"
            return .failure(WorkerUnavailable(text: "\(what): \(error.errno)"))
        }
    }

    /// Serves `process` (its messages, the kernel's refusals, its deadlines) until it is gone
    /// and reaped.
    /// `signals`: a signalfd whose signals end the worker (`warden run`).
    static func wait(for process: WorkerProcess, signals: FileDescriptor? = nil) -> WorkerExit {
        while true {
            let watched = process.descriptors + (signals.map { [$0] } ?? [])
            var requests = watched.map { PollRequest(descriptor: $0, events: PollRequest.readable) }
            let timeout = process.deadline.map { $0 &- min($0, SystemClock.monotonicNow()) }
            do { _ = try ppoll(&requests, timeoutNanoseconds: timeout) } catch {
                // Never expected (EINTR is retried inside): a worker that cannot be watched is
                // ended; reaping it waits until it is gone.
                process.end()
                for event in process.service({ $0.rawValue == process.pidfd.rawValue }) {
                    if case .exited(let exit) = event { return exit }
                }
                continue
            }
            let ready = Set(zip(watched, requests).filter { $0.1.returnedEvents != 0 }.map(\.0.rawValue))
            if let signals, ready.contains(signals.rawValue) {
                if let signal = TerminationSignals.take(from: signals) { process.endForSignal(signal.rawValue) }
            }
            for event in process.service({ ready.contains($0.rawValue) }) {
                if case .exited(let exit) = event { return exit }
            }
        }
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
        worker.engine = options.engine
        worker.maxOpenDescriptors = configuration.maxOpenDescriptors
        var hardening = HardeningSettings()
        // The worker can only lower limits (it never holds CAP_SYS_RESOURCE): never ask for more
        // descriptors than the launcher's own hard limit, or the rlimits step would fail.
        let wanted = UInt64(configuration.maxOpenDescriptors + 16 + configuration.preopens.count + configuration.listeners.count)
        if let hard = try? ResourceLimit.openFiles.get().hard, hard != UInt64.max {
            hardening.openFiles = min(wanted, hard)
        } else {
            hardening.openFiles = wanted
        }
        hardening.cpuSeconds = options.cpuTime.map(\.rlimitSeconds)
        hardening.launcherPID = ProcessControl.currentID
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
                reportViolations: expectsListener(options), excludedGroups: options.excludedSyscallGroups,
                publishingCode: options.engine == "wasmtime")
    }

    func outcome(_ reported: WorkerMessage?, workerStatus: Int32, pid: pid_t, fail: (Int32, String) -> Int32) -> Int32 {
        // The worker's own report counts only if it then exited normally: a death by signal
        // (cpu-time, a kill) wins over whatever a possibly compromised worker claimed first.
        let message = workerStatus & 0x7f == 0 ? reported : nil
        switch message {
        case .exited(let code): return Int32(code & 0xff)
        case .signaled(let signal):
            return fail(ExitStatus.signal(signal), "module '\(moduleName)' raised signal \(signal) (\(SignalNumber(rawValue: signal).name))")
        case .trapped(let reason):
            auditor.trapped(reason, pid: pid)
            return fail(ExitStatus.trap, "module '\(moduleName)' trapped: \(reason)")
        case .loadFailed(let reason): return fail(ExitStatus.launchFailure, "\(options.modulePath): \(reason)")
        case .hardeningFailed(_, _, let text): return fail(ExitStatus.launchFailure, "module '\(moduleName)': \(text)")
        case .ready, .denial, .kernelRefusal, .limitReached, .listener, .timeline, .accesses, .usage, .instanceStarted, .instanceEnded, .artifact, nil: break
        }
        // No final report: the worker died.
        if workerStatus & 0x7f != 0 {
            let signal = workerStatus & 0x7f
            if signal == SignalNumber.badSystemCall.rawValue {
                return fail(ExitStatus.signal(signal), "module '\(moduleName)': the kernel ended the worker for a forbidden system call (SIGSYS)")
            }
            if signal == SignalNumber.cpuTimeExceeded.rawValue {
                let limit = options.cpuTime.map { "\($0.rlimitSeconds)s" } ?? "RLIMIT_CPU"
                auditor.recordLimit("cpu-time", value: limit, pid: pid)
                return fail(ExitStatus.cpuTime, "module '\(moduleName)' exceeded its cpu-time limit (\(limit)); ended")
            }
            auditor.crashed(signal: signal, status: ExitStatus.signal(signal))
            return fail(ExitStatus.signal(signal), "module '\(moduleName)': worker killed by signal \(signal) (\(SignalNumber(rawValue: signal).name))")
        }
        return fail(ExitStatus.launchFailure, "module '\(moduleName)': warden-worker exited with status \((workerStatus >> 8) & 0xff) without a report")
    }
}

extension WorkerLauncher {
    /// `ptrace(0x10, 0x1, 0x0, ...)`: the call as the kernel saw it.
    static func describe(_ notification: SeccompNotification) -> String {
        notification.syscallName + "(" + notification.arguments.map { "0x" + String($0, radix: 16) }.joined(separator: ", ") + ")"
    }
}
