/// What the launcher tells a worker: everything it needs, by value. The worker never opens a
/// path by name; the descriptors it acts on come at fixed numbers (see `DescriptorLayout`).
public struct WorkerConfiguration: Sendable, Equatable {
    public struct Preopen: Sendable, Equatable {
        public var guestPath: String
        public var readWrite: Bool
        public init(guestPath: String, readWrite: Bool) {
            self.guestPath = guestPath
            self.readWrite = readWrite
        }
    }

    public var moduleName: String = ""
    public var arguments: [String] = []
    public var environment: [String] = []
    public var preopens: [Preopen] = []
    public var listenerCount: Int = 0
    public var maxMemoryBytes: UInt64?
    public var fuel: UInt64?
    public var maxOpenDescriptors: Int = 1024
    public var hardening = HardeningSettings()
    /// Set for a per-connection worker (the zygote); nil runs the module once.
    public var perConnection: PerConnectionSettings?
    /// `warden learn`: report every allowed access (`accesses`) and what the run used (`usage`).
    public var learn = false
    /// The engine to run the module on (`wasmkit` or `wasmtime`); the launcher starts the
    /// worker executable that carries it.
    public var engine = "wasmkit"
    /// What the module descriptor holds and what to do with it (compiled artifacts).
    public var artifact = ArtifactUse.none
    /// The module image was not in the spawn layout: it comes with this configuration (the
    /// last descriptor of its frame) and the worker puts it at `DescriptorLayout.module`
    /// before hardening. `warden run` spawns the worker first and reads, hashes, looks up and
    /// stages the code while the worker is exec'd.
    public var imageFollows = false
    /// A warm worker (spawned by wardend before any run, `WarmWorker`) has none of the run's
    /// descriptors: its standard input, output and error, grants and listeners come with this
    /// configuration, after the image, and the worker puts them at their fixed numbers before
    /// hardening (`layoutDescriptorCount` of them).
    public var layoutFollows = false
    /// The launcher's umask, for the files the module creates (a warm worker has wardend's).
    public var fileCreationMask: UInt32?

    /// The descriptors of a following layout: standard input, output, error, then every grant
    /// and listener.
    public var layoutDescriptorCount: Int { 3 + preopens.count + listenerCount }

    /// The encoding's version: a worker refuses any other (`warden run` asks wardend for a warm
    /// worker of exactly this one).
    public static let formatVersion: UInt32 = 2

    /// `none`: the module descriptor holds the module (binary or text) and the worker runs it.
    /// `compile`: the same bytes, but the worker only compiles them, sends the engine's
    /// serialized code (`WorkerMessage.artifact` parts, then `exited(0)`) and exits, never
    /// instantiating anything. `load`: the descriptor holds serialized code the launcher
    /// verified against the artifact's key; the worker loads it instead of compiling.
    public enum ArtifactUse: UInt8, Sendable, Equatable {
        case none = 0, compile = 1, load = 2
    }

    public init() {}

    public func encoded() -> [UInt8] {
        var writer = WireWriter()
        writer.u32(Self.formatVersion)
        writer.string(moduleName)
        writer.strings(arguments)
        writer.strings(environment)
        writer.u32(UInt32(preopens.count))
        for preopen in preopens {
            writer.string(preopen.guestPath)
            writer.bool(preopen.readWrite)
        }
        writer.u32(UInt32(listenerCount))
        writer.optional(maxMemoryBytes) { $0.u64($1) }
        writer.optional(fuel) { $0.u64($1) }
        writer.u32(UInt32(maxOpenDescriptors))
        hardening.encode(into: &writer)
        writer.optional(perConnection) { $1.encode(into: &$0) }
        writer.bool(learn)
        writer.string(engine)
        writer.u8(artifact.rawValue)
        writer.bool(imageFollows)
        writer.bool(layoutFollows)
        writer.optional(fileCreationMask) { $0.u32($1) }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> WorkerConfiguration {
        var reader = WireReader(bytes)
        guard try reader.u32() == formatVersion else { throw .invalid("configuration version") }
        var configuration = WorkerConfiguration()
        configuration.moduleName = try reader.string()
        configuration.arguments = try reader.strings()
        configuration.environment = try reader.strings()
        let preopenCount = Int(try reader.u32())
        guard preopenCount <= 4096 else { throw .invalid("preopen count") }
        for _ in 0..<preopenCount {
            configuration.preopens.append(Preopen(guestPath: try reader.string(), readWrite: try reader.bool()))
        }
        configuration.listenerCount = Int(try reader.u32())
        guard configuration.listenerCount <= 4096 else { throw .invalid("listener count") }
        if try reader.bool() { configuration.maxMemoryBytes = try reader.u64() }
        if try reader.bool() { configuration.fuel = try reader.u64() }
        configuration.maxOpenDescriptors = Int(try reader.u32())
        configuration.hardening = try HardeningSettings.decode(from: &reader)
        if try reader.bool() { configuration.perConnection = try PerConnectionSettings.decode(from: &reader) }
        configuration.learn = try reader.bool()
        configuration.engine = try reader.string()
        guard let artifact = ArtifactUse(rawValue: try reader.u8()) else { throw .invalid("artifact use") }
        configuration.artifact = artifact
        configuration.imageFollows = try reader.bool()
        configuration.layoutFollows = try reader.bool()
        if try reader.bool() { configuration.fileCreationMask = try reader.u32() & 0o777 }
        guard reader.isAtEnd else { throw .invalid("trailing bytes") }
        return configuration
    }
}

/// The hardening the launcher asks for, in primitive values (the worker turns them into the
/// hardening room's plan; this room stays independent of it).
public struct HardeningSettings: Sendable, Equatable {
    public var namespaces: [String] = ["user", "mount", "net", "ipc", "uts"]
    public var namespacesRequired = false
    /// The service identity (resolved by the launcher), applied when the worker runs as root.
    public var uid: UInt32?
    public var gid: UInt32?
    public var landlock: String = "best-effort"
    /// "kill" or "errno".
    public var onSyscallViolation: String = "kill"
    public var openFiles: UInt64 = 1024
    public var cpuSeconds: UInt64?
    public var fileSizeBytes: UInt64?
    public var launcherPID: Int32 = 0
    /// Refused system calls go to the launcher through a seccomp user-notification listener.
    public var reportViolations = true
    /// Seccomp groups to leave out (narrowing only).
    public var excludedSyscallGroups: [String] = []
    /// Hardening steps to skip (debugging and cost measurement only; the launcher warns).
    public var skippedSteps: [String] = []
    /// Send a `timeline` of start-up milestones before the module's `_start` (`--timings`).
    public var reportTimings = false
    /// The seccomp filter the launcher compiled for this worker (raw BPF), or nil for the
    /// worker to compile it.
    public var seccompProgram: [UInt8]?
    /// A network namespace the launcher created ahead of time travels with the configuration
    /// frame (SCM_RIGHTS); the worker joins it instead of creating one.
    public var networkNamespacePassed = false
    /// For an engine that publishes code: the exec lock's filter (raw BPF), compiled by the
    /// launcher while the worker was exec'd; nil for the worker to compile it.
    public var execLockProgram: [UInt8]?

    public init() {}

    func encode(into writer: inout WireWriter) {
        writer.strings(namespaces)
        writer.bool(namespacesRequired)
        writer.optional(uid) { $0.u32($1) }
        writer.optional(gid) { $0.u32($1) }
        writer.string(landlock)
        writer.string(onSyscallViolation)
        writer.u64(openFiles)
        writer.optional(cpuSeconds) { $0.u64($1) }
        writer.optional(fileSizeBytes) { $0.u64($1) }
        writer.i32(launcherPID)
        writer.bool(reportViolations)
        writer.strings(excludedSyscallGroups)
        writer.strings(skippedSteps)
        writer.bool(reportTimings)
        writer.optional(seccompProgram) { $0.blob($1) }
        writer.bool(networkNamespacePassed)
        writer.optional(execLockProgram) { $0.blob($1) }
    }

    static func decode(from reader: inout WireReader) throws(WireError) -> HardeningSettings {
        var settings = HardeningSettings()
        settings.namespaces = try reader.strings(limit: 16)
        settings.namespacesRequired = try reader.bool()
        if try reader.bool() { settings.uid = try reader.u32() }
        if try reader.bool() { settings.gid = try reader.u32() }
        settings.landlock = try reader.string()
        settings.onSyscallViolation = try reader.string()
        settings.openFiles = try reader.u64()
        if try reader.bool() { settings.cpuSeconds = try reader.u64() }
        if try reader.bool() { settings.fileSizeBytes = try reader.u64() }
        settings.launcherPID = try reader.i32()
        settings.reportViolations = try reader.bool()
        settings.excludedSyscallGroups = try reader.strings(limit: 64)
        settings.skippedSteps = try reader.strings(limit: 16)
        settings.reportTimings = try reader.bool()
        // BPF_MAXINSNS instructions of 8 bytes.
        if try reader.bool() { settings.seccompProgram = try reader.blob(limit: 4096 * 8) }
        settings.networkNamespacePassed = try reader.bool()
        if try reader.bool() { settings.execLockProgram = try reader.blob(limit: 4096 * 8) }
        return settings
    }
}

/// What a worker reports back over its control socket.
public enum WorkerMessage: Sendable, Equatable {
    /// Hardened and about to parse the module; the layers actually in force.
    case ready(layers: [String])
    /// Carries the seccomp user-notification listener (SCM_RIGHTS) so the launcher, not the
    /// worker, decides and reports every refused system call.
    case listener
    /// One refusal by the WASI layer.
    case denial(operation: String, fd: UInt32?, preopen: String?, path: String?, reason: String, errno: String)
    /// An operation the WASI layer allowed and the kernel refused (EACCES/EPERM) although the
    /// mode bits allow it; the launcher reports it as a Landlock catch when Landlock is in force.
    case kernelRefusal(operation: String, fd: UInt32?, preopen: String?, path: String?, errno: Int32)
    /// A limit refused a request and the module went on (`memory`: growth to `requested` bytes).
    case limitReached(limit: String, requested: UInt64)
    /// A hardening step failed; the worker exits right after.
    case hardeningFailed(step: String, errno: Int32, message: String)
    /// The module could not be parsed, validated or instantiated.
    case loadFailed(message: String)
    /// How the guest ended.
    case exited(code: UInt32)
    case signaled(signal: Int32)
    case trapped(reason: String)
    /// Start-up milestones (name, CLOCK_MONOTONIC nanoseconds), sent only when asked for
    /// (`HardeningSettings.reportTimings`) just before the module's `_start`.
    case timeline(names: [String], times: [UInt64])
    /// A zygote forked an instance for a connection (the supervisor checks it is the
    /// zygote's child before it believes the pid).
    case instanceStarted(pid: Int32)
    /// A zygote reaped an instance: its wait status.
    case instanceEnded(pid: Int32, status: Int32)
    /// `warden learn`: allowed accesses since the last batch (preopen index, path beneath it,
    /// `AccessKind` raw value), in order.
    case accesses([LearnedAccess])
    /// `warden learn`: what the run used, just before the final report.
    case usage(memoryBytes: UInt64, fuelConsumed: UInt64?, peakOpenDescriptors: UInt32, environmentRead: Bool)
    /// A compile-only worker's serialized code, in parts of at most `artifactPartLimit` bytes
    /// (a frame holds 16 MiB), in order; `exited(0)` follows the last.
    case artifact(part: [UInt8])

    public static let artifactPartLimit = 8 << 20

    public func encoded() -> [UInt8] {
        var writer = WireWriter()
        switch self {
        case .ready(let layers):
            writer.u8(1)
            writer.strings(layers)
        case .denial(let operation, let fd, let preopen, let path, let reason, let errno):
            writer.u8(2)
            writer.string(operation)
            writer.optional(fd) { $0.u32($1) }
            writer.optional(preopen) { $0.string($1) }
            writer.optional(path) { $0.string($1) }
            writer.string(reason)
            writer.string(errno)
        case .hardeningFailed(let step, let errno, let message):
            writer.u8(3)
            writer.string(step)
            writer.i32(errno)
            writer.string(message)
        case .loadFailed(let message):
            writer.u8(4)
            writer.string(message)
        case .exited(let code):
            writer.u8(5)
            writer.u32(code)
        case .signaled(let signal):
            writer.u8(6)
            writer.i32(signal)
        case .trapped(let reason):
            writer.u8(7)
            writer.string(reason)
        case .listener:
            writer.u8(8)
        case .accesses(let accesses):
            writer.u8(12)
            writer.u32(UInt32(clamping: accesses.count))
            for access in accesses {
                writer.u32(access.preopen)
                writer.string(access.path)
                writer.u8(access.kind)
            }
        case .usage(let memoryBytes, let fuelConsumed, let peakOpenDescriptors, let environmentRead):
            writer.u8(13)
            writer.u64(memoryBytes)
            writer.optional(fuelConsumed) { $0.u64($1) }
            writer.u32(peakOpenDescriptors)
            writer.bool(environmentRead)
        case .kernelRefusal(let operation, let fd, let preopen, let path, let errno):
            writer.u8(10)
            writer.string(operation)
            writer.optional(fd) { $0.u32($1) }
            writer.optional(preopen) { $0.string($1) }
            writer.optional(path) { $0.string($1) }
            writer.i32(errno)
        case .limitReached(let limit, let requested):
            writer.u8(11)
            writer.string(limit)
            writer.u64(requested)
        case .timeline(let names, let times):
            writer.u8(9)
            writer.strings(names)
            writer.u32(UInt32(clamping: times.count))
            for time in times { writer.u64(time) }
        case .artifact(let part):
            writer.u8(16)
            writer.blob(part)
        case .instanceStarted(let pid):
            writer.u8(14)
            writer.i32(pid)
        case .instanceEnded(let pid, let status):
            writer.u8(15)
            writer.i32(pid)
            writer.i32(status)
        }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(WireError) -> WorkerMessage {
        var reader = WireReader(bytes)
        let message: WorkerMessage
        switch try reader.u8() {
        case 1: message = .ready(layers: try reader.strings(limit: 64))
        case 2:
            let operation = try reader.string()
            let fd: UInt32? = try reader.bool() ? try reader.u32() : nil
            let preopen: String? = try reader.bool() ? try reader.string() : nil
            let path: String? = try reader.bool() ? try reader.string() : nil
            message = .denial(operation: operation, fd: fd, preopen: preopen, path: path,
                              reason: try reader.string(), errno: try reader.string())
        case 3: message = .hardeningFailed(step: try reader.string(), errno: try reader.i32(), message: try reader.string())
        case 4: message = .loadFailed(message: try reader.string())
        case 5: message = .exited(code: try reader.u32())
        case 6: message = .signaled(signal: try reader.i32())
        case 7: message = .trapped(reason: try reader.string())
        case 8: message = .listener
        case 9:
            let names = try reader.strings(limit: 64)
            let count = Int(try reader.u32())
            guard count == names.count else { throw .invalid("timeline length") }
            var times: [UInt64] = []
            for _ in 0..<count { times.append(try reader.u64()) }
            message = .timeline(names: names, times: times)
        case 16: message = .artifact(part: try reader.blob(limit: artifactPartLimit))
        case 14: message = .instanceStarted(pid: try reader.i32())
        case 15: message = .instanceEnded(pid: try reader.i32(), status: try reader.i32())
        case 12:
            let count = Int(try reader.u32())
            guard count <= 65536 else { throw .invalid("access count") }
            var accesses: [LearnedAccess] = []
            for _ in 0..<count {
                accesses.append(LearnedAccess(preopen: try reader.u32(), path: try reader.string(), kind: try reader.u8()))
            }
            message = .accesses(accesses)
        case 13:
            let memory = try reader.u64()
            let fuel: UInt64? = try reader.bool() ? try reader.u64() : nil
            message = .usage(memoryBytes: memory, fuelConsumed: fuel, peakOpenDescriptors: try reader.u32(), environmentRead: try reader.bool())
        case 10:
            let operation = try reader.string()
            let fd: UInt32? = try reader.bool() ? try reader.u32() : nil
            let preopen: String? = try reader.bool() ? try reader.string() : nil
            let path: String? = try reader.bool() ? try reader.string() : nil
            message = .kernelRefusal(operation: operation, fd: fd, preopen: preopen, path: path, errno: try reader.i32())
        case 11: message = .limitReached(limit: try reader.string(), requested: try reader.u64())
        default: throw .invalid("message tag")
        }
        guard reader.isAtEnd else { throw .invalid("trailing bytes") }
        return message
    }
}

/// One allowed access as the worker reports it while learning (see WardenWASI's
/// `ObservedAccess`; this room does not depend on it).
public struct LearnedAccess: Sendable, Equatable {
    public var preopen: UInt32
    public var path: String
    public var kind: UInt8
    public init(preopen: UInt32, path: String, kind: UInt8) {
        self.preopen = preopen
        self.path = path
        self.kind = kind
    }
}

/// The worker's fixed descriptor layout (DESIGN.md): stdio, control socket, module bytes,
/// preopens in policy order, then listening sockets.
public enum DescriptorLayout {
    public static let control: Int32 = 3
    public static let module: Int32 = 4
    public static let firstPreopen: Int32 = 5
}
