import CSeccomp
import Glibc
import WardenSystem

// A forking zygote's filter cannot pin kill/tgkill to one pid (the instances have their own),
// so those calls reach the listener. A process may always signal itself (glibc's abort() is
// tgkill(self, self, SIGABRT); WasmKit's fault handler re-raises with kill(getpid(), sig)):
// the launcher lets exactly those continue. SECCOMP_USER_NOTIF_FLAG_CONTINUE is unsafe when
// the decision reads memory the caller can still change; kill and tgkill take integers in
// registers, which the kernel captured in the notification and the parked, single-threaded
// caller cannot change before the call resumes.
extension SeccompNotificationListener {
    /// Whether `notification` is a signal from a process to itself: kill(pid, sig) with
    /// pid == caller, or tgkill(tgid, tid, sig) with tgid == tid == caller (single-threaded).
    public static func isSelfSignal(_ notification: SeccompNotification) -> Bool {
        let caller = UInt64(UInt32(bitPattern: notification.pid))
        let low = { (value: UInt64) in value & 0xffff_ffff }
        switch notification.syscallName {
        case "kill": return low(notification.arguments[0]) == caller
        case "tgkill": return low(notification.arguments[0]) == caller && low(notification.arguments[1]) == caller
        default: return false
        }
    }

    /// Lets a self-signal run (see above); refuses with EINVAL anything that is not one.
    public func allowSelfSignal(_ notification: SeccompNotification) throws(Errno) {
        guard Self.isSelfSignal(notification) else { throw .invalidArgument }
        var response: UnsafeMutablePointer<seccomp_notif_resp>?
        let allocated = seccomp_notify_alloc(nil, &response)
        guard allocated == 0, let response else { throw Errno(rawValue: ENOMEM) }
        defer { seccomp_notify_free(nil, response) }
        memset(response, 0, MemoryLayout<seccomp_notif_resp>.size)
        response.pointee.id = notification.id
        response.pointee.flags = 1  // SECCOMP_USER_NOTIF_FLAG_CONTINUE
        if seccomp_notify_respond(descriptor.rawValue, response) < 0, Glibc.errno != ENOENT { throw Errno.current }
    }
}
