import Foundation
import Testing
import WardenTestSupport

/// The exec lock, proved with the probe through the same hardening code the wasmtime worker
/// runs: during load a compiling engine may map code read+execute but never writable and
/// executable at once; once the lock is stacked, the kernel refuses every PROT_EXEC.
@Suite("exec lock")
struct ExecLockTests {
    static let executable = ["mmap-exec", "mprotect-exec", "pkey-mprotect-exec"]
    static let writableAndExecutable = ["mmap-wx", "mprotect-wx"]

    /// Refused by the kernel: the call fails with EPERM (errno), or the probe dies of SIGSYS (kill).
    static func expectRefused(_ result: Command.Result, _ name: String, _ action: Probe.Action) {
        switch action {
        case .errno:
            #expect(!result.signaled && result.status == 0 && result.stdout == "\(name): refused errno=EPERM\n", "\(result.transcript)")
        case .kill:
            #expect(result.signaled && result.status == 31, "expected SIGSYS; \(result.transcript)")
            #expect(!result.stdout.contains("ALLOWED"), "\(result.transcript)")
        }
    }

    @Test("during load: read+execute is allowed, writable and executable never",
          arguments: executable + writableAndExecutable, Probe.Action.allCases)
    func duringLoad(_ name: String, _ action: Probe.Action) throws {
        let result = try Probe.run(["--action", action.rawValue, "--exec-load", "attempt", name])
        if Self.executable.contains(name) {
            #expect(!result.signaled && result.status == 0 && result.stdout == "\(name): ALLOWED\n", "\(result.transcript)")
        } else {
            Self.expectRefused(result, name, action)
        }
    }

    @Test("after the lock: every PROT_EXEC is refused by the kernel",
          arguments: executable + writableAndExecutable, Probe.Action.allCases)
    func afterLock(_ name: String, _ action: Probe.Action) throws {
        let result = try Probe.run(["--action", action.rawValue, "--exec-load", "--exec-lock", "attempt", name])
        Self.expectRefused(result, name, action)
    }

    @Test("without a compiling engine nothing executable is mapped, and the lock cannot be asked for alone",
          arguments: executable)
    func withoutExecLoad(_ name: String) throws {
        let result = try Probe.run(["--action", "errno", "attempt", name])
        Self.expectRefused(result, name, .errno)
        let alone = try Probe.run(["--exec-lock", "attempt", name])
        #expect(alone.status == 64 && alone.stderr.contains("--exec-lock needs --exec-load"), "\(alone.transcript)")
    }

    @Test("after the lock, what a running guest needs still works (memory, signals, time, the control path)")
    func lockedWorkerStillWorks() throws {
        let directory = try TemporaryTree("warden-exec-lock")
        let result = try Probe.run(["--exec-load", "--exec-lock", "--landlock-dir", directory.path + ":rw", "allowed"])
        #expect(result.status == 0 && result.stdout == "ok\n", "\(result.transcript)")
    }

    @Test("the lock holds under a notification listener too: the kernel refuses before the launcher is asked")
    func underNotification() throws {
        for name in Self.executable {
            let result = try Probe.run(["--action", "errno", "--notify", "--exec-load", "--exec-lock", "attempt", name])
            #expect(result.stdout.contains("\(name): refused errno=EPERM"), "\(result.transcript)")
            #expect(!result.stdout.contains("notified"), "the lock answers itself; \(result.transcript)")
        }
    }
}
