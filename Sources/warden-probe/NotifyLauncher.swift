import CWardenLinux
import Glibc
import WardenHardening
import WardenSystem

/// `--notify`: the probe plays a launcher that holds the worker's seccomp listener. A process
/// cannot serve its own notifications (it would wait on itself), so the unhardened probe
/// spawns itself as the worker (`--notify-child`, fd 3 = its end of a socketpair). The child
/// hardens with `notifyListener`, sends the listener over fd 3 with SCM_RIGHTS, closes its
/// copy and makes its one attempt; this side receives the listener and answers every
/// notification until the child is gone:
///
///     notified NAME ARG0 ARG1 ARG2 ARG3 ARG4 ARG5     (hex), printed before answering
///     ...the child's own output (its attempt line)...
///     child: exit N | child: signal N
///
/// Under `--action errno[:N]` each call fails with that errno; under `--action kill` the child
/// is SIGKILLed (and the late answer must meet ENOENT quietly).
enum NotifyLauncher {
    static func run(_ arguments: ArraySlice<String>, violation: HardeningPlan.ViolationAction, forking: Bool) -> Never {
        var pair: [Int32] = [-1, -1]
        guard warden_socketpair(&pair) == 0 else { fail(70, "socketpair: \(Errno.current)") }
        let childArguments = [CommandLine.arguments[0]] + arguments.map { $0 == "--notify" ? "--notify-child" : $0 }
        var argv: [UnsafeMutablePointer<CChar>?] = childArguments.map { strdup($0) } + [nil]
        var pid: pid_t = 0
        let sources: [Int32] = [0, 1, 2, pair[1]]
        let spawned = argv.withUnsafeMutableBufferPointer { argv in
            warden_spawn_layout("/proc/self/exe", argv.baseAddress, environ, sources, Int32(sources.count), &pid)
        }
        guard spawned == 0 else { fail(70, "spawning the worker: \(Errno.current)") }
        close(pair[1])

        // The listener arrives first; EOF means the child ended before handing it over (a
        // hardening failure: its own stderr says why).
        var byte: UInt8 = 0
        var received: Int32 = -1
        let count = warden_recv_with_fd(pair[0], &byte, 1, &received)
        guard count == 1, received >= 0 else { finish(pid) }
        let listener = SeccompNotificationListener(descriptor: FileDescriptor(rawValue: received))

        while true {
            var requests = [PollRequest(descriptor: listener.descriptor, events: PollRequest.readable)]
            // A short timeout: the listener reports POLLHUP only once the child is reaped.
            _ = try? ppoll(&requests, timeoutNanoseconds: 50_000_000)
            if requests[0].returnedEvents & PollRequest.readable != 0 {
                serve(listener, child: pid, violation: violation, forking: forking)
                continue
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { report(status) }
        }
    }

    static func serve(_ listener: SeccompNotificationListener, child: pid_t, violation: HardeningPlan.ViolationAction, forking: Bool) {
        let notification: SeccompNotification?
        do throws(Errno) { notification = try listener.receive() } catch { fail(70, "receiving a notification: \(error)") }
        guard let notification else { say("notification vanished"); return }
        let arguments = notification.arguments.map { "0x" + String($0, radix: 16) }.joined(separator: " ")
        say("notified \(notification.syscallName) \(arguments)")
        if notification.pid != child { say("notification from pid \(notification.pid), not the child \(child)") }
        // A forking worker's filter cannot pin kill/tgkill to one pid: self-signals continue.
        if forking && SeccompNotificationListener.isSelfSignal(notification) {
            do throws(Errno) { try listener.allowSelfSignal(notification) } catch { fail(70, "continuing \(notification.syscallName): \(error)") }
            say("continued \(notification.syscallName) (a self-signal)")
            return
        }
        do throws(Errno) {
            switch violation {
            case .errno(let value):
                try listener.deny(notification, errno: value)
            case .killProcess:
                kill(child, SIGKILL)
                var status: Int32 = 0
                guard waitpid(child, &status, 0) == child else { fail(70, "waitpid: \(Errno.current)") }
                // The target is gone: the answer meets ENOENT, which is not an error.
                if listener.isPending(notification) { say("notification still pending after the child died") }
                try listener.deny(notification, errno: EPERM)
                report(status)
            }
        } catch { fail(70, "answering \(notification.syscallName): \(error)") }
    }

    static func finish(_ pid: pid_t) -> Never {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard Errno.current == .interrupted else { fail(70, "waitpid: \(Errno.current)") }
        }
        report(status)
    }

    static func report(_ status: Int32) -> Never {
        let signal = status & 0x7f
        say(signal == 0 ? "child: exit \((status >> 8) & 0xff)" : "child: signal \(signal)")
        exit(0)
    }
}
