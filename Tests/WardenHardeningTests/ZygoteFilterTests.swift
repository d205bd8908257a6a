import Foundation
import Testing
import WardenHardening
import WardenTestSupport

/// The per-connection zygote's filter, through the real hardening and a launcher holding the
/// listener: fork and reap are allowed, self-signals continue after the launcher's check, an
/// instance cannot signal its zygote; without `forking`, fork stays refused.
@Suite("zygote filter") struct ZygoteFilterTests {
    @Test("forking: the instance may signal itself, not the zygote; fork and reap work")
    func forkingSignals() throws {
        let result = try Probe.run(["--notify", "--forking", "--action", "errno", "fork-signals"])
        #expect(result.status == 0, "\(result.transcript)")
        for line in ["fork: allowed", "instance kill self: allowed", "instance tgkill self: allowed",
                     "instance kill zygote: refused errno=EPERM", "reaped: exit 0", "zygote kill self: allowed", "child: exit 0"] {
            #expect(result.stdout.contains(line + "\n"), "\(line)\n\(result.transcript)")
        }
        // Each signal reached the launcher (none is pinned in the filter), and only the
        // self-signals were let through.
        #expect(result.stdout.components(separatedBy: "continued kill (a self-signal)").count - 1 == 2, "\(result.transcript)")
        #expect(result.stdout.components(separatedBy: "continued tgkill (a self-signal)").count - 1 == 1, "\(result.transcript)")
    }

    @Test("without forking, fork is refused and reported")
    func notForking() throws {
        let result = try Probe.run(["--notify", "--action", "errno", "fork-signals"])
        #expect(result.status == 0, "\(result.transcript)")
        #expect(result.stdout.contains("notified clone 0x1200011"), "\(result.transcript)")
        #expect(result.stdout.contains("fork: refused errno=EPERM"), "\(result.transcript)")
    }

    @Test("self-signal recognition: kill(pid) and tgkill(pid, pid) of the caller only, compared on 32 bits")
    func selfSignal() {
        func notification(_ name: String, _ arguments: [UInt64], pid: Int32 = 1234) -> SeccompNotification {
            SeccompNotification(id: 1, pid: pid, syscallNumber: 0, syscallName: name, arguments: arguments + [UInt64](repeating: 0, count: 6 - arguments.count))
        }
        #expect(SeccompNotificationListener.isSelfSignal(notification("kill", [1234, 9])))
        #expect(SeccompNotificationListener.isSelfSignal(notification("tgkill", [1234, 1234, 6])))
        #expect(SeccompNotificationListener.isSelfSignal(notification("kill", [0xffff_ffff_0000_04d2, 9])), "pid_t is 32 bits to the kernel")
        #expect(!SeccompNotificationListener.isSelfSignal(notification("kill", [1233, 9])))
        #expect(!SeccompNotificationListener.isSelfSignal(notification("kill", [0, 9])), "the process group")
        #expect(!SeccompNotificationListener.isSelfSignal(notification("kill", [0xffff_ffff, 9])), "-1: every process")
        #expect(!SeccompNotificationListener.isSelfSignal(notification("tgkill", [1234, 1235, 6])), "another thread")
        #expect(!SeccompNotificationListener.isSelfSignal(notification("tkill", [1234, 6])))
        #expect(!SeccompNotificationListener.isSelfSignal(notification("pidfd_send_signal", [3, 9])))
    }
}
