import WardenPolicy
import WardenAudit
import WardenLauncher
import WardenSystem

/// Starting, restarting, stopping and reloading modules (reactor thread only).
extension Reactor {
    /// Prepares the module if needed and spawns its worker; a failure marks it failed.
    func start(_ module: ModuleRuntime) {
        let now = SystemClock.monotonicNow()
        guard module.throttle.mayStart(at: now) else { return startLimitHit(module) }
        do throws(SupervisorError) {
            if module.prepared == nil {
                var sockets: [FileDescriptor] = []
                for address in module.policy.service.listen {
                    sockets.append(try listeners.socket(for: address, module: module.name, authority: authority))
                }
                module.listenSockets = sockets
                if module.mode == .perConnection {
                    for socket in sockets {
                        try? socket.setNonBlocking(true)
                    }
                }
                do throws(RunError) {
                    let prepared = try PreparedModule(policy: module.policy, policyDigest: module.policyDigest, listeners: sockets,
                                                  auditOutput: .standardError, authority: authority)
                    for warning in prepared.warnings { SupervisorLog.warning(warning) }
                    module.prepared = prepared
                } catch {
                    throw .startup("\(error)")
                }
            }
            guard let prepared = module.prepared else { return }
            module.throttle.recordStart(at: now)
            do throws(RunError) {
                module.worker = try WorkerProcess(worker: options.workerPath, module: prepared)
            } catch {
                throw .startup("\(error)")
            }
            if let worker = module.worker {
                limits.place(worker.pid, module: module.name, policy: module.policy)
                // `instance` names one run of the module: each start is a new one.
                prepared.auditor.log.context.instance = AuditContext.newInstanceID()
                prepared.auditor.started(pid: worker.pid)
            }
            module.state = .starting
            module.startedAt = now
        } catch {
            module.state = .failed("\(error)")
            SupervisorLog.error("\(error)")
        }
    }

    /// No more starts: the module is left failed until `warden restart`.
    func startLimitHit(_ module: ModuleRuntime) {
        let reason = "start limit hit: \(options.startLimitBurst) starts within \(options.startLimitInterval.limitText)"
        module.state = .failed(reason)
        module.prepared?.auditor.startLimitReached(reason)
        SupervisorLog.error("module \"\(module.name)\": \(reason); left stopped until 'warden restart \(module.name)'")
        notifier.send("STATUS=\(summary())")
    }

    /// The worker is gone: account for it, then restart, stay down or switch versions.
    func workerGone(_ module: ModuleRuntime, _ exit: WorkerExit) {
        let ranFor = SystemClock.monotonicNow() &- (module.worker?.startedAt ?? 0)
        module.worker = nil
        module.stopDeadline = nil
        for instance in module.instances.values {
            try? instance.pidfd.sendSignal(.kill)
            try? instance.pidfd.close()
        }
        module.instances = [:]
        module.handoffs = 0
        let summary = exit.summary
        module.lastExit = summary
        module.lastExitCode = exit.code
        let failed = !exit.succeeded
        module.prepared?.auditor.workerEnded(exit)
        if failed && module.state != .stopped && !shuttingDown {
            SupervisorLog.warning("module \"\(module.name)\": worker \(summary)")
        } else {
            SupervisorLog.info("module \"\(module.name)\": worker \(summary)")
        }

        if shuttingDown {
            module.state = .stopped
            return
        }
        if module.removeWhenGone {
            modules[module.name] = nil
            return
        }
        if let pending = module.pending {
            module.pending = nil
            switchVersion(module, file: pending.file, policy: pending.policy, digest: pending.digest)
        }
        if module.restartWhenGone {
            module.restartWhenGone = false
            start(module)
            return
        }
        if module.state == .stopped { return }
        let restart = module.policy.service.restart
        guard restart == .always || (restart == .onFailure && failed) else {
            module.state = .exited
            notifier.send("STATUS=\(self.summary())")
            return
        }
        let delay = module.throttle.recordEnd(failed: failed, ranFor: ranFor)
        // A restart the start limit would refuse is no restart: no event, no count, no
        // "restarting in" line; events, status and log agree.
        guard module.throttle.mayStart(at: SystemClock.monotonicNow() &+ delay) else { return startLimitHit(module) }
        module.restarts += 1
        module.prepared?.auditor.restarting(afterNanoseconds: delay, count: module.restarts)
        module.state = .backingOff(until: SystemClock.monotonicNow() &+ delay)
        SupervisorLog.info("module \"\(module.name)\": restarting in \(delay / 1_000_000)ms")
    }

    /// Replaces a stopped module's policy: it is prepared afresh on the next start.
    func switchVersion(_ module: ModuleRuntime, file: String, policy: Policy, digest: String?) {
        module.earlierDenials += module.prepared?.auditor.refusalCount ?? 0
        module.prepared = nil
        module.file = file
        module.policy = policy
        module.policyDigest = digest
        module.listenSockets = []
        listeners.retain(only: addressesInUse())
    }

    /// Every address a module (or the version it is switching to) listens on.
    func addressesInUse() -> Set<String> {
        Set(modules.values.filter { !$0.removeWhenGone }.flatMap { module in
            module.listenAddresses + (module.pending?.policy.service.listen.map(\.description) ?? [])
        })
    }

    /// `warden stop`: no restart; a per-connection module finishes its connections first.
    /// `why` is what its exit and its audit event say ended it ("warden stop", ...).
    func stop(_ module: ModuleRuntime, graceful: Bool = true, because why: String) {
        module.state = .stopped
        guard let worker = module.worker else { return }
        if graceful && module.mode == .perConnection {
            worker.signal(SignalNumber.terminate.rawValue)
            module.stopDeadline = SystemClock.monotonicNow() &+ options.gracePeriod.nanoseconds
        } else {
            worker.stop(because: why)
        }
    }

    /// `warden restart`: clears the start limit and starts it again (after stopping it).
    func restart(_ module: ModuleRuntime) {
        module.throttle.reset()
        if module.worker != nil {
            module.restartWhenGone = true
            stop(module, because: "warden restart")
        } else {
            start(module)
        }
    }

    /// SIGHUP / `warden reload`: re-reads the directory. Changed policies restart their
    /// module, new ones start, removed ones stop; a file that fails validation is rejected
    /// with its diagnostics and the running version keeps running.
    func reload() -> String {
        // Log rotation: every module's audit log is reopened by path first.
        for module in modules.values {
            do throws(Errno) { try module.prepared?.auditor.reopenLogs() } catch {
                SupervisorLog.error("module \"\(module.name)\": cannot reopen its audit log: \(error)")
            }
        }
        let loaded = PolicyDirectory.load(options.policyDirectory, authority: authority)
        var lines: [String] = loaded.diagnostics.map(\.description)
        for diagnostic in loaded.errors { SupervisorLog.error("reload: \(diagnostic)") }
        var changed = 0, added = 0, removed = 0
        let rejected = Set(loaded.rejectedFiles)
        for file in loaded.rejectedFiles {
            // One `policy` event per rejected file, in the log of the module it was for.
            let diagnostics = loaded.errors.filter { $0.file == file }.map(\.description)
            let module = modules.values.first { $0.file == file }
            RunAuditor.reportInvalidPolicy(path: file, diagnostics: diagnostics, auditPath: module?.policy.audit.log)
        }
        var seen = Set<String>()
        for entry in loaded.entries {
            let name = entry.policy.module.name
            seen.insert(name)
            guard let module = modules[name] else {
                let module = ModuleRuntime(file: entry.file, policy: entry.policy, policyDigest: entry.digest, options: options)
                modules[name] = module
                added += 1
                start(module)
                continue
            }
            if module.policy == entry.policy && module.file == entry.file {
                if module.policyDigest != entry.digest {
                    // The same policy in other words (comments, layout): nothing to restart,
                    // but from now on its events name the file as it is (`policy`), or no
                    // file on disk would have the digest they carry.
                    module.policyDigest = entry.digest
                    module.prepared?.auditor.log.context.policyDigest = entry.digest
                }
                guard moduleFileChanged(module) else { continue }
                SupervisorLog.info("module \"\(name)\": \(module.policy.module.path) changed; restarting with it")
            } else {
                SupervisorLog.info("module \"\(name)\": policy changed; restarting")
            }
            changed += 1
            module.throttle.reset()
            if module.worker != nil {
                module.pending = (entry.file, entry.policy, entry.digest)
                module.restartWhenGone = true
                stop(module, because: "reload: its policy or module file changed")
            } else {
                switchVersion(module, file: entry.file, policy: entry.policy, digest: entry.digest)
                start(module)
            }
        }
        for module in modules.values where !seen.contains(module.name) && !rejected.contains(module.file) {
            removed += 1
            SupervisorLog.info("module \"\(module.name)\": policy removed; stopping")
            stop(module, graceful: false, because: "reload: its policy was removed")
            if module.worker == nil { modules[module.name] = nil } else { module.removeWhenGone = true }
        }
        listeners.retain(only: addressesInUse())
        let summary = "reloaded \(options.policyDirectory): \(changed) changed, \(added) added, \(removed) removed, \(rejected.count) rejected"
        SupervisorLog.info(summary)
        notifier.send("STATUS=\(self.summary())")
        lines.append(summary)
        return lines.joined(separator: "\n")
    }

    /// Whether the module file at the policy's path now holds other bytes than the running
    /// version (which runs from its sealed copy). An unreadable file is not a change: the
    /// running version keeps running, with a warning.
    func moduleFileChanged(_ module: ModuleRuntime) -> Bool {
        guard let prepared = module.prepared else { return false }
        do throws(Errno) { return try prepared.moduleFileDiffers(authority: authority) } catch {
            SupervisorLog.warning("module \"\(module.name)\": cannot read \(module.policy.module.path) (\(error)); the running version keeps running")
            return false
        }
    }

    /// SIGTERM: stop accepting; per-connection instances and `once` runs may finish within
    /// the grace period; daemons (which have no way to be asked) end now.
    func beginShutdown() {
        guard !shuttingDown else { return }
        shuttingDown = true
        SupervisorLog.info("stopping: grace period \(options.gracePeriod.limitText)")
        notifier.send("STOPPING=1")
        listeners.closeAll()
        warm.retire()
        shutdownDeadline = SystemClock.monotonicNow() &+ options.gracePeriod.nanoseconds
        for module in modules.values {
            guard let worker = module.worker else {
                module.state = .stopped
                continue
            }
            module.state = .draining
            switch module.mode {
            case .perConnection: worker.signal(SignalNumber.terminate.rawValue)
            case .once: break
            case .daemon: worker.stop(because: "wardend is stopping")
            }
        }
    }

    func acceptsConnections(_ module: ModuleRuntime) -> Bool {
        module.mode == .perConnection && module.state == .running && !shuttingDown && module.worker?.isReady == true
            && module.acceptPausedUntil.map { SystemClock.monotonicNow() >= $0 } ?? true
    }

    /// Accepts what is waiting on `socket` and hands each connection to the module's zygote,
    /// or refuses it (closed at once, logged) when max-connections are live.
    func accept(on socket: FileDescriptor, for module: ModuleRuntime) {
        guard let worker = module.worker else { return }
        for _ in 0..<64 {
            let connection: FileDescriptor
            do throws(Errno) { connection = try socket.accept(nonBlocking: false) } catch {
                if error != .wouldBlock {
                    // Out of descriptors or memory: the listener stays readable, so wait a
                    // little before polling it again rather than spin. Said once per burst:
                    // the retries of one exhaustion are counted, and the recovery says how many.
                    if module.acceptFailures == 0 {
                        SupervisorLog.warning("module \"\(module.name)\": accept: \(error); retrying every 100ms (said once until accept works again)")
                    }
                    module.acceptFailures += 1
                    module.acceptPausedUntil = SystemClock.monotonicNow() &+ 100_000_000
                }
                return
            }
            if module.acceptFailures > 0 {
                SupervisorLog.info("module \"\(module.name)\": accept works again after \(module.acceptFailures) failed attempt(s)")
                module.acceptFailures = 0
            }
            defer { try? connection.close() }
            let maximum = module.policy.service.maxConnections
            guard module.liveConnections < maximum else {
                module.connectionsRefused += 1
                refusalLog.warning("module \"\(module.name)\": connection refused: max-connections (\(maximum)) live")
                continue
            }
            do throws(Errno) {
                try worker.pass(connection: connection)
                module.handoffs += 1
            } catch {
                module.connectionsRefused += 1
                refusalLog.warning("module \"\(module.name)\": connection refused: handing it to the worker: \(error)")
            }
        }
    }
}
