import WardenHardening
import WardenIPC
import WardenSystem
import WardenWASI
import WardenWASIWasmKit

/// The worker role. Synchronous and single-threaded from `main` to exit: it reads its
/// configuration from the control socket, hardens itself before touching a byte of the
/// module, then parses, instantiates and runs the module, reporting over the same socket.
public enum Worker {
    /// Exit statuses of the worker process itself (the launcher maps them for the operator).
    public enum ExitStatus {
        public static let finished: Int32 = 0
        public static let badConfiguration: Int32 = 80
        public static let hardeningFailed: Int32 = 81
        public static let loadFailed: Int32 = 82
        public static let controlLost: Int32 = 83
    }

    /// `engines`: what this worker executable carries (`warden-worker`: WasmKit only, fully
    /// static; `warden-worker-wasmtime`: both). The configuration names the one to use.
    public static func main(engines: [any GuestEngine] = [WasmKitEngine()]) -> Never {
        var timeline = Timeline()
        timeline.mark("worker started")
        // EPIPE and EFBIG for the guest, never a signal that ends the worker without a report.
        SignalNumber.brokenPipe.ignore()
        SignalNumber.fileSizeExceeded.ignore()
        let control = ControlChannel(socket: FileDescriptor(rawValue: DescriptorLayout.control))
        // Lent by wardend (`--warm ENGINE`): prepare what a default run needs while idle.
        var warm = warmEngine(engines).map { WarmPreparation(engine: $0) }
        let configuration: WorkerConfiguration
        let networkNamespace: FileDescriptor?
        do {
            guard let frame = try control.receive(keeping: FileDescriptor.maximumPassed) else { ProcessControl.exit(ExitStatus.controlLost) }
            configuration = try WorkerConfiguration.decode(frame.payload)
            // The descriptors that travel with the configuration, exactly those announced and
            // in this order: the network namespace to join, the module image, a warm worker's
            // layout.
            let namespacePassed = configuration.hardening.networkNamespacePassed
            let layoutCount = configuration.layoutFollows ? configuration.layoutDescriptorCount : 0
            guard frame.descriptors.count == (namespacePassed ? 1 : 0) + (configuration.imageFollows ? 1 : 0) + layoutCount else {
                ProcessControl.exit(ExitStatus.badConfiguration)
            }
            var namespace = namespacePassed ? frame.descriptors.first : nil
            if !namespacePassed {
                let settings = configuration.hardening
                namespace = warm?.takeNetworkNamespace(wanted: settings.namespaces.contains("net") && !settings.skippedSteps.contains("namespaces"))
            }
            let layout = frame.descriptors.suffix(layoutCount)
            if configuration.imageFollows, let image = frame.descriptors.dropLast(layoutCount).last { try placeImage(image) }
            if configuration.layoutFollows {
                // Above the layout first: the descriptors step keeps the namespace only there.
                if let passed = namespace {
                    namespace = try passed.duplicate(atLeast: DescriptorLayout.firstPreopen + Int32(layoutCount))
                    try? passed.close()
                }
                try placeLayout(Array(layout))
            }
            networkNamespace = namespace
            if let mask = configuration.fileCreationMask { ProcessControl.setFileCreationMask(mask) }
        } catch {
            ProcessControl.exit(ExitStatus.badConfiguration)
        }
        // A warm worker waited on SCHED_IDLE (wardend's refill must not slow runs); its run
        // gets the normal share, set while it is still root.
        if warm != nil, !ProcessControl.runNormally() { ProcessControl.exit(ExitStatus.badConfiguration) }
        timeline.mark("configuration received")
        // Chosen before hardening (a lookup by name): an engine that publishes code changes the
        // allowlist and needs the exec lock's program built now.
        let engine = engines.first { $0.name == configuration.engine }

        // Harden first: nothing below this line runs with more than the plan allows.
        let layers: [String]
        let execLock: [UInt8]?
        do {
            let applied = try WorkerHardening.apply(configuration, networkNamespace: networkNamespace, control: control,
                                                    publishingCode: engine?.publishesCode ?? false, warm: warm)
            layers = applied.layers
            execLock = applied.execLock
            for step in applied.stepEnds { timeline.mark(step.name, at: step.time) }
        } catch {
            try? control.send(WorkerMessage.hardeningFailed(step: error.step, errno: error.errno, message: error.message).encoded())
            ProcessControl.exit(ExitStatus.hardeningFailed)
        }
        // The engine is a layer too: `warden status` names it, its release and what it maps.
        let engineLayer = engine.map { engine in
            "applied engine \(engine.name) \(engine.version): " + (engine.publishesCode
                ? "compiled code mapped read+execute once; exec lock stacked before the module runs (no PROT_EXEC)"
                : "interpreter; no executable memory")
        }
        try? control.send(WorkerMessage.ready(layers: layers + (engineLayer.map { [$0] } ?? [])).encoded())
        guard let engine else {
            let names = engines.map(\.name).joined(separator: ", ")
            try? control.send(WorkerMessage.loadFailed(message: "engine '\(configuration.engine)' is not in this worker (it carries \(names))").encoded())
            ProcessControl.exit(ExitStatus.loadFailed)
        }
        let loader = Loader(engine: engine, execLock: execLock, loadsArtifact: configuration.artifact == .load)
        if configuration.artifact == .compile { compileOnly(configuration, control: control, loader: loader) }
        if let perConnection = configuration.perConnection {
            Zygote.serve(configuration, settings: perConnection, control: control, loader: loader)
        }

        let outcome = run(configuration, control: control, loader: loader, timeline: configuration.hardening.reportTimings ? timeline : nil)
        try? control.send(outcome.message.encoded())
        // The report is sent and the module's output went out with write(2): nothing is left
        // for exit handlers to flush, and the launcher is waiting for this process to be gone.
        ProcessControl.exitImmediately(outcome.status)
    }

    /// The engine named by `--warm ENGINE` on the command line (wardend's warm workers), if
    /// this worker carries it.
    static func warmEngine(_ engines: [any GuestEngine]) -> (any GuestEngine)? {
        let arguments = CommandLine.arguments
        guard let flag = arguments.firstIndex(of: "--warm"), flag + 1 < arguments.count else { return nil }
        return engines.first { $0.name == arguments[flag + 1] }
    }

    /// The module image that came with the configuration (`imageFollows`) replaces the
    /// placeholder at the module's number.
    static func placeImage(_ image: FileDescriptor) throws(Errno) {
        guard image.rawValue != DescriptorLayout.module else { return }
        defer { try? image.close() }
        try image.duplicate(onto: FileDescriptor(rawValue: DescriptorLayout.module))
    }

    /// A warm worker's layout (`layoutFollows`: standard input, output, error, then the grants
    /// and listeners) goes to the numbers a spawned worker has them at. Each is first moved
    /// above every target, so no placement closes one still to be placed.
    static func placeLayout(_ descriptors: [FileDescriptor]) throws(Errno) {
        let targets = [0, 1, 2] + (0..<max(0, descriptors.count - 3)).map { DescriptorLayout.firstPreopen + Int32($0) }
        let above = (targets.max() ?? 2) + 1
        var moved: [FileDescriptor] = []
        for descriptor in descriptors {
            moved.append(try descriptor.duplicate(atLeast: above))
            try? descriptor.close()
        }
        for (descriptor, target) in zip(moved, targets) {
            try descriptor.duplicate(onto: FileDescriptor(rawValue: target))
            try? descriptor.close()
        }
    }

    /// A compile-only worker (`warden compile`, the artifact cache): hardened like any worker,
    /// it compiles, sends the engine's serialized code and exits. It never instantiates the
    /// module, so no guest instruction ever runs in the process that made the code.
    static func compileOnly(_ configuration: WorkerConfiguration, control: ControlChannel, loader: Loader) -> Never {
        func fail(_ message: String) -> Never {
            try? control.send(WorkerMessage.loadFailed(message: message).encoded())
            ProcessControl.exitImmediately(ExitStatus.loadFailed)
        }
        guard let engine = loader.engine as? any ArtifactEngine else { fail("engine \(loader.engine.name) keeps no compiled code") }
        let bytes: [UInt8]
        do { bytes = try FileDescriptor(rawValue: DescriptorLayout.module).readToEnd(limit: 1 << 30) } catch {
            fail("cannot read the module descriptor: \(error)")
        }
        var timeline: Timeline? = nil
        // Fuel metering changes the code (the budget itself does not): on when the run has one.
        let limits = GuestLimits(fuel: configuration.fuel)
        do throws(GuestLoadError) {
            let serialized = try engine.serialize(try loader.compile(bytes, limits: limits, eager: true, timeline: &timeline))
            var offset = 0
            repeat {
                let end = min(serialized.count, offset + WorkerMessage.artifactPartLimit)
                try? control.send(WorkerMessage.artifact(part: Array(serialized[offset..<end])).encoded())
                offset = end
            } while offset < serialized.count
        } catch {
            fail(error.description)
        }
        try? control.send(WorkerMessage.exited(code: 0).encoded())
        ProcessControl.exitImmediately(ExitStatus.finished)
    }

    struct Outcome {
        var message: WorkerMessage
        var status: Int32
    }

    static func run(_ configuration: WorkerConfiguration, control: ControlChannel, loader: Loader, timeline: Timeline?) -> Outcome {
        var timeline = timeline
        let moduleBytes: [UInt8]
        do {
            moduleBytes = try FileDescriptor(rawValue: DescriptorLayout.module).readToEnd(limit: 1 << 30)
        } catch {
            return Outcome(message: .loadFailed(message: "cannot read the module descriptor: \(error)"), status: ExitStatus.loadFailed)
        }
        timeline?.mark("module read")
        var wasiConfiguration = WASIConfiguration()
        wasiConfiguration.arguments = configuration.arguments
        wasiConfiguration.environment = configuration.environment
        wasiConfiguration.maxOpenDescriptors = configuration.maxOpenDescriptors
        var next = DescriptorLayout.firstPreopen
        // `--debug-without wasi-read-only` (testing the kernel layer's catch only): the WASI layer
        // lets writes through read-only grants; Landlock still holds them read-only.
        let wasiReadOnly = !configuration.hardening.skippedSteps.contains("wasi-read-only")
        for preopen in configuration.preopens {
            wasiConfiguration.preopens.append(PreopenDirectory(host: FileDescriptor(rawValue: next), guestPath: preopen.guestPath,
                                                               access: preopen.readWrite || !wasiReadOnly ? .readWrite : .read,
                                                               grantedAccess: preopen.readWrite ? .readWrite : .read))
            next += 1
        }
        for _ in 0..<configuration.listenerCount {
            wasiConfiguration.listeners.append(FileDescriptor(rawValue: next))
            next += 1
        }
        let wasi: WASIPreview1
        do {
            wasi = try WASIPreview1(configuration: wasiConfiguration, auditor: ControlSocketAuditor(control: control))
        } catch {
            return Outcome(message: .loadFailed(message: "cannot set up WASI: \(error)"), status: ExitStatus.loadFailed)
        }
        let learning = configuration.learn ? LearningObserver(control: control) : nil
        wasi.observer = learning
        let limits = GuestLimits(maxMemoryBytes: configuration.maxMemoryBytes.map { Int(clamping: $0) }, fuel: configuration.fuel)
        do throws(GuestLoadError) {
            let compiled = try loader.compile(moduleBytes, limits: limits, eager: false, timeline: &timeline)
            let instance = try compiled.instantiate(wasi: wasi, onMemoryRefused: { desired in
                try? control.send(WorkerMessage.limitReached(limit: "memory", requested: UInt64(desired)).encoded())
            })
            if var recorded = timeline {
                recorded.mark("module parsed and instantiated")
                try? control.send(WorkerMessage.timeline(names: recorded.names, times: recorded.times).encoded())
            }
            let ended = instance.run()
            if let learning {
                learning.flush()
                let usage = instance.usage()
                let message = WorkerMessage.usage(memoryBytes: UInt64(usage.memoryBytes), fuelConsumed: usage.fuelConsumed,
                                                  peakOpenDescriptors: UInt32(clamping: wasi.peakOpenDescriptors),
                                                  environmentRead: wasi.environmentRead)
                try? control.send(message.encoded())
            }
            if timeline != nil {
                // The run's end, so `--timings` can tell the module's run from the worker's exit.
                try? control.send(WorkerMessage.timeline(names: ["module ended"], times: [SystemClock.monotonicNow()]).encoded())
            }
            switch ended {
            case .exited(let code): return Outcome(message: .exited(code: code), status: ExitStatus.finished)
            case .signaled(let signal): return Outcome(message: .signaled(signal: signal), status: ExitStatus.finished)
            case .trapped(let reason): return Outcome(message: .trapped(reason: reason), status: ExitStatus.finished)
            }
        } catch {
            return Outcome(message: .loadFailed(message: error.description), status: ExitStatus.loadFailed)
        }
    }
}

/// The engine and what loading on it takes: text to binary, compile, and for an engine that
/// published code the exec lock, stacked before anything can run guest code (a start section
/// runs at instantiation).
struct Loader {
    let engine: any GuestEngine
    let execLock: [UInt8]?
    /// The module descriptor holds serialized code (verified by the launcher), not a module.
    var loadsArtifact = false

    func compile(_ moduleBytes: [UInt8], limits: GuestLimits, eager: Bool, timeline: inout Timeline?) throws(GuestLoadError) -> any CompiledGuest {
        let compiled: any CompiledGuest
        if loadsArtifact {
            guard let engine = engine as? any ArtifactEngine else { throw GuestLoadError("engine \(engine.name) loads no compiled code") }
            compiled = try engine.load(artifact: moduleBytes, limits: limits)
            timeline?.mark("module loaded from artifact (\(engine.name))")
        } else {
            let binary: [UInt8]
            do throws(GuestRunner.LoadError) { binary = try GuestRunner.binary(from: moduleBytes) } catch { throw GuestLoadError(error.description) }
            compiled = try engine.compile(binary, limits: limits, eager: eager)
            timeline?.mark("module compiled (\(engine.name))")
        }
        if engine.publishesCode {
            guard let execLock else { throw GuestLoadError("no exec lock was prepared for engine \(engine.name)") }
            do throws(HardeningFailure) { try ExecLock.engage(execLock) } catch { throw GuestLoadError(error.message) }
            timeline?.mark("exec lock engaged")
        }
        return compiled
    }
}

/// Start-up milestones on CLOCK_MONOTONIC, the launcher's time base too.
struct Timeline {
    var names: [String] = []
    var times: [UInt64] = []
    mutating func mark(_ name: String, at time: UInt64 = SystemClock.monotonicNow()) {
        names.append(name)
        times.append(time)
    }
}

/// Sends each refusal to the launcher; the worker can open no log file of its own.
final class ControlSocketAuditor: AccessAuditor {
    let control: ControlChannel
    init(control: ControlChannel) { self.control = control }

    func record(_ denial: AccessDenial) {
        let message = WorkerMessage.denial(operation: denial.operation, fd: denial.fd, preopen: denial.preopen,
                                           path: denial.path, reason: denial.reason.rawValue, errno: denial.errno.description)
        try? control.send(message.encoded())
    }

    func recordKernelRefusal(_ refusal: KernelRefusal) {
        let message = WorkerMessage.kernelRefusal(operation: refusal.operation, fd: refusal.fd, preopen: refusal.preopen,
                                                  path: refusal.path, errno: refusal.errno)
        try? control.send(message.encoded())
    }
}
