/// Why a guest operation was refused.
public enum DenialReason: String, Sendable {
    /// `..` past the preopen, an absolute path, or a symlink leading out of it.
    case escapeAttempt = "escape-attempt"
    /// A mutation through a read-only preopen.
    case readOnly = "read-only"
    /// A path operation on a descriptor that is not an open directory grant.
    case noPreopen = "no-preopen"
    /// The descriptor lacks the right the operation needs.
    case rights
    /// A symlink whose target is absolute: creating one, or reading one that exists (its
    /// target is a host path and could only ever point outside the sandbox).
    case absoluteSymlink = "absolute-symlink"
    /// A guest-driven size past a bound (iovec count, subscriptions, descriptors).
    case resourceLimit = "resource-limit"
    /// The kernel's ordinary access checks refused what this layer allowed (mode bits, ACLs,
    /// the service account's identity): EACCES or EPERM, reported as what it is.
    case permission
}

/// One refused guest operation, as the WASI layer saw it. Host paths never appear here:
/// only the guest's own path and the guest path of the preopen it went through.
public struct AccessDenial: Sendable, Equatable {
    public var operation: String
    public var fd: UInt32?
    public var preopen: String?
    public var path: String?
    public var reason: DenialReason
    public var errno: WASIErrno

    public init(operation: String, fd: UInt32?, preopen: String?, path: String?, reason: DenialReason, errno: WASIErrno) {
        self.operation = operation
        self.fd = fd
        self.preopen = preopen
        self.path = path
        self.reason = reason
        self.errno = errno
    }
}

/// An operation the WASI layer allowed but the host kernel refused with EACCES or EPERM
/// although the file's mode bits permit it: another kernel layer (Landlock, in a hardened
/// worker) caught what this layer let through. Worth an audit event of its own.
public struct KernelRefusal: Sendable, Equatable {
    public var operation: String
    public var fd: UInt32?
    public var preopen: String?
    public var path: String?
    /// The host errno (EACCES or EPERM).
    public var errno: Int32

    public init(operation: String, fd: UInt32?, preopen: String?, path: String?, errno: Int32) {
        self.operation = operation
        self.fd = fd
        self.preopen = preopen
        self.path = path
        self.errno = errno
    }
}

/// Receives every refusal the WASI layer makes. Called synchronously on the guest's thread.
public protocol AccessAuditor: AnyObject {
    func record(_ denial: AccessDenial)
    /// A refusal by the kernel below this layer (default: ignored).
    func recordKernelRefusal(_ refusal: KernelRefusal)
}

extension AccessAuditor {
    public func recordKernelRefusal(_ refusal: KernelRefusal) {}
}

/// Collects denials in memory (tests, and `learn` later).
public final class RecordingAuditor: AccessAuditor {
    public private(set) var denials: [AccessDenial] = []
    public init() {}
    public private(set) var kernelRefusals: [KernelRefusal] = []
    public func record(_ denial: AccessDenial) { denials.append(denial) }
    public func recordKernelRefusal(_ refusal: KernelRefusal) { kernelRefusals.append(refusal) }
}
