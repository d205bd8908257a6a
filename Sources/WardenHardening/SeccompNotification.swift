import CSeccomp
import Glibc
import WardenSystem

// The launcher's side of `SeccompPlan.notifyListener`. The worker's filter answers every
// refused call with SECCOMP_RET_USER_NOTIF: the kernel parks the calling thread before the
// call runs and queues a notification on the listener, which the worker handed to the
// launcher over the control socket and no longer holds. So the module can neither forge a
// report (the kernel fills in pid, number and arguments) nor suppress one (it is raised before
// the call, and the worker waits for the launcher's answer).

/// One refused call, as the kernel reported it.
public struct SeccompNotification: Sendable, Equatable {
    /// The kernel's cookie for this notification; the answer must name it.
    public let id: UInt64
    /// The calling thread, in the listener's (the launcher's) pid namespace.
    public let pid: Int32
    public let syscallNumber: Int32
    /// `kill`, `openat`, ... (resolved for the call's architecture), or `syscall N`.
    public let syscallName: String
    /// The six argument registers, as the filter saw them (no upper-half truncation).
    public let arguments: [UInt64]

    public init(id: UInt64, pid: Int32, syscallNumber: Int32, syscallName: String, arguments: [UInt64]) {
        self.id = id
        self.pid = pid
        self.syscallNumber = syscallNumber
        self.syscallName = syscallName
        self.arguments = arguments
    }
}

/// Owns a seccomp user-notification listener in the launcher: poll `descriptor` for
/// readability, `receive()` what is pending, and answer with `deny(_:errno:)` (or SIGKILL the
/// worker, which answers it too). Every answer fails the call, with one exception: a forking
/// worker's self-signals (`allowSelfSignal`, whose arguments are integers in registers, so
/// SECCOMP_USER_NOTIF_FLAG_CONTINUE cannot race the worker rewriting them).
/// Holds no state besides the descriptor (buffers are per call; the kernel serialises
/// receive and answer), so it may be shared between threads.
public final class SeccompNotificationListener: Sendable {
    /// The listener, for ppoll (POLLIN: a notification is pending; POLLHUP: every process
    /// under the filter has exited).
    public let descriptor: FileDescriptor

    /// Takes ownership of `descriptor`; it is closed when the listener goes away (a worker
    /// still waiting on a notification then sees ENOSYS).
    public init(descriptor: FileDescriptor) {
        self.descriptor = descriptor
    }

    deinit { try? descriptor.close() }

    /// Receives one pending notification (call when the descriptor polls readable; it blocks
    /// otherwise). nil if the notification vanished (the target died: ENOENT) or the wait
    /// was interrupted (EINTR).
    public func receive() throws(Errno) -> SeccompNotification? {
        var request: UnsafeMutablePointer<seccomp_notif>?
        try Self.check(seccomp_notify_alloc(&request, nil))
        guard let request else { throw Errno(rawValue: ENOMEM) }
        defer { seccomp_notify_free(request, nil) }
        // The kernel refuses a request buffer that is not zeroed; libseccomp's is, but say so.
        memset(request, 0, MemoryLayout<seccomp_notif>.size)
        do throws(Errno) {
            try Self.check(seccomp_notify_receive(descriptor.rawValue, request))
        } catch {
            if error == .noSuchFile || error == .interrupted { return nil }
            throw error
        }
        let data = request.pointee.data
        let name: String
        if let resolved = seccomp_syscall_resolve_num_arch(data.arch, data.nr) {
            name = String(cString: resolved)
            free(resolved)
        } else {
            name = "syscall \(data.nr)"
        }
        let arguments = withUnsafeBytes(of: data.args) { Array($0.bindMemory(to: UInt64.self)) }
        return SeccompNotification(id: request.pointee.id, pid: Int32(bitPattern: request.pointee.pid),
                                   syscallNumber: data.nr, syscallName: name, arguments: arguments)
    }

    /// Fails the call in the worker with `errno` (positive, 1...4095, e.g. EPERM). ENOENT
    /// from the kernel (the target died meanwhile, or was killed) is not an error.
    public func deny(_ notification: SeccompNotification, errno: Int32) throws(Errno) {
        // error 0 would make the refused call "succeed" with a value the launcher made up.
        guard (1...4095).contains(errno) else { throw .invalidArgument }
        var response: UnsafeMutablePointer<seccomp_notif_resp>?
        try Self.check(seccomp_notify_alloc(nil, &response))
        guard let response else { throw Errno(rawValue: ENOMEM) }
        defer { seccomp_notify_free(nil, response) }
        memset(response, 0, MemoryLayout<seccomp_notif_resp>.size)
        response.pointee.id = notification.id
        response.pointee.val = 0
        response.pointee.error = -errno
        response.pointee.flags = 0
        do throws(Errno) {
            try Self.check(seccomp_notify_respond(descriptor.rawValue, response))
        } catch {
            if error == .noSuchFile { return }
            throw error
        }
    }

    /// Whether `notification` still waits for an answer (its caller is alive and parked).
    public func isPending(_ notification: SeccompNotification) -> Bool {
        seccomp_notify_id_valid(descriptor.rawValue, notification.id) == 0
    }

    /// libseccomp 2.5 folds the ioctl's errno into -ECANCELED but leaves errno as the kernel
    /// set it; other negative results are libseccomp's own.
    private static func check(_ result: Int32) throws(Errno) {
        guard result < 0 else { return }
        if result == -ECANCELED, Glibc.errno != 0 { throw Errno.current }
        throw Errno(rawValue: -result)
    }
}
