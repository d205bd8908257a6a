import Foundation
import Testing
import WardenHardening
import WardenSystem
import WardenTestSupport

/// `SeccompPlan.notifyListener`: refusals reach the launcher through the kernel's
/// user-notification listener. The probe runs with `--notify`: it spawns itself hardened
/// (fd 3 = control socket), receives the listener over fd 3 and answers each notification
/// per `--action`, printing `notified NAME ARG0 ... ARG5` before answering and
/// `child: exit N` / `child: signal N` at the end.
@Suite("seccomp notifications")
struct NotificationTests {
    /// What the launcher must see for each forbidden attempt.
    enum Expected: Sendable {
        /// Exactly one notification for `syscall`, with this first argument if given; the
        /// call then fails with the launcher's errno.
        case notified(String, arg0: UInt64?)
        /// Answered by the filter itself (ENOSYS), never notified.
        case enosys
        /// Let through by seccomp, refused by Landlock: no notification.
        case landlock
        /// Another ABI: killed by the filter, not notified.
        case badArchitecture
        /// A self-signal (allowed): the child dies of it, no notification.
        case diesOf(Int32)
    }

    static let atFdcwd: UInt64 = 0xffff_ff9c
    static let expectations: [String: Expected] = [
        "execve": .notified("execve", arg0: nil),
        "open-absolute": .notified("openat", arg0: atFdcwd),
        "openat-cwd-libc": .notified("openat", arg0: atFdcwd),
        // The upper half of a variadic int is whatever the compiler left there.
        "openat-cwd-raw": .notified("openat", arg0: nil),
        "openat-cwd-zext": .notified("openat", arg0: atFdcwd),
        "openat-cwd-sext": .notified("openat", arg0: 0xffff_ffff_ffff_ff9c),
        "openat-absolute-dirfd": .landlock,
        "open-proc-self-mem": .notified("openat", arg0: atFdcwd),
        "landlock-write": .landlock,
        "socket": .notified("socket", arg0: 1),
        "connect": .notified("connect", arg0: 1),
        "accept4": .notified("accept4", arg0: 1),
        "ptrace": .notified("ptrace", arg0: 0),
        "mount": .notified("mount", arg0: nil),
        "unshare": .notified("unshare", arg0: 0x1000_0000),
        "setuid": .notified("setuid", arg0: 0),
        "kill": .notified("kill", arg0: 1),
        "tgkill": .notified("tgkill", arg0: 1),
        "abort": .diesOf(6), "kill-self": .diesOf(9), "swift-fatal-error": .diesOf(4),
        "fork": .notified("fork", arg0: nil),
        "prctl": .notified("prctl", arg0: 4),
        "personality": .notified("personality", arg0: 0x40_0000),
        "mmap-exec": .notified("mmap", arg0: 0),
        "mprotect-exec": .notified("mprotect", arg0: nil),
        "pkey-mprotect-exec": .notified("pkey_mprotect", arg0: nil),
        "mmap-wx": .notified("mmap", arg0: 0), "mprotect-wx": .notified("mprotect", arg0: nil),
        "io-uring-setup": .enosys, "clone3": .enosys,
        "ioctl-tiocsti": .notified("ioctl", arg0: 1),
        "ioctl-tiocsti-high": .notified("ioctl", arg0: 1),
        "ioctl-notif-send": .notified("ioctl", arg0: 0),
        "x32-getpid": .badArchitecture,
        "bpf": .notified("bpf", arg0: 5),
        "keyctl": .notified("keyctl", arg0: 0),
        "perf-event-open": .notified("perf_event_open", arg0: 0),
        "userfaultfd": .notified("userfaultfd", arg0: 0x8_0001),
    ]

    /// The `notified ...` lines, split into name and arguments.
    static func notifications(_ stdout: String) -> [(name: String, arguments: [UInt64])] {
        stdout.split(separator: "\n").filter { $0.hasPrefix("notified ") }.map { line in
            let fields = line.split(separator: " ").dropFirst()
            return (String(fields.first!), fields.dropFirst().map { UInt64($0.dropFirst(2), radix: 16) ?? .max })
        }
    }

    @Test("every attempt has a notify-mode expectation")
    func everyAttemptCovered() throws {
        let result = try Probe.run(["attempts"])
        #expect(Set(result.stdout.split(separator: "\n").map(String.init)) == Set(Self.expectations.keys))
    }

    @Test("each refusal is one notification naming the call and its first argument; the call fails with EPERM",
          .enabled(if: Probe.landlockABI != nil, "Landlock is missing or disabled on this kernel"),
          arguments: Self.expectations.keys.sorted())
    func refused(_ name: String) throws {
        let directory = try TemporaryTree("warden-probe-notify")
        let result = try Probe.run(["--notify", "--action", "errno", "--landlock-dir", directory.path, "attempt", name])
        #expect(result.status == 0 && !result.signaled, "the launcher side itself failed; \(result.transcript)")
        let seen = Self.notifications(result.stdout)
        switch Self.expectations[name]! {
        case .notified(let syscall, let arg0):
            try #require(seen.count == 1, "exactly one notification; \(result.transcript)")
            #expect(seen[0].name == syscall, "\(result.transcript)")
            #expect(seen[0].arguments.count == 6, "\(result.transcript)")
            if let arg0 { #expect(seen[0].arguments.first == arg0, "\(result.transcript)") }
            // Printed before the answer, so before the child could go on.
            #expect(result.stdout.hasSuffix("\n\(name): refused errno=EPERM\nchild: exit 0\n"), "\(result.transcript)")
        case .enosys:
            #expect(result.stdout == "\(name): refused errno=ENOSYS\nchild: exit 0\n", "\(result.transcript)")
        case .landlock:
            #expect(result.stdout == "\(name): refused errno=EACCES\nchild: exit 0\n", "\(result.transcript)")
        case .badArchitecture:
            #expect(result.stdout == "child: signal 31\n", "\(result.transcript)")
        case .diesOf(let signal):
            #expect(result.stdout == "child: signal \(signal)\n", "\(result.transcript)")
        }
        #expect(!result.stdout.contains("ALLOWED") && !result.stdout.contains("not the child"), "\(result.transcript)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("the launcher's answer is what the worker sees: errno:13 gives EACCES, not the filter's EPERM")
    func launcherChoosesTheErrno() throws {
        let result = try Probe.run(["--notify", "--action", "errno:13", "attempt", "kill"])
        #expect(result.stdout == "notified kill 0x1 0x0 0x0 0x0 0x0 0x0\nkill: refused errno=EACCES\nchild: exit 0\n", "\(result.transcript)")
    }

    @Test("kill policy: the call never returns; the launcher sees it first, then ends the worker")
    func killPolicy() throws {
        // The refused call is held in the kernel until the launcher answers, so nothing the
        // module does after it (here: printing its result) can run before the report exists.
        let result = try Probe.run(["--notify", "--action", "kill", "attempt", "kill"])
        #expect(result.status == 0 && !result.signaled, "\(result.transcript)")
        // The late answer to a dead worker meets ENOENT quietly (the probe fails otherwise).
        #expect(result.stdout == "notified kill 0x1 0x0 0x0 0x0 0x0 0x0\nchild: signal 9\n", "\(result.transcript)")
    }

    @Test("allowed operations produce no notification", arguments: [false, true])
    func allowedIsQuiet(_ sockets: Bool) throws {
        let directory = try TemporaryTree("warden-probe-notify-rw")
        let result = try Probe.run(["--notify", "--action", "errno"] + (sockets ? ["--sockets"] : [])
                                   + ["--landlock-dir", directory.path + ":rw", "allowed"])
        #expect(result.stdout == "ok\nchild: exit 0\n", "\(result.transcript)")
    }

    @Test("status: seccomp in force, the report says violations go to the launcher")
    func status() throws {
        let result = try Probe.run(["--notify", "--action", "errno", "status"])
        #expect(result.stdout.hasSuffix("child: exit 0\n"), "\(result.transcript)")
        #expect(result.stdout.contains("applied     seccomp: 15 groups, violations reported to the launcher (errno(EPERM) on violation); @basic-io @control @enosys"),
                "\(result.transcript)")
        #expect(result.stdout.contains("Seccomp:\t2"), "\(result.transcript)")
        #expect(Self.notifications(result.stdout).isEmpty, "\(result.transcript)")
    }

    @Test("without --notify the same plan has no listener and the filter answers by itself")
    func withoutListener() throws {
        let result = try Probe.run(["--action", "errno", "attempt", "kill"])
        #expect(result.stdout == "kill: refused errno=EPERM\n", "\(result.transcript)")
    }
}

/// The filter a notify plan builds, and the listener's input checks, in-process.
@Suite("seccomp notification filter and listener")
struct NotificationFilterTests {
    static func pfc(_ plan: HardeningPlan.SeccompPlan) throws -> String {
        let filter = try SeccompFilter(plan: plan)
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let reader = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        try filter.exportPFC(to: FileDescriptor(rawValue: ends[1]))
        close(ends[1])
        return String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test("notify plan: the default action notifies, ENOSYS stays, a foreign ABI still kills", arguments: Probe.Action.allCases)
    func notifyDefault(_ action: Probe.Action) throws {
        let text = try Self.pfc(.init(violation: action == .kill ? .killProcess : .permissionDenied, notifyListener: true))
        // libseccomp 2.5 prints SECCOMP_RET_USER_NOTIF as its raw value.
        #expect(text.contains("# default action\n  action 0x7fc00000;") || text.contains("# default action\n  action NOTIFY;"), "\(text)")
        #expect(text.contains("# invalid architecture action\naction KILL_PROCESS;"))
        #expect(text.components(separatedBy: "KILL_PROCESS").count - 1 == 1, "only the foreign-ABI action kills")
        #expect(text.components(separatedBy: "action ERRNO(38);").count - 1 == 4, "clone3 and io_uring keep ENOSYS")
        #expect(!text.contains("ERRNO(1);"), "no errno is built in: the launcher answers")
    }

    @Test("the violation action is still validated in notify mode")
    func invalidErrno() {
        #expect(throws: HardeningFailure.self) { try SeccompFilter(plan: .init(violation: .errno(0), notifyListener: true)) }
    }

    @Test("sendmsg: fd 3 only without @sockets, anywhere with it", arguments: [false, true])
    func controlSocket(_ sockets: Bool) throws {
        let text = try Self.pfc(.init(socketsGranted: sockets))
        let start = try #require(text.range(of: "# filter for syscall \"sendmsg\""))
        let block = text[start.upperBound...].prefix(250)
        if sockets {
            #expect(block.contains("if ($syscall == 46)\n              action ALLOW;"), "\(block)")
        } else {
            #expect(block.contains("if ($a0.lo32 & 0xffffffff == 3)") && !block.contains("if ($syscall == 46)\n              action ALLOW;"), "\(block)")
        }
    }

    @Test("the plan's default keeps notifications off")
    func defaultsOff() {
        #expect(HardeningPlan.SeccompPlan().notifyListener == false)
        #expect(HardeningPlan().seccomp.notifyListener == false)
        #expect(HardeningReport().notificationListener == nil)
    }

    @Test("deny refuses an errno the kernel cannot return, before touching the descriptor", arguments: [0, -1, 4096] as [Int32])
    func denyValidatesErrno(_ value: Int32) throws {
        let listener = SeccompNotificationListener(descriptor: FileDescriptor(rawValue: open("/dev/null", O_RDONLY | O_CLOEXEC)))
        let notification = SeccompNotification(id: 1, pid: 1, syscallNumber: 62, syscallName: "kill", arguments: [1, 0, 0, 0, 0, 0])
        #expect(throws: Errno.invalidArgument) { try listener.deny(notification, errno: value) }
    }

    @Test("receive on a descriptor that is not a listener reports the kernel's errno")
    func receiveOnWrongDescriptor() throws {
        let listener = SeccompNotificationListener(descriptor: FileDescriptor(rawValue: open("/dev/null", O_RDONLY | O_CLOEXEC)))
        #expect(throws: Errno(rawValue: ENOTTY)) { _ = try listener.receive() }
        let notification = SeccompNotification(id: 1, pid: 1, syscallNumber: 62, syscallName: "kill", arguments: [1, 0, 0, 0, 0, 0])
        #expect(throws: Errno(rawValue: ENOTTY)) { try listener.deny(notification, errno: EPERM) }
        #expect(!listener.isPending(notification))
    }

    @Test("the listener owns its descriptor and closes it")
    func closesOnDeinit() throws {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        do {
            let listener = SeccompNotificationListener(descriptor: FileDescriptor(rawValue: fd))
            #expect(listener.descriptor.rawValue == fd)
        }
        #expect(fcntl(fd, F_GETFD) == -1 && errno == EBADF)
    }
}
