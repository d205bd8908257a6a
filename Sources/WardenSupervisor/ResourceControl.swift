// Glibc for types only: pid_t, O_WRONLY
import Glibc
import WardenLauncher
import WardenPolicy
import WardenSystem

/// Memory and process-count limits for workers. With a delegated cgroup v2 subtree (systemd
/// `Delegate=yes`) each module gets a child cgroup with memory.max and pids.max; otherwise
/// the limits are the worker's rlimits and the engine's linear-memory ceiling, and status
/// says so.
final class ResourceControl {
    /// The delegated cgroup directory modules are created under, or nil.
    let root: String?
    /// Why there is no cgroup control, for status.
    let unavailable: String
    private let authority = AmbientAuthority(purpose: "wardend: cgroup v2 delegation (/proc/self/cgroup, /sys/fs/cgroup)")

    init(root: String?, unavailable: String) {
        self.root = root
        self.unavailable = unavailable
    }

    /// Memory the worker needs besides the module's linear memory (runtime, interpreter, stacks).
    static let runtimeOverhead = 128 << 20

    static func detect() -> ResourceControl {
        // Only a cgroup systemd delegated to this service is ours to divide: started by hand
        // (or by a test) on a v2 host, wardend's cgroup belongs to someone else's session.
        guard Environment.value("INVOCATION_ID") != nil else {
            return ResourceControl(root: nil, unavailable: "not started by systemd (no delegated cgroup)")
        }
        let authority = AmbientAuthority(purpose: "wardend: cgroup v2 detection")
        guard let own = try? authority.readFile("/proc/self/cgroup", limit: 65536) else {
            return ResourceControl(root: nil, unavailable: "/proc/self/cgroup unreadable")
        }
        let lines = String(decoding: own, as: UTF8.self).split(separator: "\n")
        guard let unified = lines.first(where: { $0.hasPrefix("0::") }), authority.canAccess("/sys/fs/cgroup/cgroup.controllers", .read) else {
            return ResourceControl(root: nil, unavailable: "no cgroup v2 hierarchy at /sys/fs/cgroup (v1 or hybrid)")
        }
        let directory = "/sys/fs/cgroup" + unified.dropFirst(3)
        let controllers = (try? authority.readFile(directory + "/cgroup.controllers", limit: 4096)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard controllers.contains("memory"), controllers.contains("pids"), authority.canAccess(directory, .write) else {
            return ResourceControl(root: nil, unavailable: "cgroup \(directory) not delegated (memory and pids controllers, writable)")
        }
        // No internal processes: wardend itself moves into a leaf before controllers are
        // enabled for the module cgroups beside it.
        let supervisor = directory + "/wardend"
        try? authority.makeDirectory(supervisor, mode: 0o755)
        guard write("\(ProcessControl.currentID)", to: supervisor + "/cgroup.procs", authority),
              write("+memory +pids", to: directory + "/cgroup.subtree_control", authority) else {
            return ResourceControl(root: nil, unavailable: "cgroup \(directory): cannot enable memory and pids (\(Errno.current))")
        }
        return ResourceControl(root: directory, unavailable: "")
    }

    /// Moves a freshly spawned worker (still waiting for its configuration) into its
    /// module's cgroup with the policy's limits.
    func place(_ pid: pid_t, module: String, policy: Policy) {
        guard let root else { return }
        let directory = root + "/module-" + module
        try? authority.makeDirectory(directory, mode: 0o755)
        let pids = policy.service.mode == .perConnection ? policy.service.maxConnections + 16 : 16
        let memory = (policy.limits.memory + Self.runtimeOverhead) * (policy.service.mode == .perConnection ? policy.service.maxConnections + 1 : 1)
        let placed = Self.write("\(memory)", to: directory + "/memory.max", authority)
            && Self.write("\(pids)", to: directory + "/pids.max", authority)
            && Self.write("\(pid)", to: directory + "/cgroup.procs", authority)
        if !placed { SupervisorLog.warning("module \"\(module)\": cgroup \(directory): \(Errno.current); rlimits and engine limits only") }
    }

    /// One line for `warden status`.
    func describe(_ policy: Policy) -> String {
        let engine = "engine memory \(Units.format(size: policy.limits.memory))" + (policy.limits.fuel > 0 ? ", fuel \(policy.limits.fuel)" : "")
        // open-files bounds the guest's descriptors (the WASI layer); the worker's RLIMIT_NOFILE
        // adds its own and the grants', so it reads higher in the layers line.
        let rlimits = "rlimits cpu \(policy.limits.cpuTime.rlimitSeconds)s, core 0; open-files \(policy.limits.openFiles) (guest descriptors)"
        guard let root else { return "\(engine); \(rlimits); wall-time by wardend; cgroup: none (\(unavailable))" }
        return "\(engine); \(rlimits); wall-time by wardend; cgroup v2 \(root) (memory.max, pids.max)"
    }

    private static func write(_ text: String, to path: String, _ authority: AmbientAuthority) -> Bool {
        guard let fd = try? authority.openFile(path, flags: O_WRONLY) else { return false }
        defer { try? fd.close() }
        return (try? fd.writeAll(text)) != nil
    }
}
