import Foundation
import Testing
import WardenHardening
import WardenTestSupport

/// Every step's failure path, each provoked by a real condition (no fault injection): the
/// probe must exit with the step's status and one operator line naming the step and errno.
@Suite("step failures")
struct StepFailureTests {
    static func expectFailure(_ result: Command.Result, _ step: HardeningStepName, _ errno: String,
                              mentioning detail: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.signaled && result.status == step.exitStatus, "\(result.transcript)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("warden-probe: hardening step \(step) failed: "), "\(result.transcript)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("(\(errno)) in "), "\(result.transcript)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(detail), "\(result.transcript)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "one line", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "nothing runs after a failed step", sourceLocation: sourceLocation)
    }

    @Test("descriptors: a hole in the layout (stdin closed) is refused (EBADF)")
    func descriptors() throws {
        // `allowed` opens nothing before hardening, so the layout is 0...2 and fd 0 is missing.
        let result = try Probe.run(via: ["/bin/bash", "-c", "exec \"$@\" <&-", "bash"], ["allowed"])
        Self.expectFailure(result, .descriptors, "EBADF", mentioning: "descriptor 0 is not open")
    }

    @Test("rlimits: a hard limit above the kernel's nr_open cannot be set (EPERM)")
    func rlimits() throws {
        // Above fs.nr_open even CAP_SYS_RESOURCE cannot raise RLIMIT_NOFILE, so this holds
        // whatever the test runs as (root here lacks CAP_SYS_RESOURCE anyway).
        let nrOpen = try #require(UInt64(String(contentsOfFile: "/proc/sys/fs/nr_open", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let result = try Probe.run(["--nofile", String(nrOpen + 1), "status"])
        Self.expectFailure(result, .rlimits, "EPERM", mentioning: "setrlimit(RLIMIT_NOFILE, \(nrOpen + 1))")
    }

    @Test("namespaces: required, but the uid has no mapping to nest a user namespace under (EPERM)",
          .enabled(if: Probe.tool("unshare") != nil, "needs unshare(1)"))
    func namespaces() throws {
        let result = try Probe.run(via: [Probe.tool("unshare")!, "--user"], ["--namespaces-required", "status"])
        Self.expectFailure(result, .namespaces, "EPERM", mentioning: "unshare(CLONE_NEWUSER)")
    }

    @Test("capabilities: root without CAP_SETPCAP cannot empty its bounding set (EPERM)",
          .enabled(if: Probe.isRoot && Probe.tool("setpriv") != nil, "needs root and setpriv(1)"))
    func capabilitiesBoundingSet() throws {
        // No user namespace (which would hand CAP_SETPCAP back): the process keeps root's other
        // capabilities, and a privileged process that cannot shed them must not go on.
        let result = try Probe.run(via: [Probe.tool("setpriv")!, "--bounding-set=-setpcap"], ["--namespaces", "none", "status"])
        Self.expectFailure(result, .capabilities, "EPERM", mentioning: "cap_drop_bound(")
    }

    @Test("capabilities: root without CAP_SETUID cannot drop to the service user (EPERM)",
          .enabled(if: Probe.isRoot && Probe.tool("setpriv") != nil, "needs root and setpriv(1)"))
    func capabilitiesIdentity() throws {
        let result = try Probe.run(via: [Probe.tool("setpriv")!, "--bounding-set=-setuid", "--inh-caps=-setuid"],
                                   ["--namespaces", "none", "--user", "65534:65534", "status"])
        Self.expectFailure(result, .capabilities, "EPERM", mentioning: "setresuid(65534)")
    }

    @Test("capabilities: gid 4294967295 is set*id's \"unchanged\", refused as a target (EINVAL)",
          .enabled(if: Probe.isRoot, "the identity is applied only as root"))
    func capabilitiesInvalidGroup() throws {
        let result = try Probe.run(["--user", "65534:4294967295", "status"])
        Self.expectFailure(result, .capabilities, "EINVAL", mentioning: "target identity 65534:4294967295")
    }

    @Test("no-new-privs: the kernel refuses an invalid parent-death signal (EINVAL)")
    func noNewPrivs() throws {
        let result = try Probe.run(["--death-signal", "99", "status"])
        Self.expectFailure(result, .noNewPrivs, "EINVAL", mentioning: "prctl(PR_SET_PDEATHSIG, 99)")
    }

    @Test("landlock: a rule on a descriptor that is not a directory (EINVAL)",
          .enabled(if: Probe.landlockABI != nil, "Landlock is missing or disabled on this kernel"),
          arguments: ["regular file", "/dev/null"])
    func landlock(_ kind: String) throws {
        let tree = try TemporaryTree("warden-probe-file")
        try tree.write("file", "not a directory")
        let path = kind == "/dev/null" ? "/dev/null" : tree.url("file")
        for mode in ["require", "best-effort"] {
            // A broken rule is a broken plan: best-effort only forgives a kernel without Landlock.
            let result = try Probe.run(["--landlock", mode, "--landlock-dir", path, "status"])
            Self.expectFailure(result, .landlock, "EINVAL", mentioning: "landlock_add_rule(fd ")
        }
    }

    @Test("seccomp: an errno action the kernel cannot return (EINVAL)")
    func seccompAction() throws {
        let result = try Probe.run(["--action", "errno:5000", "status"])
        Self.expectFailure(result, .seccomp, "EINVAL", mentioning: "errno(5000)")
    }

    /// python3 with ctypes and libseccomp.so.2, for the outer-sandbox test.
    static let python: String? = Probe.tool("python3").flatMap { python in
        (try? Command.run(python, ["-c", "import ctypes; ctypes.CDLL('libseccomp.so.2')"]))?.status == 0 ? python : nil
    }

    @Test("seccomp: an outer sandbox that filters seccomp() itself",
          .enabled(if: python != nil, "needs python3 with ctypes and libseccomp.so.2"), arguments: Probe.Action.allCases)
    func seccompFilteredByOuterSandbox(_ action: Probe.Action) throws {
        // A Python ctypes wrapper loads a filter that answers seccomp() and
        // prctl(PR_SET_SECCOMP) with EACCES, then execs the probe: libseccomp cannot confirm
        // the actions it needs, as under a container runtime that forbids nested filters.
        let python = try #require(Self.python)
        let wrapper = """
            import ctypes, os, sys
            lib = ctypes.CDLL("libseccomp.so.2")
            lib.seccomp_init.restype = ctypes.c_void_p
            ctx = ctypes.c_void_p(lib.seccomp_init(ctypes.c_uint32(0x7fff0000)))
            deny = ctypes.c_uint32(0x00050000 | 13)
            class Cmp(ctypes.Structure):
                _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]
            assert lib.seccomp_rule_add(ctx, deny, lib.seccomp_syscall_resolve_name(b"seccomp"), 0) == 0
            prctl = Cmp(0, 4, 22, 0)  # arg0 == PR_SET_SECCOMP
            assert lib.seccomp_rule_add_array(ctx, deny, lib.seccomp_syscall_resolve_name(b"prctl"), 1, ctypes.byref(prctl)) == 0
            assert lib.seccomp_load(ctx) == 0
            os.execv(sys.argv[1], sys.argv[1:])
            """
        let result = try Probe.run(via: [python, "-c", wrapper], ["--action", action.rawValue, "status"])
        // Kill mode: libseccomp cannot confirm KILL_PROCESS for the default action; errno mode:
        // nor for the bad-architecture action. Either way the filter is never half-loaded.
        Self.expectFailure(result, .seccomp, "EINVAL", mentioning: action == .kill ? "seccomp_init(kill-process)" : "seccomp_attr_set(SCMP_FLTATR_ACT_BADARCH)")
    }
}

/// The operator line and the status table, without a process.
@Suite("failure rendering")
struct FailureRenderingTests {
    @Test("one lowercase line naming the step and the errno")
    func message() {
        let failure = HardeningFailure(step: .landlock, errno: .permissionDenied, operation: "")
        #expect(failure.message == "hardening step landlock failed: Operation not permitted (EPERM)")
        let located = HardeningFailure(step: .rlimits, errno: .permissionDenied, operation: "setrlimit(RLIMIT_NOFILE, 9)")
        #expect(located.message == "hardening step rlimits failed: Operation not permitted (EPERM) in setrlimit(RLIMIT_NOFILE, 9)")
        #expect(located.exitStatus == 102)
    }

    @Test("each step has its own exit status, in sequence order")
    func exitStatuses() {
        let statuses = HardeningStepName.allCases.map(\.exitStatus)
        #expect(statuses == Array(101...107))
        for step in HardeningStepName.allCases { #expect(HardeningStepName(exitStatus: step.exitStatus) == step) }
        #expect(HardeningSequence().steps.map(\.name) == HardeningStepName.allCases)
    }
}
