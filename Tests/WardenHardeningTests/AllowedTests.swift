import Foundation
import Testing
import WardenTestSupport

/// What a hardened worker must still be able to do (stdout, openat2 beneath a preopen,
/// getdents64, the *at calls, clocks, randomness, memory without exec, ppoll, sockets handed
/// in), under both violation actions: a missing rule would show as EPERM or SIGSYS.
@Suite("allowed after hardening")
struct AllowedTests {
    @Test("read-write preopen", arguments: Probe.Action.allCases)
    func readWrite(_ action: Probe.Action) throws {
        let directory = try TemporaryTree("warden-probe-rw")
        try directory.write("existing.txt", "x")
        let result = try Probe.run(["--action", action.rawValue, "--landlock-dir", directory.path + ":rw", "allowed"])
        #expect(!result.signaled && result.status == 0 && result.stdout == "ok\n", "\(result.transcript)")
        // The probe cleaned up after itself beneath the root, and wrote nowhere else.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["existing.txt"])
    }

    @Test("read-only preopen with sockets granted", arguments: Probe.Action.allCases)
    func readOnlyWithSockets(_ action: Probe.Action) throws {
        let directory = try TemporaryTree("warden-probe-ro")
        let result = try Probe.run(["--action", action.rawValue, "--sockets", "--landlock-dir", directory.path, "allowed"])
        #expect(!result.signaled && result.status == 0 && result.stdout == "ok\n", "\(result.transcript)")
    }

    @Test("as the service user", .enabled(if: Probe.isRoot, "dropping to another uid needs root"), arguments: Probe.Action.allCases)
    func asServiceUser(_ action: Probe.Action) throws {
        let directory = try TemporaryTree("warden-probe-user")
        chmod(directory.path, 0o777)
        let result = try Probe.run(["--action", action.rawValue, "--user", "65534:65534", "--landlock-dir", directory.path + ":rw", "allowed"])
        #expect(!result.signaled && result.status == 0 && result.stdout == "ok\n", "\(result.transcript)")
    }
}
