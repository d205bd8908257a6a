import WardenLauncher

/// A policy attached to a container (`warden.policy`) narrows what `config.json` grants; it
/// never widens it. From the policy: its limits where lower (memory, open files) or where
/// config.json has none (fuel, cpu-time, wall-time), its `[sandbox]` (user, namespaces,
/// Landlock, the seccomp action), its stdio nulls, its sha256 pin, its audit rate. When it
/// lists `[[preopen]]`s, a bind mount stays granted only if a preopen has the same guest path,
/// and read-only if that preopen is `read`; the rest are refused and audited. A preopen whose
/// `host` is `/` names the container's own rootfs (never the node's root): it grants the image,
/// read-only, at its guest path; asking for `read-write` is refused and audited. Its
/// `[service] listen` addresses are used only from a node policy (the operator's directory),
/// never from one inside the image, and are opened in the pod's network namespace.
public enum PolicyNarrowing {
    /// The host path by which an attached policy names the container's rootfs.
    public static let rootfsHost = "/"

    public static func apply(_ policy: RunOptions, to plan: inout ContainerPlan, fromNode: Bool) {
        var options = plan.options
        if let limit = policy.maxMemoryBytes { options.maxMemoryBytes = min(options.maxMemoryBytes ?? limit, limit) }
        options.maxOpenDescriptors = min(options.maxOpenDescriptors, policy.maxOpenDescriptors)
        options.fuel = policy.fuel ?? options.fuel
        options.cpuTime = policy.cpuTime ?? options.cpuTime
        options.wallTime = policy.wallTime ?? options.wallTime
        options.user = policy.user
        options.namespaces = Array(Set(options.namespaces).union(policy.namespaces)).sorted()
        options.namespacesRequired = options.namespacesRequired || policy.namespacesRequired
        // "off" would widen the default (best-effort): only "require" narrows it.
        if policy.landlock == "require" { options.landlock = "require" }
        options.onSyscallViolation = policy.onSyscallViolation
        options.stdinNull = options.stdinNull || policy.stdinNull
        options.stdoutNull = options.stdoutNull || policy.stdoutNull
        options.stderrNull = options.stderrNull || policy.stderrNull
        options.sha256 = policy.sha256
        options.auditRateLimit = policy.auditRateLimit
        options.policyDigest = policy.policyDigest
        options.policyPath = policy.policyPath
        let rootfsPreopens = policy.directories.filter { $0.host == rootfsHost }
        let mountPreopens = policy.directories.filter { $0.host != rootfsHost }
        if !policy.directories.isEmpty {
            var kept: [RunOptions.DirectoryGrant] = []
            for grant in options.directories {
                guard let allowed = mountPreopens.first(where: { $0.guest == grant.guest }) else {
                    plan.refusals.append(MappingRefusal(reason: "grant-not-in-policy", fields: [
                        "destination": grant.guest, "source": grant.host, "detail": "the attached policy has no preopen at this guest path"]))
                    continue
                }
                kept.append(.init(host: grant.host, guest: grant.guest, readOnly: grant.readOnly || allowed.readOnly))
            }
            for preopen in rootfsPreopens {
                guard preopen.readOnly else {
                    plan.refusals.append(MappingRefusal(reason: "rootfs-writable", fields: [
                        "destination": preopen.guest, "detail": "the image's rootfs is granted read-only or not at all"]))
                    continue
                }
                kept.append(.init(host: plan.rootfs, guest: preopen.guest, readOnly: true))
            }
            options.directories = kept
        }
        if fromNode { options.tcpListeners = policy.tcpListeners }
        plan.options = options
    }
}
