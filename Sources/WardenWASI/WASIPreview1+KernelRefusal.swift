// Glibc for types only: O_* open flags, EPERM/EACCES
import Glibc
import WardenSystem

extension WASIPreview1 {
    /// The WASI errno for a host failure of an operation this layer allowed, and its report
    /// when it is a refusal (EACCES, EPERM). Landlock grants every read beneath a grant and
    /// every write beneath a read-write one, so it can only be what refused a write beneath a
    /// read-only grant: that is a defense-in-depth catch (`recordKernelRefusal`), a gap in
    /// this layer. Anything else is the kernel's ordinary access checks (mode bits, ACLs, the
    /// service account): reported as a `permission` refusal, never as Landlock. (Mode bits
    /// cannot tell the two apart: in a user namespace unmapped owners read as the overflow
    /// uid 65534, which may be the worker's own.)
    func hostFailure(_ error: Errno, _ operation: StaticString, fd: UInt32, directory: Descriptor, path: GuestPath,
                     writes: Bool) -> WASIErrno {
        let errno = WASIErrno(error)
        guard let auditor, error.rawValue == EACCES || error.rawValue == EPERM else { return errno }
        let granted = directory.preopen >= 0 && Int(directory.preopen) < configuration.preopens.count
            ? configuration.preopens[Int(directory.preopen)].grantedAccess : directory.access
        if writes && granted == .read {
            auditor.recordKernelRefusal(KernelRefusal(operation: "\(operation)", fd: fd, preopen: preopenPath(of: directory),
                                                      path: path.text, errno: error.rawValue))
        } else {
            auditor.record(AccessDenial(operation: "\(operation)", fd: fd, preopen: preopenPath(of: directory), path: path.text,
                                        reason: .permission, errno: errno))
        }
        return errno
    }
}
