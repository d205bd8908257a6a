// Glibc for constants and types only: EACCES, EPERM
import Glibc
import WardenAudit
import WardenHardening
import WardenPolicy
import WardenSystem
import WardenWASI

/// `warden run`'s side of the audit log: turns what the launcher learns (worker reports,
/// seccomp notifications, exit statuses) into `AuditEvent`s and writes them through one
/// `AuditLog` (rate-limited per module) to standard error or the `--audit` file.
public final class RunAuditor: AccessAuditor {
    public let log: AuditLog
    /// The sink's descriptor: the deadline handler appends its pre-rendered event here.
    let output: FileDescriptor
    /// Lifecycle events (started, exited) only go to a file: on standard error they would mix
    /// with every module's own output for nothing.
    let writesLifecycle: Bool
    let maxMemoryBytes: Int?
    let fuel: UInt64?
    /// Whether the worker reported Landlock in force (kernel refusals are then its catches).
    var landlockInForce = false
    var hasStarted = false
    var hasCrashed = false
    /// `--no-sandbox`: the module runs in this process, so failing closed means exiting.
    let inProcess: Bool
    /// A signal ended the run and its lifecycle event is written.
    var wasInterrupted = false

    init(log: AuditLog, output: FileDescriptor, writesLifecycle: Bool, options: RunOptions) {
        self.log = log
        self.output = output
        self.writesLifecycle = writesLifecycle
        self.maxMemoryBytes = options.maxMemoryBytes
        self.fuel = options.fuel
        self.inProcess = !options.useWorker
    }

    /// The `AuditLog` failure action for a run's options.
    static func failureAction(_ options: RunOptions) -> AuditFailureAction {
        options.auditOnFailure == .stop ? .stop : .continue
    }

    /// The auditor for a run: an `--audit` file (appended, 0640) or standard error.
    static func open(_ options: RunOptions, module: String, authority: AmbientAuthority) throws(Errno) -> RunAuditor {
        let sync: JSONLinesSink.Sync = options.auditSync ? .everyEvent : .never
        let sink = try options.auditPath.map { (path) throws(Errno) in try JSONLinesSink(path: path, authority: authority, sync: sync) }
            ?? JSONLinesSink(descriptor: .standardError)
        let context = AuditContext(module: module, pid: options.useWorker ? nil : ProcessControl.currentID, policyDigest: options.policyDigest)
        var sinks: [any AuditSink] = [sink]
        if options.auditJournal, let journal = try? JournalSink(authority: authority) { sinks.append(journal) }
        let log = AuditLog(context: context, sinks: sinks, rateLimit: AuditRateLimit(perSecond: options.auditRateLimit),
                           onFailure: failureAction(options))
        return RunAuditor(log: log, output: sink.descriptor,
                          writesLifecycle: options.auditPath != nil, options: options)
    }

    // MARK: Refusals

    /// Refusals recorded (WASI, Landlock, seccomp), whether written or held back by the
    /// rate limiter: what `warden status` counts as denials.
    public private(set) var refusalCount = 0

    /// In-process (`--no-sandbox`): the WASI layer's refusals straight from the layer.
    public func record(_ denial: AccessDenial) {
        refusalCount += 1
        log.record(.wasi(WASIRefusal(operation: denial.operation, fd: denial.fd, preopen: denial.preopen, path: denial.path,
                                     reason: denial.reason.rawValue, errno: denial.errno.description)))
        stopInProcessIfUnrecorded()
    }

    /// In-process there is no Landlock: a kernel refusal is ordinary permissions, not a catch.
    public func recordKernelRefusal(_ refusal: KernelRefusal) {
        guard landlockInForce else { return }
        recordKernelRefusal(operation: refusal.operation, fd: refusal.fd, preopen: refusal.preopen, path: refusal.path,
                            errno: refusal.errno, pid: nil)
        stopInProcessIfUnrecorded()
    }

    /// A WASI refusal as a worker reports it over its control socket.
    func record(operation: String, fd: UInt32?, preopen: String?, path: String?, reason: String, errno: String, pid: Int32) {
        refusalCount += 1
        log.record(.wasi(WASIRefusal(operation: operation, fd: fd, preopen: preopen, path: path, reason: reason, errno: errno)), pid: pid)
    }

    /// A kernel refusal a worker reports: Landlock's catch when Landlock is in force.
    func recordKernelRefusal(operation: String, fd: UInt32?, preopen: String?, path: String?, errno: Int32, pid: Int32?) {
        guard landlockInForce else { return }
        let name = errno == EACCES ? "EACCES" : (errno == EPERM ? "EPERM" : "errno \(errno)")
        refusalCount += 1
        log.record(.landlock(LandlockRefusal(operation: operation, fd: fd, preopen: preopen, path: path, errno: name)), pid: pid)
    }

    /// The hardening layers the worker reported ready with.
    func noteLayers(_ layers: [String]) {
        landlockInForce = layers.contains { $0.hasPrefix("applied landlock") }
    }

    /// A system call the kernel refused the worker (layer `seccomp`), reported by the launcher
    /// from the worker's notification listener: the module can neither forge nor suppress it.
    func recordSyscall(_ notification: SeccompNotification, action: String, errno: String?) {
        let refusal = SyscallRefusal(syscall: notification.syscallName, number: notification.syscallNumber,
                                     arguments: notification.arguments, action: action == "killed" ? .killed : .denied, errno: errno)
        refusalCount += 1
        log.record(.seccomp(refusal), pid: notification.pid)
    }

    // MARK: Limits

    /// A limit that ended the module.
    public func recordLimit(_ limit: String, value: String, pid: Int32? = nil) {
        guard let kind = LimitReached.Limit(rawValue: limit) else { return }
        log.record(.limit(LimitReached(limit: kind, action: .killed, value: value)), pid: pid)
    }

    /// The memory ceiling refused a growth; the module goes on with memory.grow = -1.
    func recordMemoryRefused(requested: UInt64, pid: Int32? = nil) {
        let value = maxMemoryBytes.map { Units.format(size: $0) } ?? "the module's maximum"
        let asked = requested <= UInt64(Int.max) ? Units.format(size: Int(requested)) : "\(requested) bytes"
        log.record(.limit(LimitReached(limit: .memory, action: .refused, value: value, requested: asked)), pid: pid)
    }

    /// A trap: when the fuel ran out, also a `limit` event.
    func trapped(_ reason: String, pid: Int32? = nil) {
        if let fuel, reason.hasPrefix("out of fuel") {
            log.record(.limit(LimitReached(limit: .fuel, action: .killed, value: String(fuel))), pid: pid)
        }
    }

    /// The deadline handler's event, rendered now with `time` as a placeholder ("@TIME@"):
    /// the handler is async-signal-safe and can only copy bytes.
    func limitEvent(_ limit: String, value: String, time: String) -> String {
        let kind = LimitReached.Limit(rawValue: limit) ?? .wallTime
        let event = log.event(.limit(LimitReached(limit: kind, action: .killed, value: value)), pid: log.context.pid ?? ProcessControl.currentID)
        return String(decoding: event.jsonLine(timeText: time), as: UTF8.self)
    }

    // MARK: Failing closed

    /// With `[audit] on-failure = "stop"`: the error that makes the module's refusals
    /// unrecordable. Whoever runs the module ends it (`auditFailed`).
    public var auditFailure: Errno? { log.stopCause }

    /// The reason, for the operator and the `audit-failed` event.
    public static func auditFailureText(_ error: Errno) -> String {
        "could no longer write its audit events (\(error)); ended ([audit] on-failure = stop)"
    }

    /// The module is being ended because its events cannot be written: the `audit-failed`
    /// lifecycle event goes to the log (it may well fail too) and, when the log is a file, to
    /// standard error as well (wardend's own log), so the reason is recorded somewhere.
    public func auditFailed(_ error: Errno, pid: Int32? = nil) {
        let event = log.event(.lifecycle(LifecycleChange(.auditFailed, detail: Self.auditFailureText(error))), pid: pid)
        log.record(event)
        if output.rawValue != FileDescriptor.standardError.rawValue {
            try? FileDescriptor.standardError.writeAll(String(decoding: event.jsonLine(), as: UTF8.self))
        }
    }

    /// In-process (`--no-sandbox`) there is no worker to end: the run itself ends.
    func stopInProcessIfUnrecorded() {
        guard inProcess, let error = auditFailure else { return }
        auditFailed(error)
        OperatorOutput.printError("warden: module '\(log.context.module)' \(Self.auditFailureText(error))")
        exit(finished(ExitStatus.auditFailure))
    }

    // MARK: Policy and lifecycle

    /// The policy pins another module digest: nothing starts.
    func digestMismatch(expected: String, actual: String, policy: String?) {
        log.record(.policy(PolicyRefusal(reason: .digestMismatch, file: policy, expected: expected, actual: actual)))
    }

    /// The module is running (the worker's pid, or warden's own in-process).
    public func started(pid: Int32) {
        log.context.pid = pid
        hasStarted = true
        hasCrashed = false
        wasInterrupted = false
        log.clearStopCause()
        if writesLifecycle { log.record(.lifecycle(LifecycleChange(.started))) }
    }

    /// The worker died by a signal without reporting how the module ended.
    func crashed(signal: Int32, status: Int32) {
        hasCrashed = true
        log.flushSummaries()
        log.record(.lifecycle(LifecycleChange(.crashed, status: status, signal: signal,
                                              detail: SignalNumber(rawValue: signal).name)))
    }

    /// A signal to warden ended the run (the worker was ended for it): the log closes with an
    /// `exited` event naming the signal, with the status warden exits with (128 + N).
    func interrupted(signal: Int32, status: Int32) {
        wasInterrupted = true
        log.flushSummaries()
        if hasStarted && writesLifecycle {
            log.record(.lifecycle(LifecycleChange(.exited, status: status, signal: signal,
                                                  detail: "warden received \(WorkerExit.signalName(signal)); the worker was ended")))
        }
    }

    /// The run is over with `status`: pending suppression summaries, then the exit event.
    /// Returns `status` so a launch path can end with `return auditor.finished(...)`.
    func finished(_ status: Int32) -> Int32 {
        log.flushSummaries()
        if hasStarted && !hasCrashed && !wasInterrupted && writesLifecycle { log.record(.lifecycle(LifecycleChange(.exited, status: status))) }
        if log.failedWrites > 0 {
            let unreported = log.unreportedLosses
            let note = log.onFailure == .continue && unreported == 0 ? " (their count is in the log)" : ""
            OperatorOutput.printError("warden: warning: \(log.failedWrites) audit event(s) could not be written: \(log.lastFailure.map { "\($0)" } ?? "")\(note)")
        }
        return status
    }
}

extension RunAuditor {
    /// A supervised worker is gone: `crashed` when a signal ended it, else `exited` with the
    /// status `warden run` would have returned.
    public func workerEnded(_ exit: WorkerExit) {
        let signal = exit.waitStatus & 0x7f
        if exit.cause == .auditFailure {
            _ = finished(exit.code)
        } else if exit.cause == .stopped {
            // Ended on the supervisor's decision (warden stop, restart, reload, shutdown): an
            // exit naming the signal and why, as `warden run` ended by a signal; not a crash.
            wasInterrupted = true
            log.flushSummaries()
            if hasStarted && writesLifecycle {
                log.record(.lifecycle(LifecycleChange(.exited, status: exit.code, signal: signal, detail: exit.message)))
            }
        } else if signal != 0 && signal != 0x7f {
            // Rendering the worker's outcome may have recorded the crash already: once per end.
            if !hasCrashed { crashed(signal: signal, status: exit.code) }
        } else {
            _ = finished(exit.code)
        }
    }

    /// The supervisor will start the module again after `delayNanoseconds` (restart `count`).
    public func restarting(afterNanoseconds delayNanoseconds: UInt64, count: Int) {
        log.record(.lifecycle(LifecycleChange(.restarted, detail: "restart \(count) in \(delayNanoseconds / 1_000_000)ms")))
    }

    /// The supervisor's start limit refused the next start: the module stays down until
    /// `warden restart`.
    public func startLimitReached(_ reason: String) {
        log.record(.lifecycle(LifecycleChange(.startLimit, detail: reason)))
    }

    /// SIGHUP / `warden reload`: reopen file sinks by path, so a rotated log is followed;
    /// nothing is lost (each event is one write, to the old file or the new one).
    public func reopenLogs() throws(Errno) { try log.reopenSinks() }

    /// Closes an `--audit` file (never standard error).
    func close() {
        for case let sink as JSONLinesSink in log.sinks { sink.close() }
    }

    /// `warden run --policy` with a policy that has errors: one `policy` event (to `--audit`
    /// FILE when given, else standard error), since no run context exists yet.
    public static func reportInvalidPolicy(path: String, diagnostics: [String], auditPath: String?) {
        let authority = AmbientAuthority(purpose: "warden run: the audit log named by --audit")
        let sink: JSONLinesSink
        if let auditPath {
            guard let file = try? JSONLinesSink(path: auditPath, authority: authority) else { return }
            sink = file
        } else {
            sink = JSONLinesSink(descriptor: .standardError)
        }
        defer { sink.close() }
        let module = String(path.split(separator: "/").last ?? Substring(path))
        let policyDigest = (try? authority.readFile(path, limit: 1 << 20)).map(SHA256.hex(of:))
        let log = AuditLog(context: AuditContext(module: module, policyDigest: policyDigest), sinks: [sink], rateLimit: nil)
        log.record(.policy(PolicyRefusal(reason: .invalidPolicy, file: path, diagnostics: diagnostics)))
    }
}
