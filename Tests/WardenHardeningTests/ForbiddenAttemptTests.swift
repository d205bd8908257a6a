import Foundation
import Testing
import WardenTestSupport

/// Every forbidden attempt, after the full hardening sequence, under both violation actions.
/// In errno mode the probe prints the refusal; in kill mode a seccomp refusal ends it with
/// SIGSYS, while refusals that belong to another layer (Landlock) or answer ENOSYS by design
/// print the same line in both modes.
@Suite("forbidden attempts")
struct ForbiddenAttemptTests {
    enum Expected: Sendable {
        /// Refused by the seccomp filter: EPERM (errno mode) or SIGSYS (kill mode).
        case seccomp
        /// Answered ENOSYS by the filter in both modes (libraries fall back).
        case enosys
        /// Let through by seccomp (a real dirfd), refused by Landlock with EACCES.
        case landlock
        /// Another ABI on this architecture: killed whatever the violation action.
        case badArchitecture
        /// A signal the probe sends itself, which must be allowed and end it.
        case diesOf(Int32)
    }

    static let expectations: [String: Expected] = [
        "execve": .seccomp, "open-absolute": .seccomp, "openat-cwd-libc": .seccomp, "openat-cwd-raw": .seccomp,
        "openat-cwd-zext": .seccomp, "openat-cwd-sext": .seccomp, "openat-absolute-dirfd": .landlock,
        "open-proc-self-mem": .seccomp, "landlock-write": .landlock, "socket": .seccomp, "connect": .seccomp,
        "accept4": .seccomp, "ptrace": .seccomp, "mount": .seccomp, "unshare": .seccomp, "setuid": .seccomp,
        "kill": .seccomp, "tgkill": .seccomp, "fork": .seccomp, "prctl": .seccomp, "personality": .seccomp,
        "mmap-exec": .seccomp, "mprotect-exec": .seccomp, "pkey-mprotect-exec": .seccomp, "mmap-wx": .seccomp, "mprotect-wx": .seccomp,
        "io-uring-setup": .enosys, "clone3": .enosys, "ioctl-tiocsti": .seccomp, "ioctl-tiocsti-high": .seccomp,
        "ioctl-notif-send": .seccomp,
        "x32-getpid": .badArchitecture, "bpf": .seccomp, "keyctl": .seccomp, "perf-event-open": .seccomp,
        "userfaultfd": .seccomp,
        // glibc abort() is tgkill(self), the Swift runtime traps with ud2, WasmKit re-raises
        // with kill(getpid()): each must die of its own signal, not of SIGSYS.
        "abort": .diesOf(6), "kill-self": .diesOf(9), "swift-fatal-error": .diesOf(4),
    ]

    @Test("the probe's attempt list and this table agree")
    func everyAttemptHasAnExpectation() throws {
        let result = try Probe.run(["attempts"])
        #expect(result.status == 0)
        let names = Set(result.stdout.split(separator: "\n").map(String.init))
        #expect(names == Set(Self.expectations.keys))
    }

    @Test("refused", .enabled(if: Probe.landlockABI != nil, "Landlock is missing or disabled on this kernel"),
          arguments: Self.expectations.keys.sorted(), Probe.Action.allCases)
    func refused(_ name: String, _ action: Probe.Action) throws {
        let directory = try TemporaryTree("warden-probe-ro")
        let result = try Probe.run(["--action", action.rawValue, "--landlock-dir", directory.path, "attempt", name])
        let expected = Self.expectations[name]!
        switch (expected, action) {
        case (.seccomp, .errno):
            #expect(!result.signaled && result.status == 0 && result.stdout == "\(name): refused errno=EPERM\n", "\(result.transcript)")
        case (.seccomp, .kill), (.badArchitecture, _):
            #expect(result.signaled && result.status == 31, "expected SIGSYS; \(result.transcript)")
            #expect(!result.stdout.contains("ALLOWED"))
        case (.enosys, _):
            #expect(!result.signaled && result.stdout == "\(name): refused errno=ENOSYS\n", "\(result.transcript)")
        case (.landlock, _):
            #expect(!result.signaled && result.stdout == "\(name): refused errno=EACCES\n", "\(result.transcript)")
        case (.diesOf(let signal), _):
            #expect(result.signaled && result.status == signal, "expected signal \(signal); \(result.transcript)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "nothing may be created in a read-only root")
    }

    @Test("with sockets granted, handed-in sockets are usable but new ones still cannot be made", arguments: Probe.Action.allCases)
    func socketsGranted(_ action: Probe.Action) throws {
        // accept4 reaches the kernel: fd 1 is a pipe, so ENOTSOCK, not the filter's EPERM.
        let accept = try Probe.run(["--action", action.rawValue, "--sockets", "attempt", "accept4"])
        #expect(!accept.signaled && accept.stdout == "accept4: refused errno=ENOTSOCK\n", "\(accept.transcript)")
        let socket = try Probe.run(["--action", action.rawValue, "--sockets", "attempt", "socket"])
        if action == .kill {
            #expect(socket.signaled && socket.status == 31, "\(socket.transcript)")
        } else {
            #expect(socket.stdout == "socket: refused errno=EPERM\n", "\(socket.transcript)")
        }
    }
}
