import CCap
import CWardenLinux
import Glibc
import WardenSystem

/// Step 4: capabilities and identity, with libcap, in the only order that works:
///
/// 1. drop every capability from the bounding set, while CAP_SETPCAP is still held;
/// 2. clear the ambient set;
/// 3. lock the securebits (NOROOT, the set*id fixup locked on, KEEP_CAPS locked off, no
///    ambient raise), so nothing can bring capabilities back;
/// 4. when root and the plan names a service identity: setgroups([]), setresgid, setresuid;
/// 5. `cap_set_proc(cap_init())`: permitted, effective and inheritable empty;
/// 6. verify: the sets read back empty and the ids are the ones asked for.
///
/// When the namespaces step deferred the user namespace (root dropping to a service
/// identity), it is entered after 4 with the service ids mapped to themselves, and 1-5 run
/// again inside it: entering a user namespace resets the bounding set, securebits and
/// capabilities to full.
///
/// A process with no capabilities at all (an unprivileged worker without a user namespace)
/// cannot drop its bounding set or set securebits (both need CAP_SETPCAP); that is reported,
/// not fatal: the bounding set only limits what an exec could gain, and the worker can
/// neither exec (seccomp) nor gain privileges through one (no_new_privs).
struct CapabilityStep: HardeningStep {
    var name: HardeningStepName { .capabilities }

    func apply(_ plan: HardeningPlan, _ context: inout HardeningContext) throws(HardeningFailure) {
        var identity: HardeningPlan.Identity?
        if let target = plan.identity {
            if geteuid() == 0 {
                identity = target
            } else {
                context.report.notApplied("identity", "not running as root; keeps uid \(geteuid()) gid \(getegid())")
            }
        }
        var notes = try drop(changingTo: identity)
        if let identity {
            context.report.applied("identity", "uid \(identity.uid) gid \(identity.gid), no supplementary groups")
        }
        if context.userNamespaceDeferred {
            let ids = identity ?? HardeningPlan.Identity(uid: geteuid(), gid: getegid())
            do throws(HardeningFailure) {
                // The uid change made the process non-dumpable, which hands /proc/self to root;
                // dumpable again for the map writes (the next step clears it for good).
                try check(.namespaces, "prctl(PR_SET_DUMPABLE, 1)", warden_set_dumpable(1))
                try UserNamespace.enter(mappingUID: ids.uid, gid: ids.gid, step: .namespaces)
                context.report.applied("namespace user", "entered after the identity change; uid \(ids.uid) and gid \(ids.gid) mapped to themselves")
                notes = try drop(changingTo: nil)
            } catch {
                if plan.namespacesRequired { throw error }
                context.report.notApplied("namespace user", "\(error.errno.description) in \(error.operation)")
                // unshare(CLONE_NEWUSER) may have succeeded before a map write failed (root
                // mapping uid 0 needs CAP_SETFCAP, dropped above): the process is then in the
                // new namespace with every capability in it, so the sets are emptied again.
                if !Self.permittedSetIsEmpty() { notes = try drop(changingTo: nil) }
            }
        }
        context.report.applied("capabilities", (["all sets empty"] + notes).joinedDirectly(separator: "; "))
    }

    /// Steps 1-6 above; returns notes on what an unprivileged process could not do.
    private func drop(changingTo identity: HardeningPlan.Identity?) throws(HardeningFailure) -> [String] {
        var notes: [String] = []
        let privileged = !Self.permittedSetIsEmpty()
        var boundingSetKept = false
        for capability in 0...cap_max_bits() - 1 where cap_get_bound(capability) > 0 {
            if cap_drop_bound(capability) != 0 {
                let error = Errno.current
                if error == .permissionDenied && !privileged {
                    boundingSetKept = true
                    break
                }
                throw HardeningFailure(step: name, errno: error, operation: "cap_drop_bound(\(capability))")
            }
        }
        if boundingSetKept { notes.append("bounding set kept (no CAP_SETPCAP; exec is forbidden anyway)") }

        try check(name, "cap_reset_ambient()", cap_reset_ambient())

        if cap_set_secbits(WARDEN_SECUREBITS_LOCKDOWN) != 0 {
            let error = Errno.current
            guard error == .permissionDenied && !privileged else {
                throw HardeningFailure(step: name, errno: error, operation: "cap_set_secbits(0x\(String(WARDEN_SECUREBITS_LOCKDOWN, radix: 16)))")
            }
            notes.append("securebits unlocked (no CAP_SETPCAP)")
        }

        if let identity {
            // (uid_t)-1 means "leave unchanged" to set*id: a plan naming it would silently keep root.
            guard identity.uid != UInt32.max, identity.gid != UInt32.max else {
                throw HardeningFailure(step: name, errno: .invalidArgument,
                                       operation: "target identity \(identity.uid):\(identity.gid) (4294967295 means \"unchanged\" to set*id)")
            }
            try check(name, "setgroups(0, [])", warden_setgroups_empty())
            try check(name, "setresgid(\(identity.gid))", warden_setresgid(identity.gid))
            try check(name, "setresuid(\(identity.uid))", warden_setresuid(identity.uid))
        }

        guard let empty = cap_init() else { throw HardeningFailure(step: name, errno: .current, operation: "cap_init()") }
        defer { cap_free(UnsafeMutableRawPointer(empty)) }
        try check(name, "cap_set_proc(cap_init())", cap_set_proc(empty))

        // Verify rather than trust: the sets and the ids as the kernel now reports them.
        guard let now = cap_get_proc() else { throw HardeningFailure(step: name, errno: .current, operation: "cap_get_proc()") }
        defer { cap_free(UnsafeMutableRawPointer(now)) }
        if cap_compare(now, empty) != 0 {
            throw HardeningFailure(step: name, errno: .permissionDenied, operation: "verifying the capability sets are empty")
        }
        if (0..<cap_max_bits()).contains(where: { cap_get_ambient($0) > 0 }) {
            throw HardeningFailure(step: name, errno: .permissionDenied, operation: "verifying the ambient set is empty")
        }
        if let identity {
            var r: UInt32 = 0, e: UInt32 = 0, s: UInt32 = 0
            try check(name, "getresuid()", warden_getresuid(&r, &e, &s))
            guard r == identity.uid, e == identity.uid, s == identity.uid else {
                throw HardeningFailure(step: name, errno: .permissionDenied, operation: "verifying uid \(identity.uid) (got \(r)/\(e)/\(s))")
            }
            try check(name, "getresgid()", warden_getresgid(&r, &e, &s))
            guard r == identity.gid, e == identity.gid, s == identity.gid else {
                throw HardeningFailure(step: name, errno: .permissionDenied, operation: "verifying gid \(identity.gid) (got \(r)/\(e)/\(s))")
            }
        }
        return notes
    }

    static func permittedSetIsEmpty() -> Bool {
        guard let current = cap_get_proc() else { return false }
        defer { cap_free(UnsafeMutableRawPointer(current)) }
        for capability in 0..<cap_max_bits() {
            var value = CAP_CLEAR
            if cap_get_flag(current, capability, CAP_PERMITTED, &value) == 0, value == CAP_SET { return false }
        }
        return true
    }
}
