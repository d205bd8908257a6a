import WardenLauncher

/// Something in `config.json` warden-oci did not grant: written as an audit event (layer
/// `policy`, action `refused`) with the container id before the module runs.
public struct MappingRefusal: Sendable, Equatable {
    public var reason: String
    public var fields: [String: String]
}

/// A Wasm container's run, derived from its bundle: never wider than `config.json` says.
public struct ContainerPlan {
    public var options: RunOptions
    /// `process.args[0]` resolved against `process.cwd`, relative to the rootfs (no leading `/`).
    public var moduleInImage: String
    public var rootfs: String
    /// Namespaces of the pod to join (network, ipc, uts), by path.
    public var namespacesToJoin: [BundleConfig.Namespace]
    public var refusals: [MappingRefusal]
    /// The `warden.policy` annotation, if any.
    public var policyName: String?
}

/// The mapping rules (warden-oci(8) documents the same list):
/// - `process.args[0]` is the module, a file inside the rootfs (resolved beneath it, never
///   outside); the rest of `process.args` are its arguments; argv[0] stays `args[0]`.
/// - `process.env` entries of the form `KEY=VALUE` (a bare `KEY` would pass the host's value:
///   dropped).
/// - Directory bind mounts become preopens at their destination, read-only when `ro`.
/// - Mounts at or below `/proc`, `/sys`, `/dev`, and kernel filesystems (proc, sysfs, devpts,
///   mqueue, tmpfs, cgroup, ...) are ignored: a WASI module has no interface to them.
/// - File bind mounts (`/etc/hosts`, `/etc/resolv.conf`, `/run/.containerenv`, ...) are
///   ignored: WASI preview1 grants directories.
/// - Any other mount (another filesystem type, a bind of a device or socket, a relative
///   destination) is refused and audited.
/// - The rootfs itself is never granted by config.json; an attached policy grants it (see
///   `PolicyNarrowing`: a `[[preopen]]` with `host = "/"`, read-only).
/// - `linux.namespaces[]` with a `path` of type network, ipc or uts are joined; a path for any
///   other type is refused and audited (the worker makes its own user, mount and pid namespaces).
/// - `linux.resources.memory.limit` also caps linear memory.
/// - Hooks are not run (refused and audited).
public enum GrantMapping {
    public static let policyAnnotation = "warden.policy"
    static let kernelInterfaces = ["/proc", "/sys", "/dev"]
    static let kernelFilesystems: Set<String> = ["proc", "sysfs", "devpts", "mqueue", "tmpfs", "cgroup", "cgroup2", "devtmpfs", "shm", "securityfs", "debugfs", "hugetlbfs", "fusectl", "binfmt_misc"]
    static let joinable: Set<String> = ["network", "ipc", "uts"]

    public enum Failure: Error, Equatable, CustomStringConvertible, Sendable {
        case noArguments
        case badModulePath(String)
        public var description: String {
            switch self {
            case .noArguments: "config.json: process.args is empty (its first element names the module in the image)"
            case .badModulePath(let path): "config.json: process.args[0] '\(path)' does not name a file in the image"
            }
        }
    }

    /// What a bind source is on the host (checked by the caller, which may stat).
    public enum SourceKind: Sendable { case directory, file, other, missing }

    public static func plan(id: String, bundle: String, config: BundleConfig, settings: RuntimeSettings,
                            sourceKind: (String) -> SourceKind) throws(Failure) -> ContainerPlan {
        guard let first = config.args.first, !first.isEmpty else { throw .noArguments }
        let joined = first.hasPrefix("/") ? first : (config.cwd.hasSuffix("/") ? config.cwd : config.cwd + "/") + first
        guard let modulePath = normalized(joined), !modulePath.isEmpty else { throw .badModulePath(first) }

        var options = RunOptions(modulePath: "")
        options.programName = first
        options.arguments = Array(config.args.dropFirst())
        options.moduleName = id
        options.auditPath = settings.auditPath(for: id)
        options.auditJournal = settings.journal
        options.environment = config.env.filter { entry in
            guard let equals = entry.firstIndex(of: "=") else { return false }
            return equals != entry.startIndex
        }
        if let limit = config.memoryLimit, limit > 0 {
            options.maxMemoryBytes = min(options.maxMemoryBytes ?? Int.max, Int(clamping: limit))
        }
        let rootfs = config.rootPath.hasPrefix("/") ? config.rootPath : bundle + "/" + config.rootPath
        var refusals: [MappingRefusal] = []
        for mount in config.mounts {
            let destination = mount.destination
            guard destination.hasPrefix("/"), let clean = normalized(destination) else {
                refusals.append(MappingRefusal(reason: "mount-refused", fields: ["destination": destination, "detail": "not an absolute path"]))
                continue
            }
            let guest = "/" + clean
            if kernelInterfaces.contains(where: { guest == $0 || guest.hasPrefix($0 + "/") }) { continue }
            if let type = mount.type, kernelFilesystems.contains(type), !mount.isBind { continue }
            guard mount.isBind, let source = mount.source, source.hasPrefix("/") else {
                refusals.append(MappingRefusal(reason: "mount-refused", fields: [
                    "destination": guest, "type": mount.type ?? "", "detail": "only directory bind mounts become grants"]))
                continue
            }
            switch sourceKind(source) {
            case .directory:
                options.directories.append(.init(host: source, guest: guest, readOnly: mount.isReadOnly))
            case .file:
                continue
            case .other, .missing:
                refusals.append(MappingRefusal(reason: "mount-refused", fields: [
                    "destination": guest, "source": source, "detail": "the source is not a directory"]))
            }
        }
        var namespaces: [BundleConfig.Namespace] = []
        for namespace in config.namespaces {
            guard let path = namespace.path, !path.isEmpty else { continue }
            if joinable.contains(namespace.type) {
                namespaces.append(namespace)
            } else {
                refusals.append(MappingRefusal(reason: "namespace-refused", fields: [
                    "namespace": namespace.type, "path": path, "detail": "the worker makes its own"]))
            }
        }
        if config.hasHooks {
            refusals.append(MappingRefusal(reason: "hooks-refused", fields: ["detail": "warden-oci runs no OCI hooks"]))
        }
        return ContainerPlan(options: options, moduleInImage: modulePath, rootfs: rootfs, namespacesToJoin: namespaces,
                             refusals: refusals, policyName: config.annotations[policyAnnotation])
    }

    /// `/a/./b//c` → `a/b/c`; nil when `..` appears (never resolved lexically past the root).
    public static func normalized(_ path: String) -> String? {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { return nil }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }
}
