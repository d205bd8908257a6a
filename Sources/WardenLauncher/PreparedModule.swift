// Glibc for constants and types only: O_RDWR
import Glibc
import WardenIPC
import WardenPolicy
import WardenAudit
import WardenSystem
import WardenWASI

/// One version of a module made ready to start any number of times (a supervisor restarts
/// it): the module image sealed in a memfd once, the grants opened once, the service account
/// resolved, the worker's configuration built. Holds ambient authority only while preparing;
/// afterwards it is descriptors.
public final class PreparedModule {
    /// The largest module a launcher reads (1 GiB): far above real modules, far below memory.
    public static let maxModuleBytes = 1 << 30

    public let policy: Policy
    public let options: RunOptions
    let launcher: WorkerLauncher
    let image: FileDescriptor
    /// Listening sockets at the end of the layout, for `sock_accept` (daemon, once). A
    /// per-connection zygote gets none: the supervisor accepts and passes each connection.
    let listeners: [FileDescriptor]
    let perConnection: PerConnectionSettings?
    private var owned: [FileDescriptor] = []
    public let auditor: RunAuditor
    /// SHA-256 of the module bytes this version runs (sealed in `image`): a reload that finds
    /// different bytes at the policy's path restarts the module with them.
    public let moduleDigest: String
    /// The image holds compiled code (an artifact's payload), not the module.
    let loadsArtifact: Bool
    /// Where that code came from: the cache (hit), a compile at load (miss), or the worker
    /// (cache off); `warden status` says which.
    public let codeProvenance: CodeProvenance
    /// Problems worth a warning (a grant the service account cannot use).
    public private(set) var warnings: [String] = []

    public var name: String { policy.module.name }

    /// Prepares `policy`. `listeners` stay owned by the caller (they outlive restarts and
    /// reloads); `auditOutput` is where audit events go when the policy names no log.
    /// `policyDigest` is the SHA-256 of the policy file's text (`PolicyFile.digest`), stamped on
    /// every audit event.
    public init(policy: Policy, policyDigest: String? = nil, listeners: [FileDescriptor], auditOutput: FileDescriptor,
                authority: AmbientAuthority) throws(RunError) {
        self.policy = policy
        var options = try RunOptions.from(policy: policy, narrowing: .init())
        options.policyDigest = policyDigest
        options.tcpListeners = []  // the supervisor opens and owns the sockets
        self.options = options
        let perConnection = policy.service.mode == .perConnection
        self.listeners = perConnection ? [] : listeners
        let name = policy.module.name
        func failure(_ step: String, _ error: Errno) -> RunError { .grant("module \"\(name)\": \(step): \(error)") }

        let bytes: [UInt8]
        do { bytes = try authority.readFile(policy.module.path, limit: PreparedModule.maxModuleBytes) } catch {
            throw failure("reading \(policy.module.path)", error)
        }
        moduleDigest = SHA256.hex(of: bytes)
        if let pinned = policy.module.sha256, moduleDigest != pinned {
            throw .grant("module \"\(name)\": sha256 mismatch: the policy pins \(pinned), but \(policy.module.path) has \(moduleDigest); refusing to start")
        }
        var configuration = WASIConfiguration()
        let fileName = String(policy.module.path.split(separator: "/").last ?? "module.wasm")
        configuration.arguments = [fileName] + options.arguments
        configuration.environment = options.environment
        configuration.maxOpenDescriptors = options.maxOpenDescriptors
        if options.stdinNull || options.stdoutNull || options.stderrNull {
            let null: FileDescriptor
            do { null = try authority.openFile("/dev/null", flags: O_RDWR) } catch { throw failure("opening /dev/null", error) }
            owned.append(null)
            if options.stdinNull { configuration.stdin = null }
            if options.stdoutNull { configuration.stdout = null }
            if options.stderrNull { configuration.stderr = null }
        }
        for grant in options.directories {
            do {
                let fd = try authority.openDirectory(grant.host)
                owned.append(fd)
                configuration.preopens.append(PreopenDirectory(host: fd, guestPath: grant.guest, access: grant.readOnly ? .read : .readWrite))
            } catch {
                throw failure("opening granted directory \(grant.host)", error)
            }
        }
        configuration.listeners = self.listeners

        // The audit room writes every event: the policy's own log when it names one, else
        // the supervisor's output; lifecycle events (start, exit, restart, crash) included.
        let sink: JSONLinesSink
        if let log = policy.audit.log {
            do { sink = try JSONLinesSink(path: log, authority: authority, sync: options.auditSync ? .everyEvent : .never) } catch {
                throw failure("opening audit log \(log)", error)
            }
        } else {
            sink = JSONLinesSink(descriptor: auditOutput)
        }
        let context = AuditContext(module: name, pid: nil, policyDigest: options.policyDigest)
        auditor = RunAuditor(log: AuditLog(context: context, sinks: [sink], rateLimit: AuditRateLimit(perSecond: options.auditRateLimit),
                                           onFailure: RunAuditor.failureAction(options)),
                             output: sink.descriptor, writesLifecycle: true, options: options)

        // On wasmtime the image is the module's compiled code, made now (at load and at every
        // reload) by a compile-only worker unless the cache has it: every start, and every
        // per-connection zygote, loads it instead of compiling.
        let code: [UInt8]?
        do {
            (code, codeProvenance) = try ArtifactSource.resolve(bytes, digest: moduleDigest, options: options, moduleName: name, auditor: auditor)
        } catch {
            throw .grant("module \"\(name)\": \(error)")
        }
        loadsArtifact = code != nil
        do { image = try .sealedMemory(named: "warden-module", holding: code ?? bytes) } catch {
            throw failure("staging the module image", error)
        }
        owned.append(image)

        let identity: (uid: UInt32, gid: UInt32)?
        do { identity = try WorkerLauncher.resolve(user: options.user) } catch { throw .grant("module \"\(name)\": \(error)") }
        if let identity {
            for (index, preopen) in configuration.preopens.enumerated() {
                if let problem = WorkerLauncher.accessProblem(preopen.host, readWrite: preopen.access == .readWrite, for: identity) {
                    warnings.append("module \"\(name)\": grant '\(options.directories[index].host)' \(problem) for user '\(options.user ?? "")'; the module will get EACCES there")
                }
            }
        }
        self.perConnection = perConnection
            ? PerConnectionSettings(maxConnections: policy.service.maxConnections,
                                    cpuSeconds: policy.limits.cpuTime.rlimitSeconds)
            : nil
        launcher = WorkerLauncher(options: options, moduleName: name, configuration: configuration,
                                  auditor: auditor, identity: identity)
    }

    deinit { for fd in owned { try? fd.close() } }

    /// Whether the file at the policy's module path now holds other bytes than this version
    /// runs (from its sealed copy).
    public func moduleFileDiffers(authority: AmbientAuthority) throws(Errno) -> Bool {
        SHA256.hex(of: try authority.readFile(policy.module.path, limit: PreparedModule.maxModuleBytes)) != moduleDigest
    }

    /// What the worker is told over its control socket.
    func workerConfiguration() -> WorkerConfiguration {
        var configuration = launcher.workerConfiguration()
        if loadsArtifact { configuration.artifact = .load }
        configuration.hardening.launcherPID = ProcessControl.currentID
        if let perConnection {
            configuration.perConnection = perConnection
            // cpu-time binds each instance (set in the instance after fork), not the zygote,
            // which lives for the service's lifetime.
            configuration.hardening.cpuSeconds = nil
            // A pid namespace would make the first instance its init: when that one ended, no
            // further fork could succeed.
            configuration.hardening.namespaces.removeAll { $0 == "pid" }
        }
        return configuration
    }

    /// The fixed layout: stdio, control, module, preopens, listeners.
    func layout(control: Int32) -> [Int32] {
        let configuration = launcher.configuration
        return [configuration.stdin.rawValue, configuration.stdout.rawValue, configuration.stderr.rawValue, control, image.rawValue]
            + configuration.preopens.map(\.host.rawValue) + listeners.map(\.rawValue)
    }
}
