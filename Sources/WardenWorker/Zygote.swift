// Glibc for types only: pid_t
import Glibc
import WardenIPC
import WardenSystem
import WardenWASI

/// The per-connection worker: hardened like any worker, it parses, validates and instantiates
/// the module once, then waits for connections the supervisor passes over the control socket
/// and forks one instance for each, whose stdin and stdout are the connection (the inetd
/// model). Each instance starts from the zygote's pristine, never-run instance, so nothing one
/// connection does reaches the next. Still single-threaded: fork is safe here.
enum Zygote {
    /// Loads once (a compiling engine publishes the code and the exec lock goes on here, before
    /// any instance exists) and instantiates once; every instance is a fork of that state.
    static func serve(_ configuration: WorkerConfiguration, settings: PerConnectionSettings, control: ControlChannel, loader: Loader) -> Never {
        let instantiated: any GuestInstance
        do {
            let bytes = try FileDescriptor(rawValue: DescriptorLayout.module).readToEnd(limit: 1 << 30)
            let wasi = try WASIPreview1(configuration: wasiConfiguration(configuration), auditor: ControlSocketAuditor(control: control))
            let limits = GuestLimits(maxMemoryBytes: configuration.maxMemoryBytes.map { Int(clamping: $0) }, fuel: configuration.fuel)
            var timeline: Timeline? = nil
            let compiled = try loader.compile(bytes, limits: limits, eager: true, timeline: &timeline)
            instantiated = try compiled.instantiate(wasi: wasi, onMemoryRefused: nil)
        } catch {
            try? control.send(WorkerMessage.loadFailed(message: "\(error)").encoded())
            ProcessControl.exit(Worker.ExitStatus.loadFailed)
        }
        do throws(Errno) { try ZygoteSignals.install() } catch { ProcessControl.exit(Worker.ExitStatus.controlLost) }
        let zygote = ProcessControl.currentID
        var live = 0
        var draining = false
        var controlOpen = true
        while true {
            // Block for a connection or a signal; once draining, only look (connections the
            // supervisor accepted before it stopped are still served) and otherwise sleep
            // until a child ends.
            let woken = ZygoteSignals.wait(for: controlOpen ? control.socket : nil)
            if woken.terminated { draining = true }
            while let ended = ProcessControl.reapAnyChild() {
                live -= 1
                try? control.send(WorkerMessage.instanceEnded(pid: ended.pid, status: ended.status).encoded())
            }
            guard controlOpen, woken.readable else {
                // SIGTERM (or the supervisor gone): no more connections; the live ones finish
                // (the supervisor bounds how long), then leave.
                if draining {
                    if live == 0 { finish(control) }
                    ZygoteSignals.pause()
                }
                continue
            }
            let frame: (payload: [UInt8], descriptor: FileDescriptor?)?
            do { frame = try control.receive() } catch { ProcessControl.exit(Worker.ExitStatus.controlLost) }
            guard let frame else {
                // The supervisor is gone: nothing more will come.
                controlOpen = false
                draining = true
                continue
            }
            guard (try? SupervisorMessage.decode(frame.payload)) == .connection, let connection = frame.descriptor else {
                if let descriptor = frame.descriptor { try? descriptor.close() }
                ProcessControl.exit(Worker.ExitStatus.badConfiguration)
            }
            if live >= settings.maxConnections {
                // The supervisor counts too; this is the second check, not the first.
                try? connection.close()
                continue
            }
            let child = try? ProcessControl.fork()
            if child == 0 { instance(instantiated, connection: connection, zygote: zygote, cpuSeconds: settings.cpuSeconds) }
            try? connection.close()
            if let child, child > 0 {
                live += 1
                try? control.send(WorkerMessage.instanceStarted(pid: child).encoded())
            }
        }
    }

    /// Drained: every instance is gone. A zygote's run ends as a service's does, with 0.
    static func finish(_ control: ControlChannel) -> Never {
        try? control.send(WorkerMessage.exited(code: 0).encoded())
        ProcessControl.exit(Worker.ExitStatus.finished)
    }

    /// In the forked instance: die with the zygote, bound the CPU, serve the connection on
    /// stdin and stdout, exit with the guest's status (trap 134, signal 128+N).
    static func instance(_ instantiated: any GuestInstance, connection: FileDescriptor, zygote: pid_t, cpuSeconds: UInt64) -> Never {
        ZygoteSignals.resetInInstance()
        guard ProcessControl.bindLifetimeToParent(zygote) else { ProcessControl.exitImmediately(Worker.ExitStatus.controlLost) }
        do throws(Errno) {
            try ResourceLimit.cpuTime.set(soft: cpuSeconds, hard: cpuSeconds + 1)
            try connection.duplicate(onto: .standardInput)
            try connection.duplicate(onto: .standardOutput)
        } catch {
            ProcessControl.exitImmediately(Worker.ExitStatus.controlLost)
        }
        try? connection.close()
        switch instantiated.run() {
        case .exited(let code): ProcessControl.exitImmediately(Int32(code & 0xff))
        case .signaled(let signal): ProcessControl.exitImmediately(128 &+ (signal & 0x7f))
        case .trapped: ProcessControl.exitImmediately(134)
        }
    }

    /// The instances' WASI view: stdio (0 and 1 become the connection), the preopens; the
    /// listening sockets are the supervisor's business, never the guest's.
    static func wasiConfiguration(_ configuration: WorkerConfiguration) -> WASIConfiguration {
        var wasi = WASIConfiguration()
        wasi.arguments = configuration.arguments
        wasi.environment = configuration.environment
        wasi.maxOpenDescriptors = configuration.maxOpenDescriptors
        for (index, preopen) in configuration.preopens.enumerated() {
            wasi.preopens.append(PreopenDirectory(host: FileDescriptor(rawValue: DescriptorLayout.firstPreopen + Int32(index)),
                                                  guestPath: preopen.guestPath, access: preopen.readWrite ? .readWrite : .read))
        }
        return wasi
    }
}
