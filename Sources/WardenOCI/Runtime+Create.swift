// Glibc for constants only: signal numbers
import Glibc
import WardenAudit
import WardenSystem

extension Runtime {
    /// `create --bundle B [--pid-file F] [--console-socket S] ID`: a holder process waiting on
    /// `exec.fifo`, placed in the container's cgroup, its pid in the pid file.
    func create() -> Int32 {
        guard let id = invocation.positionals.first else { return fail("create: a container id is needed") }
        let bundle = absolute(invocation.flags["bundle"] ?? ".")
        let config: BundleConfig
        do {
            config = try BundleConfig.parse(try authority.readFile(bundle + "/config.json", limit: 4 << 20))
        } catch let error as BundleConfig.ParseError {
            return fail(error.description)
        } catch {
            return fail("cannot read \(bundle)/config.json: \(error)")
        }
        guard WasmDecision.isWasm(annotations: config.annotations, args: config.args) else { return delegate() }
        guard StateDirectory.isValid(id: id) else { return fail("invalid container id '\(id)'") }
        do { try state.claim(id) } catch {
            return fail(error == .exists ? "container with id exists: \(id)" : "cannot create the state directory for \(id) under \(state.root): \(error)")
        }
        let status = launchHolder(id: id, bundle: bundle, config: config)
        if status != 0 { state.remove(id) }
        return status
    }

    private func launchHolder(id: String, bundle: String, config: BundleConfig) -> Int32 {
        do { try authority.makeFIFO(state.fifoPath(id)) } catch { return fail("cannot create \(state.fifoPath(id)): \(error)") }

        // Standard streams: create's own, or a pty whose master goes to the console socket (then
        // nothing of create's stdout stays open in the container).
        var stdio: [FileDescriptor] = [.standardInput, .standardOutput, .standardError]
        var terminal: Pseudoterminal?
        defer { try? terminal?.slave.close() }
        if let socketPath = invocation.flags["console-socket"] {
            do {
                let pty = try Pseudoterminal.open()
                terminal = pty
                let socket = try authority.connectUnixStream(socketPath)
                defer { try? socket.close() }
                try socket.send(Array("/dev/ptmx".utf8), passing: pty.master)
                try? pty.master.close()
                stdio = [pty.slave, pty.slave, pty.slave]
            } catch {
                return fail("cannot hand a terminal to the console socket \(socketPath): \(error)")
            }
        } else if config.terminal {
            return fail("cannot allocate a terminal without --console-socket")
        }

        guard let executable = ProcessControl.executablePath() else { return fail("cannot find warden-oci's own executable") }
        let holder: Int32
        let readyRead: FileDescriptor
        do {
            let ready = try FileDescriptor.pipe()
            readyRead = ready.read
            defer { try? ready.write.close() }
            holder = try ProcessControl.spawn(
                executable, arguments: ["warden-oci", Runtime.holdCommand, state.root, id, bundle, terminal == nil ? "0" : "1"],
                descriptors: stdio + [ready.write])
        } catch {
            return fail("cannot start the container process: \(error)")
        }
        try? terminal?.slave.close()
        terminal = nil
        let answer = String(decoding: (try? readyRead.readToEnd(limit: 1 << 16)) ?? [], as: UTF8.self)
        try? readyRead.close()
        func abandon(_ message: String) -> Int32 {
            try? ProcessControl.signal(holder, SIGKILL)
            _ = try? ProcessControl.wait(for: holder)
            return fail(message)
        }
        guard answer == "ok" else {
            let message = answer.hasPrefix("error: ") ? String(answer.dropFirst(7)) : "the container process ended before it was ready"
            return abandon(message)
        }

        var cgroups: [String] = []
        if let path = config.cgroupsPath, !path.isEmpty {
            guard let relative = CgroupPlacement.relativePath(path, systemd: invocation.systemdCgroup) else {
                return abandon("invalid cgroupsPath '\(path)'")
            }
            cgroups = CgroupPlacement.directories(for: relative, authority: authority)
            do {
                try CgroupPlacement.place(holder, in: cgroups, memoryLimit: config.memoryLimit, pidsLimit: config.pidsLimit, authority: authority)
            } catch {
                CgroupPlacement.remove(cgroups, authority: authority)
                return abandon("cannot place the container in cgroup \(relative): \(error)")
            }
        }
        guard let startTime = state.processStartTime(holder) else { return abandon("the container process ended before it was ready") }
        let record = ContainerRecord(
            id: id, bundle: bundle, pid: holder, processStartTime: startTime, created: AuditTime.now().description,
            ociVersion: config.ociVersion, annotations: config.annotations, cgroups: cgroups, auditPath: settings.auditPath(for: id))
        do { try state.save(record) } catch { return abandon("cannot record container \(id): \(error)") }
        if let pidFile = invocation.flags["pid-file"] {
            do { try authority.replaceFile(absolute(pidFile), with: Array("\(holder)".utf8), mode: 0o644) } catch {
                CgroupPlacement.remove(cgroups, authority: authority)
                return abandon("cannot write the pid file \(pidFile): \(error)")
            }
        }
        return 0
    }

    /// `start ID`: releases the holder (it is blocked opening exec.fifo for writing).
    func start(_ record: ContainerRecord) -> Int32 {
        let status = state.status(record)
        guard status == "created" else {
            return fail(status == "stopped" ? "cannot start a container that has stopped" : "cannot start an already \(status) container")
        }
        let fifoPath = state.fifoPath(record.id)
        let fifo: FileDescriptor
        do { fifo = try authority.openFile(fifoPath, flags: O_RDONLY | O_NONBLOCK) } catch {
            return fail("cannot open \(fifoPath): \(error)")
        }
        defer { try? fifo.close() }
        // The holder opens its end as soon as it has reported ready; wait for its byte while
        // it lives (a holder killed in between must not hang start).
        var buffer = [UInt8](repeating: 0, count: 1)
        for _ in 0..<1000 {
            var requests = [PollRequest(descriptor: fifo, events: PollRequest.readable)]
            _ = try? ppoll(&requests, timeoutNanoseconds: 10_000_000)
            let count = (try? buffer.withUnsafeMutableBytes { (raw) throws(Errno) in try fifo.read(into: raw) }) ?? 0
            if count == 1 {
                try? authority.removeFile(fifoPath)
                return 0
            }
            if state.liveProcess(record) == nil { return fail("cannot start container \(record.id): its process ended") }
        }
        return fail("cannot start container \(record.id): its process did not answer within 10 s")
    }

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : ProcessControl.currentDirectory() + "/" + path
    }
}
