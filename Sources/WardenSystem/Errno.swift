import Glibc

/// A host errno value. Wrappers in this room throw it (typed) so callers switch exhaustively
/// over what the kernel said instead of reading a global.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's errno right now.
    @inlinable public static var current: Errno { Errno(rawValue: errno) }

    public var description: String {
        "\(String(cString: strerror(rawValue))) (\(symbol))"
    }

    /// The C macro name (`EPERM`), for operator messages and audit events.
    public var symbol: String {
        Errno.symbols[rawValue] ?? "errno \(rawValue)"
    }

    private static let symbols: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO", ENXIO: "ENXIO",
        E2BIG: "E2BIG", ENOEXEC: "ENOEXEC", EBADF: "EBADF", ECHILD: "ECHILD", EAGAIN: "EAGAIN",
        ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST",
        EXDEV: "EXDEV", ENODEV: "ENODEV", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL",
        ENFILE: "ENFILE", EMFILE: "EMFILE", ENOTTY: "ENOTTY", ETXTBSY: "ETXTBSY", EFBIG: "EFBIG",
        ENOSPC: "ENOSPC", ESPIPE: "ESPIPE", EROFS: "EROFS", EMLINK: "EMLINK", EPIPE: "EPIPE",
        ERANGE: "ERANGE", ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS", ENOTEMPTY: "ENOTEMPTY",
        ELOOP: "ELOOP", ENOTSUP: "ENOTSUP", ENOTSOCK: "ENOTSOCK", ECONNRESET: "ECONNRESET",
        ENOTCONN: "ENOTCONN", ETIMEDOUT: "ETIMEDOUT", ECONNREFUSED: "ECONNREFUSED", EDQUOT: "EDQUOT",
        EOVERFLOW: "EOVERFLOW", EILSEQ: "EILSEQ", EMSGSIZE: "EMSGSIZE", ESTALE: "ESTALE",
    ]

    public static let permissionDenied = Errno(rawValue: EPERM)
    public static let noSuchFile = Errno(rawValue: ENOENT)
    public static let interrupted = Errno(rawValue: EINTR)
    public static let badFileDescriptor = Errno(rawValue: EBADF)
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    public static let accessDenied = Errno(rawValue: EACCES)
    public static let exists = Errno(rawValue: EEXIST)
    public static let crossDevice = Errno(rawValue: EXDEV)
    public static let notDirectory = Errno(rawValue: ENOTDIR)
    public static let isDirectory = Errno(rawValue: EISDIR)
    public static let invalidArgument = Errno(rawValue: EINVAL)
    public static let tooManySymlinks = Errno(rawValue: ELOOP)
    public static let notEmpty = Errno(rawValue: ENOTEMPTY)
    public static let nameTooLong = Errno(rawValue: ENAMETOOLONG)
    public static let messageTooLong = Errno(rawValue: EMSGSIZE)
    public static let brokenPipe = Errno(rawValue: EPIPE)
    public static let connectionRefused = Errno(rawValue: ECONNREFUSED)
    public static let connectionReset = Errno(rawValue: ECONNRESET)
}

/// Runs `body` until it does not fail with EINTR; a negative result becomes a thrown `Errno`.
@inlinable
func retryingOnInterrupt<T: BinaryInteger>(_ body: () -> T) throws(Errno) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let error = Errno.current
        if error != .interrupted { throw error }
    }
}
