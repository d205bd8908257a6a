// Glibc for constants and types only: O_RDWR
import Glibc
import WardenSystem
import WardenWASI
import WardenWASIWasmKit

/// The one-shot launch behind `warden run` and `warden learn`. It holds ambient authority (it opens the module and
/// the granted directories by host path); the guest only ever gets the descriptors.
public enum OneShotRun {
    /// Wall-time and CPU-time limits of an in-process run (`--no-sandbox`) end it from a signal
    /// handler (the interpreter cannot be interrupted cleanly mid-instruction): a message, one
    /// audit event, a named exit status. A worker run keeps wall time in the launcher's loop
    /// and cpu-time in the worker's RLIMIT_CPU instead.
    static func armDeadlines(_ options: RunOptions, module: String, auditor: RunAuditor) {
        let wall = (options.wallTime?.nanoseconds ?? 0) / 1_000_000
        let cpu = ((options.cpuTime?.nanoseconds ?? 0) / 1_000_000 + 999) / 1000
        func event(_ limit: String, _ value: String) -> String { auditor.limitEvent(limit, value: value, time: "@TIME@") }
        let wallText = options.wallTime?.limitText ?? ""
        ProcessDeadlines.arm(
            wallMilliseconds: wall,
            wall: .init(message: "warden: module '\(module)' exceeded its wall-time limit (\(wallText)); ended\n",
                        auditLine: event("wall-time", wallText), exitStatus: ExitStatus.wallTime),
            cpuSeconds: cpu,
            cpu: .init(message: "warden: module '\(module)' exceeded its cpu-time limit (\(cpu)s); ended\n",
                       auditLine: event("cpu-time", "\(cpu)s"), exitStatus: ExitStatus.cpuTime),
            auditOutput: auditor.output)
    }

    /// Why `bytes` are not the module the policy pins (`sha256`), with the refusal audited; nil
    /// when they are, or nothing is pinned.
    static func pinMismatch(_ bytes: [UInt8], _ options: RunOptions, auditor: RunAuditor) -> String? {
        guard let pinned = options.sha256 else { return nil }
        let actual = SHA256.hex(of: bytes)
        guard actual != pinned else { return nil }
        auditor.digestMismatch(expected: pinned, actual: actual, policy: options.policyPath)
        return "module '\(options.moduleName ?? options.modulePath)': sha256 mismatch: the policy pins \(pinned), but \(options.modulePath) has \(actual); refusing to start"
    }

    /// Runs the guest and returns the process exit status. Errors that stop the launch are
    /// printed as one `warden: ...` line on stderr.
    public static func run(_ options: RunOptions) -> Int32 {
        options.timeline?.mark("command line parsed")
        let status = launch(options)
        if let timeline = options.timeline {
            timeline.mark("run ended")
            try? FileDescriptor.standardError.writeAll(timeline.rendered())
        }
        return status
    }

    static func launch(_ options: RunOptions) -> Int32 {
        // A guest writing to a closed pipe or socket, or past RLIMIT_FSIZE, must get EPIPE or
        // EFBIG back, not kill the launcher with SIGPIPE or SIGXFSZ.
        SignalNumber.brokenPipe.ignore()
        SignalNumber.fileSizeExceeded.ignore()
        // A closed 0, 1 or 2 would be taken by the next open (the audit log, the module
        // image) and handed to the module as a standard stream: fill the gaps first.
        StandardStreams.fillClosed()
        let authority = AmbientAuthority(purpose: "warden run: module file, granted directories, listeners")
        let stderr = FileDescriptor.standardError
        func fail(_ status: Int32, _ message: String) -> Int32 {
            try? stderr.writeAll("warden: \(OperatorOutput.sanitized(message))\n")
            return status
        }

        let fileName = String(options.modulePath.split(separator: "/").last ?? Substring(options.modulePath))
        let moduleName = options.moduleName ?? fileName
        // The audit sink first (stderr unless a file was named): a refused start is an event too.
        let auditor: RunAuditor
        do { auditor = try RunAuditor.open(options, module: moduleName, authority: authority) } catch {
            return fail(ExitStatus.launchFailure, "cannot open audit log '\(options.auditPath ?? "")': \(error)")
        }
        // After the audit context: its getrandom() waited for a network namespace being
        // created next door.
        let preparation = LaunchPreparation(for: options)
        defer { auditor.close() }

        // The module: a worker run reads it (and checks its pin) after spawning the worker, so
        // the reading and hashing overlap the worker's exec; nothing of the module reaches the
        // worker before the check.
        func loadModule() -> Result<[UInt8], WorkerLauncher.ModuleRefusal> {
            let read = Result { () throws(Errno) in try authority.readFile(options.modulePath, limit: PreparedModule.maxModuleBytes) }
            options.timeline?.mark("module read")
            return read.mapError { .init(text: "cannot read module '\(options.modulePath)': \($0)") }.flatMap { bytes in
                pinMismatch(bytes, options, auditor: auditor).map { .failure(.init(text: $0)) } ?? .success(bytes)
            }
        }

        // The grants.
        var opened: [FileDescriptor] = []
        defer { for fd in opened { try? fd.close() } }
        var configuration = WASIConfiguration()
        // argv[0] is the module's file name, as wasmtime passes it.
        configuration.arguments = [options.programName ?? fileName] + options.arguments
        configuration.maxOpenDescriptors = options.maxOpenDescriptors
        if options.stdinNull || options.stdoutNull || options.stderrNull {
            do {
                let null = try authority.openFile("/dev/null", flags: O_RDWR)
                opened.append(null)
                if options.stdinNull { configuration.stdin = null }
                if options.stdoutNull { configuration.stdout = null }
                if options.stderrNull { configuration.stderr = null }
            } catch {
                return fail(ExitStatus.launchFailure, "cannot open /dev/null: \(error)")
            }
        }
        if options.stdoutToStderr { configuration.stdout = stderr }
        for entry in options.environment {
            if entry.contains("=") {
                configuration.environment.append(entry)
            } else if let value = Environment.value(entry) {
                configuration.environment.append("\(entry)=\(value)")
            }
        }
        for listener in options.tcpListeners {
            guard let colon = listener.lastIndex(of: ":"), let port = UInt16(listener[listener.index(after: colon)...]) else {
                return fail(ExitStatus.usage, "invalid --tcplisten '\(listener)' (expected HOST:PORT, e.g. 127.0.0.1:8080)")
            }
            do {
                let socket = try authority.listenTCP(host: String(listener[..<colon]), port: port)
                opened.append(socket)
                configuration.listeners.append(socket)
            } catch {
                return fail(ExitStatus.launchFailure, "cannot listen on '\(listener)': \(error)")
            }
        }
        for grant in options.directories {
            do {
                let fd = try authority.openDirectory(grant.host)
                opened.append(fd)
                configuration.preopens.append(PreopenDirectory(host: fd, guestPath: grant.guest,
                                                               access: grant.readOnly ? .read : .readWrite))
            } catch {
                let flag = grant.readOnly ? "--ro-dir" : "--dir"
                return fail(ExitStatus.launchFailure, "cannot open directory '\(grant.host)' for \(flag): \(error)")
            }
        }

        options.timeline?.mark("grants opened")

        if options.useWorker {
            let identity: (uid: UInt32, gid: UInt32)?
            if options.transientIdentity && options.user == nil && geteuid() == 0 {
                guard let transient = WorkerLauncher.transientIdentity() else {
                    return fail(ExitStatus.launchFailure, "no free transient uid in \(WorkerLauncher.transientRange); name an account with --user")
                }
                identity = transient
            } else {
                do { identity = try WorkerLauncher.resolve(user: options.user) } catch {
                    return fail(ExitStatus.launchFailure, "module '\(moduleName)': \(error)")
                }
            }
            if let identity {
                let who = options.user.map { "user '\($0)'" } ?? "the run's transient uid"
                for (index, preopen) in configuration.preopens.enumerated() {
                    if let problem = WorkerLauncher.accessProblem(preopen.host, readWrite: preopen.access == .readWrite, for: identity) {
                        OperatorOutput.printError("warden: warning: grant '\(options.directories[index].host)' \(problem) for \(who) (\(identity.uid):\(identity.gid)); the module will get EACCES there (--user NAME runs as an account that can use it)")
                    }
                }
            }
            return auditor.finished(WorkerLauncher(options: options, moduleName: moduleName,
                                                   configuration: configuration, auditor: auditor, identity: identity,
                                                   preparation: preparation).run(readModule: loadModule))
        }
        let bytes: [UInt8]
        switch loadModule() {
        case .success(let read): bytes = read
        case .failure(let refusal): return fail(ExitStatus.launchFailure, refusal.text)
        }
        let binary: [UInt8]
        do { binary = try GuestRunner.binary(from: bytes) } catch {
            return fail(ExitStatus.launchFailure, "\(options.modulePath): \(error)")
        }
        if options.wallTime != nil || options.cpuTime != nil {
            armDeadlines(options, module: moduleName, auditor: auditor)
        }

        let wasi: WASIPreview1
        do { wasi = try WASIPreview1(configuration: configuration, auditor: auditor) } catch {
            return fail(ExitStatus.launchFailure, "cannot set up WASI: \(error)")
        }
        defer { wasi.closeAll() }
        var runner = GuestRunner(limits: .init(maxMemoryBytes: options.maxMemoryBytes, fuel: options.fuel))
        runner.onMemoryRefused = { auditor.recordMemoryRefused(requested: UInt64($0)) }
        auditor.started(pid: ProcessControl.currentID)
        let outcome: GuestRunner.Outcome
        do { outcome = try runner.run(moduleBytes: binary, wasi: wasi) } catch {
            return auditor.finished(fail(ExitStatus.launchFailure, "\(options.modulePath): \(error)"))
        }
        switch outcome {
        case .exited(let code):
            return auditor.finished(Int32(code & 0xff))
        case .signaled(let signal):
            return auditor.finished(fail(ExitStatus.signal(signal), "module '\(moduleName)' raised signal \(signal) (\(SignalNumber(rawValue: signal).name))"))
        case .trapped(let reason):
            auditor.trapped(reason)
            return auditor.finished(fail(ExitStatus.trap, "module '\(moduleName)' trapped: \(reason)"))
        }
    }
}
