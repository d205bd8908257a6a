import CSeccomp
import CWardenLinux
import Glibc
import WardenSystem

/// The exec lock: a second seccomp filter, stacked on the worker's allowlist once a compiling
/// engine has published the module's code and before the guest runs one instruction. It
/// refuses every `PROT_EXEC` in `mmap`, `mprotect` and `pkey_mprotect` and allows everything
/// else (the allowlist below it still decides that). From then on no new executable memory can
/// appear in the process, whatever the guest or a compromised engine does: stacked filters
/// can only be added, never removed, and the strictest verdict of all of them wins.
///
/// Instantiation, memory growth, table growth, traps, fuel and epochs need no executable
/// mapping (measured with wasmtime: its memory grows by read/write `mprotect` inside a
/// `PROT_NONE` reservation).
public enum ExecLock {
    /// The lock's BPF program for `violation` (kill the process, or fail the call with the
    /// errno). Build it before the seccomp step: exporting the program needs `memfd_create`,
    /// which the allowlist refuses.
    public static func program(violation: HardeningPlan.ViolationAction) throws(HardeningFailure) -> [UInt8] {
        let refusal: UInt32
        switch violation {
        case .killProcess: refusal = SeccompFilter.actionKillProcess
        case .errno(let value):
            guard (1...4095).contains(value) else {
                throw HardeningFailure(step: .seccomp, errno: .invalidArgument, operation: "exec lock errno(\(value)) (must be 1...4095)")
            }
            refusal = SeccompFilter.actionErrno(value)
        }
        guard let context = seccomp_init(SeccompFilter.actionAllow) else {
            throw HardeningFailure(step: .seccomp, errno: .invalidArgument, operation: "seccomp_init for the exec lock")
        }
        defer { seccomp_release(context) }
        // The allowlist below already kills foreign architectures; this filter adds nothing there.
        _ = seccomp_attr_set(context, SCMP_FLTATR_ACT_BADARCH, SeccompFilter.actionAllow)
        _ = seccomp_attr_set(context, SCMP_FLTATR_API_SYSRAWRC, 1)
        for (name, argument) in lockedCalls {
            let number = seccomp_syscall_resolve_name(name)
            guard number >= 0 else {
                throw HardeningFailure(step: .seccomp, errno: .invalidArgument, operation: "exec lock: resolving \(name)")
            }
            var comparison = scmp_arg_cmp(arg: argument, op: SCMP_CMP_MASKED_EQ, datum_a: 0x4 /* PROT_EXEC */, datum_b: 0x4)
            let rc = seccomp_rule_add_exact_array(context, refusal, number, 1, &comparison)
            guard rc == 0 else {
                throw HardeningFailure(step: .seccomp, errno: Errno(rawValue: -rc), operation: "exec lock: adding \(name)(arg\(argument) & PROT_EXEC)")
            }
        }
        return try SeccompFilter.export(context, label: "exec lock")
    }

    /// The calls the lock refuses when their protection argument asks for PROT_EXEC.
    public static let lockedCalls: [(name: String, protectionArgument: UInt32)] = [("mmap", 2), ("mprotect", 2), ("pkey_mprotect", 2)]

    /// Stacks the lock (needs `@exec-load`'s seccomp rule, or no filter yet, and no_new_privs).
    public static func engage(_ program: [UInt8]) throws(HardeningFailure) {
        let installed = program.withUnsafeBytes { warden_seccomp_install($0.baseAddress, $0.count, 0) }
        guard installed >= 0 else {
            throw HardeningFailure(step: .seccomp, errno: .current, operation: "stacking the exec lock (seccomp(SECCOMP_SET_MODE_FILTER))")
        }
    }
}
