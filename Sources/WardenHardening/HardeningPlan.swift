import CWardenLinux
import WardenSystem

/// Everything the worker needs to harden itself, decided by the launcher (which parsed the
/// policy and opened the preopens) and sent to the worker as a plain value. Every field is
/// already resolved: numbers, not names; descriptors, not paths. The worker never looks a
/// user up or opens a policy path itself.
public struct HardeningPlan: Sendable {
    /// Descriptors `0...highestDescriptor` are the fixed layout (stdio, control socket, module,
    /// preopens, listeners); everything above is closed.
    public var highestDescriptor: Int32
    public var limits: ResourceLimits
    public var namespaces: [Namespace]
    /// When false, a namespace that cannot be created is reported as not applied.
    public var namespacesRequired: Bool
    /// A fresh, empty network namespace created ahead of time by the launcher (root only),
    /// joined with setns instead of unshare; the step closes it.
    public var networkNamespace: FileDescriptor?
    /// The service identity to drop to. Applied only when the worker runs as root; an
    /// unprivileged worker keeps its own ids (and maps them into its user namespace).
    public var identity: Identity?
    public var landlock: LandlockPlan
    public var seccomp: SeccompPlan
    /// Delivered when the parent (the launcher) dies. Set after the id change, which clears it.
    public var parentDeathSignal: Int32
    /// The launcher's pid, if known: after arming the death signal the worker checks it is
    /// still the parent, closing the race where the launcher died before the signal was armed.
    public var expectedParentPID: Int32?

    public init(highestDescriptor: Int32 = 2, limits: ResourceLimits = ResourceLimits(),
                namespaces: [Namespace] = [.user, .mount, .net, .ipc, .uts], namespacesRequired: Bool = false,
                identity: Identity? = nil, landlock: LandlockPlan = LandlockPlan(),
                seccomp: SeccompPlan = SeccompPlan(), parentDeathSignal: Int32 = 9 /* SIGKILL */, expectedParentPID: Int32? = nil) {
        self.highestDescriptor = highestDescriptor
        self.limits = limits
        self.namespaces = namespaces
        self.namespacesRequired = namespacesRequired
        self.identity = identity
        self.landlock = landlock
        self.seccomp = seccomp
        self.parentDeathSignal = parentDeathSignal
        self.expectedParentPID = expectedParentPID
    }

    /// Resource limits; each is set as soft = hard (CPU: hard = soft + 1, so the soft limit's
    /// SIGXCPU reaches the launcher's handler before the hard limit's SIGKILL). `nil` leaves
    /// the inherited limit. Hard limits can only be lowered without CAP_SYS_RESOURCE, which
    /// the worker never has: asking for more than the inherited hard limit fails the step.
    public struct ResourceLimits: Sendable {
        public var coreBytes: UInt64? = 0
        public var openFiles: UInt64? = 64
        /// RLIMIT_AS. Off by default: engines that reserve guard regions for bounds checks
        /// (WasmKit's mprotect mode) reserve far more address space than they touch.
        public var addressSpaceBytes: UInt64?
        public var dataBytes: UInt64?
        public var fileSizeBytes: UInt64?
        public var cpuSeconds: UInt64?
        public init(coreBytes: UInt64? = 0, openFiles: UInt64? = 64, addressSpaceBytes: UInt64? = nil,
                    dataBytes: UInt64? = nil, fileSizeBytes: UInt64? = nil, cpuSeconds: UInt64? = nil) {
            self.coreBytes = coreBytes
            self.openFiles = openFiles
            self.addressSpaceBytes = addressSpaceBytes
            self.dataBytes = dataBytes
            self.fileSizeBytes = fileSizeBytes
            self.cpuSeconds = cpuSeconds
        }
    }

    public enum Namespace: String, Sendable, CaseIterable {
        case user, mount, net, ipc, uts, pid, cgroup

        var cloneFlag: Int32 {
            switch self {
            case .user: WARDEN_CLONE_NEWUSER
            case .mount: WARDEN_CLONE_NEWNS
            case .net: WARDEN_CLONE_NEWNET
            case .ipc: WARDEN_CLONE_NEWIPC
            case .uts: WARDEN_CLONE_NEWUTS
            case .pid: WARDEN_CLONE_NEWPID
            case .cgroup: WARDEN_CLONE_NEWCGROUP
            }
        }

        var cloneFlagName: String { "CLONE_NEW" + (self == .mount ? "NS" : rawValue.uppercased()) }
    }

    public struct Identity: Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32
        public init(uid: UInt32, gid: UInt32) {
            self.uid = uid
            self.gid = gid
        }
    }

    public struct LandlockPlan: Sendable {
        public enum Mode: String, Sendable, CaseIterable {
            case require, bestEffort = "best-effort", off
        }

        /// One preopen root: an already-open directory descriptor (O_RDONLY|O_DIRECTORY; an
        /// O_PATH descriptor works for Landlock but not for getdents64).
        public struct Rule: Sendable {
            public var descriptor: FileDescriptor
            public var readWrite: Bool
            public init(descriptor: FileDescriptor, readWrite: Bool) {
                self.descriptor = descriptor
                self.readWrite = readWrite
            }
        }

        public var mode: Mode
        public var rules: [Rule]
        public init(mode: Mode = .bestEffort, rules: [Rule] = []) {
            self.mode = mode
            self.rules = rules
        }
    }

    public struct SeccompPlan: Sendable, Equatable {
        public var violation: ViolationAction
        /// Adds `@sockets` (accept/recv/send/shutdown on sockets handed in). Creating sockets
        /// (socket, connect, bind, listen) stays denied either way: WASI preview1 has no call
        /// that creates one, so the worker never needs it.
        public var socketsGranted: Bool
        /// Report refusals through a channel the module cannot forge or suppress: every call
        /// the groups do not allow (the deny list and the default action alike) becomes
        /// SECCOMP_RET_USER_NOTIF, so the kernel stops the worker *before* the call runs and
        /// hands a notification to whoever holds the listener. The worker sends the listener
        /// (`HardeningReport.notificationListener`) to the launcher over the control socket
        /// (fd 3, `@control`) right after the filter loads, then closes its own copy; the
        /// launcher logs each notification and answers it per `violation` (fail the call
        /// with the errno, or SIGKILL the worker). `@enosys` still answers ENOSYS without a
        /// notification and a foreign architecture still kills. Until the launcher holds the
        /// listener the worker must make no refused call (it would wait for an answer nobody
        /// can give).
        public var notifyListener: Bool
        /// Groups left out of the allowlist (narrowing only: a group can be removed, never
        /// added). Lets an operator or a test drive the refusal path end to end.
        public var excludedGroups: [String] = []
        /// A per-connection zygote: adds `@zygote` (fork as glibc does it, reap, receive
        /// connections on fd 3, arm an instance's death signal and CPU limit) and leaves the
        /// self-only kill/tgkill rules out, since a pid fixed in the filter would name the
        /// zygote in every instance; those calls go to the listener, which lets exactly the
        /// self-signals through (`SeccompNotificationListener.allowSelfSignal`).
        public var forking = false
        /// The engine publishes compiled code (wasmtime): adds `@exec-load`, which lets memory
        /// become executable only when it is not also writable (never W+X at once), and lets
        /// the worker stack the exec lock (`ExecLock`) once the code is loaded, after which the
        /// kernel refuses every PROT_EXEC.
        public var publishingCode = false
        /// The filter already compiled from exactly this plan (`SeccompFilter.compiledProgram`),
        /// by the launcher while the worker was starting; nil compiles it in the step.
        public var program: [UInt8]?
        public init(violation: ViolationAction = .killProcess, socketsGranted: Bool = false, notifyListener: Bool = false) {
            self.violation = violation
            self.socketsGranted = socketsGranted
            self.notifyListener = notifyListener
        }

        /// A worker's plan from its launcher's settings (`[sandbox] on-syscall-violation`:
        /// "kill" or "errno"): one mapping, so the program the launcher compiles and the plan
        /// the worker reports are the same.
        public static func worker(onViolation: String, socketsGranted: Bool, reportViolations: Bool,
                                  excludedGroups: [String], forking: Bool = false, publishingCode: Bool = false) -> SeccompPlan {
            var plan = SeccompPlan(violation: onViolation == "errno" ? .permissionDenied : .killProcess,
                                   socketsGranted: socketsGranted, notifyListener: reportViolations)
            plan.excludedGroups = excludedGroups
            plan.forking = forking
            plan.publishingCode = publishingCode
            return plan
        }

        /// The plan of a run with default settings (kill on a refused call, refusals reported,
        /// no sockets, nothing excluded, not forking): what a warm worker compiles while it waits
        /// to be lent, and what its borrower then need not send.
        public static func warmDefault(publishingCode: Bool) -> SeccompPlan {
            .worker(onViolation: "kill", socketsGranted: false, reportViolations: true, excludedGroups: [], publishingCode: publishingCode)
        }
    }

    /// What the kernel does when the worker makes a call outside the allowlist (with
    /// `SeccompPlan.notifyListener`: what the launcher does when notified).
    public enum ViolationAction: Sendable, Equatable, CustomStringConvertible {
        /// SECCOMP_RET_KILL_PROCESS: the whole worker dies with SIGSYS (the supervisor sees it).
        case killProcess
        /// SECCOMP_RET_ERRNO: the call fails with this errno (1...4095) and the worker goes on.
        case errno(Int32)

        public static let permissionDenied = ViolationAction.errno(1)

        public var description: String {
            switch self {
            case .killProcess: "kill-process"
            case .errno(let value): "errno(\(Errno(rawValue: value).symbol))"
            }
        }
    }
}
