import CSeccomp
import Glibc
import WardenSystem

/// The worker's seccomp filter, built with libseccomp from `SyscallGroups` for a plan. Built
/// once and either compiled to the BPF program the seccomp step installs
/// (`compiledProgram`) or exported as PFC text for auditors (`exportPFC`), so what they read
/// is exactly what gets loaded.
///
/// - Default action: the plan's violation action (kill the process, or an errno), or, with
///   `notifyListener`, SECCOMP_RET_USER_NOTIF (the launcher answers per the violation action).
/// - Native architecture only; a call made through another ABI (i386 `int 0x80`, x32) kills
///   the process whatever the violation action.
/// - Every syscall name must resolve on this architecture: a typo or a missing call is an
///   error, not a silently absent rule.
public final class SeccompFilter {
    private let context: scmp_filter_ctx
    public let groups: [SyscallGroup]

    static let actionAllow: UInt32 = 0x7fff_0000
    static let actionKillProcess: UInt32 = 0x8000_0000
    static let actionNotify: UInt32 = 0x7fc0_0000
    static func actionErrno(_ value: Int32) -> UInt32 { 0x0005_0000 | (UInt32(value) & 0xffff) }

    public init(plan: HardeningPlan.SeccompPlan, processID: Int32 = getpid()) throws(HardeningFailure) {
        let defaultAction: UInt32
        switch plan.violation {
        case .killProcess: defaultAction = Self.actionKillProcess
        case .errno(let value):
            // The kernel caps SECCOMP_RET_ERRNO at 4095; 0 would make refused calls "succeed".
            guard (1...4095).contains(value) else {
                throw HardeningFailure(step: .seccomp, errno: .invalidArgument,
                                       operation: "violation action errno(\(value)) (must be 1...4095)")
            }
            defaultAction = Self.actionErrno(value)
        }
        // With a listener the violation action is the launcher's answer, not the filter's:
        // every refused call stops in the kernel until the launcher has seen it.
        let filterDefault = plan.notifyListener ? Self.actionNotify : defaultAction
        guard let context = seccomp_init(filterDefault) else {
            // libseccomp refuses an action the kernel did not confirm it supports, which happens
            // when an outer sandbox filters seccomp() itself.
            let action = plan.notifyListener ? "notify" : "\(plan.violation)"
            throw HardeningFailure(step: .seccomp, errno: .invalidArgument,
                                   operation: "seccomp_init(\(action)) (the kernel did not confirm the action; is seccomp() itself filtered?)")
        }
        self.context = context
        groups = SyscallGroups.groups(for: plan)
        // A syscall one included group allows unconditionally (sendmsg in @sockets) makes
        // another group's narrower rules for it (sendmsg on fd 3 in @control) moot. Leave those
        // out rather than rely on libseccomp's merge order.
        let unconditional = Set(groups.flatMap { $0.rules.filter { $0.conditions.isEmpty && $0.answer == .allow }.map(\.syscall) })

        try attribute(SCMP_FLTATR_ACT_BADARCH, Self.actionKillProcess, "SCMP_FLTATR_ACT_BADARCH")
        // Binary-tree dispatch: hot calls (write, read, ppoll) cost a few comparisons, not a
        // walk down a list of ~90 entries.
        try attribute(SCMP_FLTATR_CTL_OPTIMIZE, 2, "SCMP_FLTATR_CTL_OPTIMIZE")
        // Report the kernel's own errno from seccomp_load, not libseccomp's -ECANCELED.
        try attribute(SCMP_FLTATR_API_SYSRAWRC, 1, "SCMP_FLTATR_API_SYSRAWRC")

        for group in groups {
            for rule in group.rules where rule.conditions.isEmpty || !unconditional.contains(rule.syscall) {
                let number = seccomp_syscall_resolve_name(rule.syscall)
                guard number >= 0 else {
                    throw HardeningFailure(step: .seccomp, errno: .invalidArgument,
                                           operation: "resolving syscall \(rule.syscall) of \(group.name)")
                }
                let action = switch rule.answer {
                case .allow: Self.actionAllow
                case .errno(let value): Self.actionErrno(value)
                }
                let comparisons = rule.conditions.map { condition in
                    let value: UInt64 = switch condition.operand {
                    case .constant(let number): number
                    case .ownProcessID: UInt64(UInt32(bitPattern: processID))
                    }
                    return switch condition.comparison {
                    case .equal: scmp_arg_cmp(arg: condition.argument, op: SCMP_CMP_EQ, datum_a: value, datum_b: 0)
                    case .lessOrEqual: scmp_arg_cmp(arg: condition.argument, op: SCMP_CMP_LE, datum_a: value, datum_b: 0)
                    case .maskedEqual(let mask): scmp_arg_cmp(arg: condition.argument, op: SCMP_CMP_MASKED_EQ, datum_a: mask, datum_b: value)
                    }
                }
                // _exact: fail rather than let libseccomp rewrite a rule it cannot express.
                let rc = comparisons.withUnsafeBufferPointer {
                    seccomp_rule_add_exact_array(context, action, number, UInt32($0.count), $0.baseAddress)
                }
                guard rc == 0 else {
                    throw HardeningFailure(step: .seccomp, errno: Errno(rawValue: -rc), operation: "adding rule \(rule) of \(group.name)")
                }
            }
        }
    }

    deinit { seccomp_release(context) }

    private func attribute(_ attribute: scmp_filter_attr, _ value: UInt32, _ label: String) throws(HardeningFailure) {
        let rc = seccomp_attr_set(context, attribute, value)
        guard rc == 0 else { throw HardeningFailure(step: .seccomp, errno: Errno(rawValue: -rc), operation: "seccomp_attr_set(\(label))") }
    }

    /// Writes the filter as libseccomp's human-readable PFC to `descriptor`, for auditors.
    public func exportPFC(to descriptor: FileDescriptor) throws(HardeningFailure) {
        let rc = seccomp_export_pfc(context, descriptor.rawValue)
        guard rc == 0 else { throw HardeningFailure(step: .seccomp, errno: Errno(rawValue: -rc), operation: "seccomp_export_pfc()") }
    }

    /// Writes the raw BPF program to `descriptor` (for `seccomp-tools`-style disassemblers).
    public func exportBPF(to descriptor: FileDescriptor) throws(HardeningFailure) {
        let rc = seccomp_export_bpf(context, descriptor.rawValue)
        guard rc == 0 else { throw HardeningFailure(step: .seccomp, errno: Errno(rawValue: -rc), operation: "seccomp_export_bpf()") }
    }

    /// The filter as a raw BPF program (`struct sock_filter[]`), exactly what `load()` would
    /// install. The launcher compiles it while the worker is still starting (libseccomp's
    /// build is a third of the hardening time) and the worker installs it with
    /// `SeccompProgram.install`.
    public func compiledProgram() throws(HardeningFailure) -> [UInt8] {
        try Self.export(context, label: "the BPF export")
    }

    /// A libseccomp context's raw BPF program, through a memfd (libseccomp writes to an fd).
    static func export(_ context: scmp_filter_ctx, label: String) throws(HardeningFailure) -> [UInt8] {
        let memory = memfd_create("warden-seccomp", UInt32(MFD_CLOEXEC))
        guard memory >= 0 else { throw HardeningFailure(step: .seccomp, errno: .current, operation: "memfd_create() for \(label)") }
        let descriptor = FileDescriptor(rawValue: memory)
        defer { try? descriptor.close() }
        let rc = seccomp_export_bpf(context, descriptor.rawValue)
        guard rc == 0 else { throw HardeningFailure(step: .seccomp, errno: Errno(rawValue: -rc), operation: "seccomp_export_bpf() for \(label)") }
        do throws(Errno) {
            _ = try descriptor.seek(offset: 0, from: .start)
            return try descriptor.readToEnd(limit: 4096 * 8)
        } catch {
            throw HardeningFailure(step: .seccomp, errno: error, operation: "reading \(label)")
        }
    }

    /// The program for a worker whose pid is not known yet: compiled once with an impossible
    /// pid (above the kernel's PID_MAX_LIMIT) standing in for the worker's own, and aimed at the
    /// real one by `SeccompProgramTemplate.program(forProcess:)`. The launcher compiles it on
    /// a thread of its own while it reads the module and spawns the worker.
    public static func template(plan: HardeningPlan.SeccompPlan) throws(HardeningFailure) -> SeccompProgramTemplate {
        let program = try SeccompFilter(plan: plan, processID: SeccompProgramTemplate.placeholder).compiledProgram()
        return SeccompProgramTemplate(program: program)
    }

    /// The syscall number of `name` on this architecture, if it has one.
    public static func syscallNumber(_ name: String) -> Int? {
        let number = seccomp_syscall_resolve_name(name)
        return number >= 0 ? Int(number) : nil
    }
}

/// A compiled filter whose own-pid comparisons still hold `placeholder` (see
/// `SeccompFilter.template`). libseccomp compiles `arg == pid` (a masked 32-bit comparison)
/// to `jeq #pid`; those are the only instructions whose constant is the placeholder, which a
/// test checks by comparing against the program compiled for the real pid.
public struct SeccompProgramTemplate: Sendable {
    /// Above PID_MAX_LIMIT (2^22): no process can have it, and no syscall rule compares with it.
    public static let placeholder: Int32 = 0x7fff_fff0
    let program: [UInt8]

    /// The program with the placeholder replaced by `pid`.
    public func program(forProcess pid: Int32) -> [UInt8] {
        var patched = program
        let jumpIfEqualConstant: UInt16 = 0x15  // BPF_JMP | BPF_JEQ | BPF_K
        let placeholder = UInt32(bitPattern: Self.placeholder)
        // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }, native (little) endian.
        for offset in stride(from: 0, to: patched.count - 7, by: 8) {
            let code = UInt16(patched[offset]) | UInt16(patched[offset + 1]) << 8
            let k = (0..<4).reduce(UInt32(0)) { $0 | UInt32(patched[offset + 4 + $1]) << (8 * $1) }
            guard code == jumpIfEqualConstant, k == placeholder else { continue }
            let value = UInt32(bitPattern: pid)
            for byte in 0..<4 { patched[offset + 4 + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
        }
        return patched
    }
}
