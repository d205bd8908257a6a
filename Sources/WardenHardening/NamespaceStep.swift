import CWardenLinux
import Glibc
import WardenSystem

/// Step 3: namespaces. A fresh network namespace has only a downed loopback (no new
/// connections, while descriptors handed in keep working); mount, ipc and uts namespaces cut
/// the worker off from the host's mount table, SysV IPC and hostname. An unprivileged worker
/// gets the privilege to create them from a user namespace of its own, created first, in
/// which it maps its own uid and gid to themselves. The user namespace hands the process a
/// full capability set in it, which the capabilities step (next) drops.
///
/// Each namespace is created by its own `unshare`, so a best-effort plan reports exactly
/// which ones are in force.
struct NamespaceStep: HardeningStep {
    var name: HardeningStepName { .namespaces }

    func apply(_ plan: HardeningPlan, _ context: inout HardeningContext) throws(HardeningFailure) {
        var wanted: [HardeningPlan.Namespace] = []
        for namespace in plan.namespaces where !wanted.contains(namespace) { wanted.append(namespace) }
        if wanted.isEmpty {
            context.report.notApplied("namespaces", "none requested")
            return
        }
        let dropsIdentity = plan.identity != nil && geteuid() == 0
        // Joining a network namespace owned by the launcher's user namespace needs
        // CAP_SYS_ADMIN there: before this worker enters a user namespace of its own.
        var joinedNetwork = false
        if let prepared = plan.networkNamespace {
            defer { try? prepared.close() }
            if wanted.contains(.net), warden_setns_net(prepared.rawValue) == 0 {
                joinedNetwork = true
                context.report.applied("namespace net", "prepared by the launcher")
            }
        }
        var userNamespaceFailed = false
        if wanted.contains(.user) {
            if dropsIdentity {
                // See HardeningContext.userNamespaceDeferred: root would map root. The other
                // namespaces are created now with root's own CAP_SYS_ADMIN.
                context.userNamespaceDeferred = true
            } else {
                do throws(HardeningFailure) {
                    try UserNamespace.enter(mappingUID: geteuid(), gid: getegid(), step: name)
                    context.report.applied("namespace user", "uid \(geteuid()) and gid \(getegid()) mapped to themselves")
                } catch {
                    if plan.namespacesRequired { throw error }
                    userNamespaceFailed = true
                    context.report.notApplied("namespace user", "\(error.errno.description) in \(error.operation)")
                }
            }
        }
        for namespace in wanted where namespace != .user && !(namespace == .net && joinedNetwork) {
            if warden_unshare(namespace.cloneFlag) == 0 {
                context.report.applied("namespace \(namespace.rawValue)")
                continue
            }
            let error = Errno.current
            let operation = "unshare(\(namespace.cloneFlagName))"
            if plan.namespacesRequired { throw HardeningFailure(step: name, errno: error, operation: operation) }
            context.report.notApplied("namespace \(namespace.rawValue)",
                                      "\(error.description) in \(operation)" + (userNamespaceFailed ? " (no user namespace)" : ""))
        }
    }
}

/// Entering a user namespace and writing its id maps through /proc/self. The worker reaches
/// these by path (ambient authority, before Landlock hides /proc): it is the one file system
/// access the worker makes on its own.
enum UserNamespace {
    static func enter(mappingUID uid: UInt32, gid: UInt32, step: HardeningStepName) throws(HardeningFailure) {
        try check(step, "unshare(CLONE_NEWUSER)", warden_unshare(HardeningPlan.Namespace.user.cloneFlag))
        // An unprivileged gid map requires setgroups to be disabled first (otherwise the
        // process could drop a supplementary group used to deny it access).
        try write("deny", to: "/proc/self/setgroups", step: step)
        try write("\(uid) \(uid) 1\n", to: "/proc/self/uid_map", step: step)
        try write("\(gid) \(gid) 1\n", to: "/proc/self/gid_map", step: step)
    }

    private static func write(_ text: String, to path: String, step: HardeningStepName) throws(HardeningFailure) {
        let authority = AmbientAuthority(purpose: "user namespace id maps of the worker itself")
        do throws(Errno) {
            let fd = try authority.openFile(path, flags: O_WRONLY)
            defer { try? fd.close() }
            // The kernel takes a map in one write() only.
            try fd.writeAll(text)
        } catch {
            throw HardeningFailure(step: step, errno: error, operation: "writing \(path)")
        }
    }
}
