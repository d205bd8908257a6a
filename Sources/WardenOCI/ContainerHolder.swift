// Glibc for constants only: O_WRONLY
import Glibc
import WardenAudit
import WardenLauncher
import WardenSystem

/// The container's process between `create` and its end: a `warden-oci` child of `create`
/// (re-parented to the caller's subreaper when `create` exits) whose pid is the container's.
/// It maps the bundle to a run, joins the pod's namespaces, reports ready (or why not) to
/// `create`, then blocks on `exec.fifo` until `start` opens it, and runs the module through
/// the launcher (`OneShotRun`: the same hardened worker, policy and audit as `warden run`).
/// Its exit status is the module's.
public enum ContainerHolder {
    /// The ready pipe `create` reads: "ok", or an error message.
    public static let readyDescriptor = FileDescriptor(rawValue: 3)

    public static func run(root: String, id: String, bundle: String, terminal: Bool) -> Int32 {
        let ready = readyDescriptor
        let settings = RuntimeSettings.fromEnvironment()
        let authority = AmbientAuthority(purpose: "warden-oci: the bundle, its rootfs, bind-mount sources, the pod's namespaces")
        let audit = ContainerAudit(id: id, settings: settings)
        func refuse(_ message: String, reason: String = "create-refused") -> Int32 {
            audit.record([MappingRefusal(reason: reason, fields: ["detail": message])])
            try? ready.writeAll("error: " + message)
            try? ready.close()
            return 1
        }
        // Its own session: a terminal's signals reach only the container, and with a console
        // the pty becomes its controlling terminal.
        try? ProcessControl.newSession()
        if terminal { try? ProcessControl.takeControllingTerminal(.standardInput) }

        let configBytes: [UInt8]
        do { configBytes = try authority.readFile(bundle + "/config.json", limit: 4 << 20) } catch {
            return refuse("cannot read \(bundle)/config.json: \(error)")
        }
        var plan: ContainerPlan
        do {
            let config = try BundleConfig.parse(configBytes)
            plan = try GrantMapping.plan(id: id, bundle: bundle, config: config, settings: settings) { source in
                ImageFiles.kind(of: source, authority: authority)
            }
        } catch let error as BundleConfig.ParseError {
            return refuse(error.description)
        } catch let error as GrantMapping.Failure {
            return refuse(error.description)
        } catch {
            return refuse("\(error)")
        }

        // The module, resolved beneath the rootfs (a symlink or `..` leading out is refused).
        let rootfs: FileDescriptor
        do { rootfs = try authority.openDirectory(plan.rootfs) } catch {
            return refuse("cannot open the rootfs \(plan.rootfs): \(error)")
        }
        let module: FileDescriptor
        do { module = try ImageFiles.openFile(plan.moduleInImage, in: rootfs) } catch {
            let escape = error.errno == .crossDevice || error.errno == .tooManySymlinks
            return refuse("module /\(plan.moduleInImage) in the image: \(error)", reason: escape ? "escape-attempt" : "create-refused")
        }
        plan.options.modulePath = "/proc/self/fd/\(module.rawValue)"

        // An attached policy narrows the plan.
        if let name = plan.policyName {
            let location: (path: String, fromNode: Bool)
            do { location = try ImageFiles.policyLocation(name, rootfs: rootfs, settings: settings) } catch {
                return refuse("policy '\(name)': \(error)")
            }
            do {
                let policy = try RunOptions.from(policyFile: location.path, narrowing: .init())
                PolicyNarrowing.apply(policy, to: &plan, fromNode: location.fromNode)
            } catch {
                return refuse("policy '\(name)': \(error)", reason: "invalid-policy")
            }
        }

        for namespace in plan.namespacesToJoin {
            let type: Int32 = switch namespace.type {
            case "network": Int32(CLONE_NEWNET)
            case "ipc": Int32(CLONE_NEWIPC)
            default: Int32(CLONE_NEWUTS)
            }
            do { try authority.joinNamespace(namespace.path ?? "", type: type) } catch {
                return refuse("cannot join the \(namespace.type) namespace \(namespace.path ?? ""): \(error)")
            }
        }
        do { try authority.makeDirectories(settings.auditDirectory, mode: 0o750) } catch {
            return refuse("cannot create the audit directory \(settings.auditDirectory): \(error)")
        }
        audit.record(plan.refusals)
        try? ready.writeAll("ok")
        try? ready.close()

        // Wait for `start`: opening a FIFO for writing blocks until a reader opens it.
        do {
            let fifo = try authority.openFile(StateDirectory(root: root).fifoPath(id), flags: O_WRONLY)
            try fifo.writeAll("0")
            try? fifo.close()
        } catch {
            return 1
        }
        return OneShotRun.run(plan.options)
    }
}

/// Audit events for what the mapping refused, in the container's own JSON Lines file (and the
/// journal when one runs), with the container id as the module name.
struct ContainerAudit {
    let id: String
    let settings: RuntimeSettings

    func record(_ refusals: [MappingRefusal]) {
        guard !refusals.isEmpty else { return }
        try? AmbientAuthority(purpose: "warden-oci: the container's audit log").makeDirectories(settings.auditDirectory, mode: 0o750)
        Self.withLog(path: settings.auditPath(for: id), journal: settings.journal,
                     context: AuditContext(module: id, pid: ProcessControl.currentID)) { log in
            for refusal in refusals {
                var fields = refusal.fields
                fields["reason"] = refusal.reason
                fields["container"] = id
                log.record(.other(layer: "policy", action: "refused", fields: fields))
            }
        }
    }

    /// An audit log on the container's JSON Lines file (and the journal when asked), for
    /// events warden-oci writes itself rather than the run; the sinks are closed afterwards.
    static func withLog(path: String, journal: Bool, context: AuditContext, _ body: (AuditLog) -> Void) {
        let authority = AmbientAuthority(purpose: "warden-oci: the container's audit log")
        var sinks: [any AuditSink] = []
        if let file = try? JSONLinesSink(path: path, authority: authority) { sinks.append(file) }
        if journal, let sink = try? JournalSink(authority: authority) { sinks.append(sink) }
        body(AuditLog(context: context, sinks: sinks, rateLimit: nil))
        for case let sink as JSONLinesSink in sinks { sink.close() }
        for case let sink as JournalSink in sinks { sink.close() }
    }
}
