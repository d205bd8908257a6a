import WardenSystem

/// Who events are about: stamped on every event an `AuditLog` writes.
public struct AuditContext: Sendable, Equatable {
    public var module: String
    public var instance: String
    /// The worker's pid once there is one.
    public var pid: Int32?
    public var policyDigest: String?

    public init(module: String, instance: String = AuditContext.newInstanceID(), pid: Int32? = nil, policyDigest: String? = nil) {
        self.module = module
        self.instance = instance
        self.pid = pid
        self.policyDigest = policyDigest
    }

    /// 16 random hex digits (64 bits from getrandom): unique per run for any practical log.
    public static func newInstanceID() -> String {
        var value: UInt64 = 0
        _ = try? withUnsafeMutableBytes(of: &value) { (raw) throws(Errno) in try fillRandom(raw) }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// What a module's owner does when its audit events can no longer be written (a full disk,
/// EIO, a vanished journal socket): a policy's `[audit] on-failure`.
public enum AuditFailureAction: String, Sendable, CaseIterable {
    /// Fail closed (the default): the owner ends the module (`AuditLog.stopCause`).
    case stop
    /// The module runs on; what could not be written is counted, and the count is written
    /// (a `lifecycle` `audit-lost` event) as soon as the sink takes events again.
    case `continue`
}

/// The writer for one module: stamps each event with the context and the time, passes it
/// through the module's rate limiter, and writes it to every sink. Single-threaded: one
/// owner calls it (the launcher's loop); a supervisor keeps one per module.
public final class AuditLog {
    public var context: AuditContext
    public let sinks: [any AuditSink]
    var limiter: AuditRateLimiter?
    let clock: () -> UInt64
    public let onFailure: AuditFailureAction

    /// Events written (summaries included).
    public private(set) var written: UInt64 = 0
    /// Sink writes that failed, and the last error (the operator is told once, at exit).
    public private(set) var failedWrites: UInt64 = 0
    public private(set) var lastFailure: Errno?
    /// With `stop`: the first failure since the module (re)started. Its owner must end the
    /// module: from here on its refusals may go unrecorded.
    public private(set) var stopCause: Errno?

    /// With `continue`: per sink, the events it failed to take since it last worked.
    struct Loss {
        var count: UInt64
        var since: AuditTime
        var error: Errno
    }
    var losses: [Loss?]
    /// With `continue`: events lost and not yet reported in an `audit-lost` event.
    public var unreportedLosses: UInt64 { losses.reduce(0) { $0 + ($1?.count ?? 0) } }

    /// `rateLimit` nil writes everything (tests, replays); `clock` gives monotonic nanoseconds.
    public init(context: AuditContext, sinks: [any AuditSink], rateLimit: AuditRateLimit? = .standard,
                onFailure: AuditFailureAction = .stop, clock: @escaping () -> UInt64 = SystemClock.monotonicNow) {
        self.context = context
        self.sinks = sinks
        self.limiter = rateLimit.map(AuditRateLimiter.init)
        self.clock = clock
        self.onFailure = onFailure
        self.losses = Array(repeating: nil, count: sinks.count)
    }

    /// A restarted module starts with a clean slate: a sink that failed before is tried again
    /// (the first event that fails sets `stopCause` anew).
    public func clearStopCause() { stopCause = nil }

    /// Refusals held back so far (each is counted in a summary that is or will be written).
    public var suppressed: UInt64 { limiter?.suppressed ?? 0 }

    /// The event `kind` as this log would write it now.
    public func event(_ kind: AuditEvent.Kind, pid: Int32? = nil, time: AuditTime = .now()) -> AuditEvent {
        AuditEvent(time: time, module: context.module, instance: context.instance, pid: pid ?? context.pid,
                   policyDigest: context.policyDigest, kind: kind)
    }

    public func record(_ kind: AuditEvent.Kind, pid: Int32? = nil) {
        record(event(kind, pid: pid))
    }

    public func record(_ event: AuditEvent) {
        guard var limiter else { return write(event) }
        let now = clock()
        // A summary that is due goes first, so the log reads in order.
        for summary in limiter.summaries(now: now) { write(self.event(.suppressed(summary), pid: event.pid)) }
        let admitted = limiter.admit(event, now: now)
        self.limiter = limiter
        if admitted { write(event) }
    }

    /// Writes summaries whose interval has passed (a supervisor calls this on a timer, so a
    /// flood that stops is still summarized promptly).
    public func flushDueSummaries() {
        guard var limiter else { return }
        let due = limiter.summaries(now: clock())
        self.limiter = limiter
        for summary in due { write(event(.suppressed(summary))) }
    }

    /// Writes every pending summary: call before the module's exit is logged and at shutdown.
    public func flushSummaries() {
        guard var limiter else { return }
        let due = limiter.summaries(now: clock(), flushAll: true)
        self.limiter = limiter
        for summary in due { write(event(.suppressed(summary))) }
    }

    /// Reopens every sink by name (after log rotation).
    public func reopenSinks() throws(Errno) {
        for sink in sinks { try sink.reopen() }
    }

    /// Reopens when a SIGHUP arrived since the last look (see `HangupSignal.watch()`); true
    /// when it did.
    @discardableResult
    public func reopenIfHungUp() -> Bool {
        guard HangupSignal.take() else { return false }
        do throws(Errno) { try reopenSinks() } catch { note(error) }
        return true
    }

    func write(_ event: AuditEvent) {
        let line = event.jsonLine()
        var delivered = false
        for (index, sink) in sinks.enumerated() {
            // A sink that lost events says how many before anything else it takes.
            if let loss = losses[index] {
                guard reportLoss(loss, to: sink) else {
                    failedWrites += 1
                    losses[index]!.count += 1
                    continue
                }
                losses[index] = nil
            }
            do throws(Errno) {
                try sink.write(event, line: line)
                delivered = true
            } catch {
                note(error)
                if onFailure == .continue {
                    losses[index] = Loss(count: 1, since: event.time, error: error)
                }
            }
        }
        if delivered || sinks.isEmpty { written += 1 }
    }

    /// Writes the `audit-lost` event for `loss` (after reconnecting a sink that needs it).
    private func reportLoss(_ loss: Loss, to sink: any AuditSink) -> Bool {
        let report = event(.lifecycle(LifecycleChange(.auditLost, detail: "\(loss.error) since \(loss.since)", lost: loss.count)))
        do throws(Errno) {
            try sink.recover()
            try sink.write(report, line: report.jsonLine())
            written += 1
            return true
        } catch {
            lastFailure = error
            return false
        }
    }

    func note(_ error: Errno) {
        failedWrites += 1
        lastFailure = error
        if onFailure == .stop && stopCause == nil { stopCause = error }
    }
}
