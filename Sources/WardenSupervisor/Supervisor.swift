import Logging
import ServiceLifecycle
import UnixSignals
import WardenSystem

/// `wardend`: validates every policy in the directory before starting anything, then runs
/// the modules until SIGTERM (graceful: drain, then exit 0). SIGHUP reloads.
public enum Supervisor {
    public enum ExitStatus {
        public static let invalidPolicies: Int32 = 2
        public static let startupFailure: Int32 = 1
    }

    public static func run(_ options: SupervisorOptions) async -> Int32 {
        // Workers are spawned with every signal at its default: this only spares wardend.
        SignalNumber.brokenPipe.ignore()
        raiseDescriptorLimit()
        let activated = ListenerPool.fromSystemd()
        let authority = AmbientAuthority(purpose: "wardend: reading the policy directory")
        let loaded = PolicyDirectory.load(options.policyDirectory, authority: authority)
        for diagnostic in loaded.diagnostics {
            // The directory itself is not a policy file: no file:line:col for it.
            if diagnostic.file == options.policyDirectory {
                SupervisorLog.error("policy directory \(options.policyDirectory): \(diagnostic.message)")
            } else {
                SupervisorLog.write(diagnostic.description)
            }
        }
        guard loaded.errors.isEmpty else {
            SupervisorLog.error("\(loaded.errors.count) error\(loaded.errors.count == 1 ? "" : "s") in \(options.policyDirectory); nothing started")
            return ExitStatus.invalidPolicies
        }
        if loaded.entries.isEmpty { SupervisorLog.warning("no policies in \(options.policyDirectory)") }

        // A stop request from here until the service group takes over is noted, not fatal: the
        // control socket's directory must not outlive wardend (seen under ASan, where start-up
        // is slow enough for a test's SIGTERM to land in between).
        do throws(Errno) { try EarlyTermination.catchSignals() } catch {
            SupervisorLog.warning("catching SIGTERM during start-up: \(error)")
        }
        let reactor: Reactor
        do throws(SupervisorError) {
            let control = try ControlServer(path: options.controlSocket, groupName: options.controlGroup)
            reactor = try Reactor(options: options, initial: loaded, activated: activated, control: control)
            try reactor.start()
        } catch {
            SupervisorLog.error("\(error)")
            return ExitStatus.startupFailure
        }
        SupervisorLog.info("supervising \(loaded.entries.count) module\(loaded.entries.count == 1 ? "" : "s") from \(options.policyDirectory); control socket \(options.controlSocket)")
        let group = ServiceGroup(configuration: .init(
            // The reactor ends only after a shutdown request: the signal handled by the group, or
            // one that came during start-up (posted by the service itself). Either way its end
            // is the group's graceful end.
            services: [.init(service: SupervisorService(reactor: reactor), successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: SupervisorLog.logger))
        do { try await group.run() } catch {
            SupervisorLog.error("\(error)")
            return ExitStatus.startupFailure
        }
        SupervisorLog.info("stopped")
        return 0
    }
}

/// Each live per-connection instance holds a pidfd in wardend: take the whole hard limit for
/// descriptors (systemd's soft default is 1024). Workers set their own lower limit.
func raiseDescriptorLimit() {
    guard let limit = try? ResourceLimit.openFiles.get(), limit.soft < limit.hard else { return }
    do throws(Errno) { try ResourceLimit.openFiles.set(soft: limit.hard, hard: limit.hard) } catch {
        SupervisorLog.warning("raising RLIMIT_NOFILE: \(error)")
    }
}

/// The reactor as a lifecycle service: graceful shutdown drains it, SIGHUP reloads it.
struct SupervisorService: Service {
    let reactor: Reactor

    func run() async throws {
        let reactor = self.reactor
        await withGracefulShutdownHandler {
            // The group handles SIGTERM and SIGINT from now on; one that came during start-up
            // (EarlyTermination) is a shutdown request all the same.
            if let signal = EarlyTermination.requested {
                SupervisorLog.info("\(signal.name) during start-up: shutting down")
                reactor.post(.shutdown)
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        SupervisorLog.info("SIGHUP: reloading")
                        reactor.post(.reload)
                    }
                }
                await reactor.finished()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            reactor.post(.shutdown)
        }
    }
}
