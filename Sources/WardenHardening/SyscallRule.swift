/// One allowlist entry: a syscall by name, optional argument conditions (all must hold), and
/// the answer when they do. Several rules may name the same syscall (ioctl, one per command),
/// but then every one of them carries a condition: libseccomp lets an unconditional rule for
/// a syscall silently replace the conditional ones.
public struct SyscallRule: Sendable, Equatable, CustomStringConvertible {
    public enum Answer: Sendable, Equatable {
        case allow
        /// Fail with this errno without running the call (ENOSYS for interfaces we want
        /// libraries to fall back from).
        case errno(Int32)
    }

    /// Where a comparison's value comes from.
    public enum Operand: Sendable, Equatable {
        case constant(UInt64)
        /// The worker's own pid, known only when the filter is built (kill/tgkill to self).
        case ownProcessID
    }

    public enum Comparison: Sendable, Equatable {
        case equal
        /// Unsigned 64-bit comparison, as the kernel's BPF does it.
        case lessOrEqual
        /// `(argument & mask) == value`; a 32-bit mask compares what an `int` argument really is.
        case maskedEqual(mask: UInt64)
    }

    public struct Condition: Sendable, Equatable, CustomStringConvertible {
        public let argument: UInt32
        public let comparison: Comparison
        public let operand: Operand

        public var description: String {
            let value = switch operand {
            case .constant(let number): "0x" + String(number, radix: 16)
            case .ownProcessID: "self"
            }
            return switch comparison {
            case .equal: "arg\(argument) == \(value)"
            case .lessOrEqual: "arg\(argument) <= \(value)"
            case .maskedEqual(let mask): "arg\(argument) & 0x\(String(mask, radix: 16)) == \(value)"
            }
        }
    }

    public let syscall: String
    public let conditions: [Condition]
    public let answer: Answer
    /// Why the condition is there (`W^X`, `TIOCSTI refused`), shown in listings.
    public let note: String

    public init(_ syscall: String, _ conditions: [Condition] = [], answer: Answer = .allow, note: String = "") {
        self.syscall = syscall
        self.conditions = conditions
        self.answer = answer
        self.note = note
    }

    public var description: String {
        var text = syscall
        if !conditions.isEmpty { text += "(" + conditions.map(\.description).joined(separator: " && ") + ")" }
        if case .errno(let value) = answer { text += " -> errno \(value)" }
        return text
    }
}

/// A named set of syscalls with a one-line description, in the manner of systemd's
/// `@system-service`: the unit policies are written and reviewed in.
public struct SyscallGroup: Sendable, CustomStringConvertible {
    public let name: String
    public let description: String
    public let rules: [SyscallRule]
    /// Included only when the plan grants sockets.
    public let onlyWithSockets: Bool
    /// Included only in a per-connection zygote's filter (`SeccompPlan.forking`).
    public let onlyWhenForking: Bool
    /// Included only for an engine that publishes compiled code (`SeccompPlan.publishingCode`).
    public let onlyWhenPublishingCode: Bool

    public init(_ name: String, _ description: String, onlyWithSockets: Bool = false, onlyWhenForking: Bool = false,
                onlyWhenPublishingCode: Bool = false, _ rules: [SyscallRule]) {
        self.onlyWhenPublishingCode = onlyWhenPublishingCode
        self.name = name
        self.description = description
        self.rules = rules
        self.onlyWithSockets = onlyWithSockets
        self.onlyWhenForking = onlyWhenForking
    }

    /// The distinct syscall names in this group, in table order.
    public var syscalls: [String] {
        var seen: [String] = []
        for rule in rules where !seen.contains(rule.syscall) { seen.append(rule.syscall) }
        return seen
    }
}

/// A syscall the worker must never make, and why. The filter's default action already refuses
/// everything not allowed; this list is what reviewers and the tests hold the table to
/// (nothing here may appear in a group).
public struct DeniedSyscall: Sendable {
    public let name: String
    public let reason: String
}

// Conditions, spelled once.
extension SyscallRule.Condition {
    /// A real directory descriptor: 0...INT_MAX as an unsigned 64-bit value. AT_FDCWD fails
    /// it in every encoding: glibc passes it zero-extended (0xffffff9c), careless callers
    /// sign-extended (0xffffffffffffff9c); both are above 0x7fffffff.
    static func realDirectoryDescriptor(_ argument: UInt32) -> Self {
        Self(argument: argument, comparison: .lessOrEqual, operand: .constant(0x7fff_ffff))
    }

    /// `argument` has no PROT_EXEC bit (W^X).
    static func notExecutable(_ argument: UInt32) -> Self {
        Self(argument: argument, comparison: .maskedEqual(mask: 0x4), operand: .constant(0))
    }

    /// `argument` has PROT_EXEC without PROT_WRITE (code being published, never W+X).
    static func executableNotWritable(_ argument: UInt32) -> Self {
        Self(argument: argument, comparison: .maskedEqual(mask: 0x6), operand: .constant(0x4))
    }

    /// The low 32 bits of `argument` equal `value` (ioctl and fcntl commands are `unsigned
    /// int` to the kernel: 0x1_0000_5412 is TIOCSTI to it, and must not slip past a 64-bit compare).
    static func command(_ argument: UInt32, _ value: UInt64) -> Self {
        Self(argument: argument, comparison: .maskedEqual(mask: 0xffff_ffff), operand: .constant(value))
    }

    /// `argument` is the descriptor `value` (an `int` to the kernel: compared on 32 bits).
    static func descriptor(_ argument: UInt32, _ value: UInt64) -> Self {
        Self(argument: argument, comparison: .maskedEqual(mask: 0xffff_ffff), operand: .constant(value))
    }

    static func ownProcess(_ argument: UInt32) -> Self {
        Self(argument: argument, comparison: .maskedEqual(mask: 0xffff_ffff), operand: .ownProcessID)
    }

    static func zero(_ argument: UInt32) -> Self {
        Self(argument: argument, comparison: .equal, operand: .constant(0))
    }
}
