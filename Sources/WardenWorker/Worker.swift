import Glibc
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

    public static func main() -> Never {
        // EPIPE and EFBIG for the guest, never a signal that ends the worker without a report.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        let control = ControlChannel(socket: FileDescriptor(rawValue: DescriptorLayout.control))
        let configuration: WorkerConfiguration
        do {
            guard let frame = try control.receive() else { exit(ExitStatus.controlLost) }
            configuration = try WorkerConfiguration.decode(frame.payload)
        } catch {
            exit(ExitStatus.badConfiguration)
        }

        // Harden first: nothing below this line runs with more than the plan allows.
        let layers: [String]
        do {
            layers = try WorkerHardening.apply(configuration, control: control)
        } catch {
            try? control.send(WorkerMessage.hardeningFailed(step: error.step, errno: error.errno, message: error.message).encoded())
            exit(ExitStatus.hardeningFailed)
        }
        try? control.send(WorkerMessage.ready(layers: layers).encoded())

        let outcome = run(configuration, control: control)
        try? control.send(outcome.message.encoded())
        exit(outcome.status)
    }

    struct Outcome {
        var message: WorkerMessage
        var status: Int32
    }

    static func run(_ configuration: WorkerConfiguration, control: ControlChannel) -> Outcome {
        let moduleBytes: [UInt8]
        do {
            moduleBytes = try FileDescriptor(rawValue: DescriptorLayout.module).readToEnd(limit: 1 << 30)
        } catch {
            return Outcome(message: .loadFailed(message: "cannot read the module descriptor: \(error)"), status: ExitStatus.loadFailed)
        }
        var wasiConfiguration = WASIConfiguration()
        wasiConfiguration.arguments = configuration.arguments
        wasiConfiguration.environment = configuration.environment
        wasiConfiguration.maxOpenDescriptors = configuration.maxOpenDescriptors
        var next = DescriptorLayout.firstPreopen
        for preopen in configuration.preopens {
            wasiConfiguration.preopens.append(PreopenDirectory(host: FileDescriptor(rawValue: next), guestPath: preopen.guestPath,
                                                               access: preopen.readWrite ? .readWrite : .read))
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
        let limits = GuestRunner.Limits(maxMemoryBytes: configuration.maxMemoryBytes.map { Int(clamping: $0) }, fuel: configuration.fuel)
        do {
            let binary = try GuestRunner.binary(from: moduleBytes)
            switch try GuestRunner(limits: limits).run(moduleBytes: binary, wasi: wasi) {
            case .exited(let code): return Outcome(message: .exited(code: code), status: ExitStatus.finished)
            case .signaled(let signal): return Outcome(message: .signaled(signal: signal), status: ExitStatus.finished)
            case .trapped(let reason): return Outcome(message: .trapped(reason: reason), status: ExitStatus.finished)
            }
        } catch {
            return Outcome(message: .loadFailed(message: "\(error)"), status: ExitStatus.loadFailed)
        }
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
}
