// Glibc for types only: E* errno numbers mapped to WASI errnos
import Glibc
import WardenSystem

extension WASIErrno {
    /// Host errno → WASI errno, in one place. Host values with no WASI counterpart become `.io`
    /// so the guest never learns a host-specific code.
    public init(_ host: Errno) {
        switch host.rawValue {
        case E2BIG: self = .toobig
        case EACCES: self = .acces
        case EADDRINUSE: self = .addrinuse
        case EADDRNOTAVAIL: self = .addrnotavail
        case EAFNOSUPPORT: self = .afnosupport
        case EAGAIN: self = .again
        case EALREADY: self = .already
        case EBADF: self = .badf
        case EBADMSG: self = .badmsg
        case EBUSY: self = .busy
        case ECANCELED: self = .canceled
        case ECHILD: self = .child
        case ECONNABORTED: self = .connaborted
        case ECONNREFUSED: self = .connrefused
        case ECONNRESET: self = .connreset
        case EDEADLK: self = .deadlk
        case EDESTADDRREQ: self = .destaddrreq
        case EDOM: self = .dom
        case EDQUOT: self = .dquot
        case EEXIST: self = .exist
        case EFAULT: self = .fault
        case EFBIG: self = .fbig
        case EHOSTUNREACH: self = .hostunreach
        case EIDRM: self = .idrm
        case EILSEQ: self = .ilseq
        case EINPROGRESS: self = .inprogress
        case EINTR: self = .intr
        case EINVAL: self = .inval
        case EIO: self = .io
        case EISCONN: self = .isconn
        case EISDIR: self = .isdir
        case ELOOP: self = .loop
        case EMFILE: self = .mfile
        case EMLINK: self = .mlink
        case EMSGSIZE: self = .msgsize
        case EMULTIHOP: self = .multihop
        case ENAMETOOLONG: self = .nametoolong
        case ENETDOWN: self = .netdown
        case ENETRESET: self = .netreset
        case ENETUNREACH: self = .netunreach
        case ENFILE: self = .nfile
        case ENOBUFS: self = .nobufs
        case ENODEV: self = .nodev
        case ENOENT: self = .noent
        case ENOEXEC: self = .noexec
        case ENOLCK: self = .nolck
        case ENOLINK: self = .nolink
        case ENOMEM: self = .nomem
        case ENOMSG: self = .nomsg
        case ENOPROTOOPT: self = .noprotoopt
        case ENOSPC: self = .nospc
        case ENOSYS: self = .nosys
        case ENOTCONN: self = .notconn
        case ENOTDIR: self = .notdir
        case ENOTEMPTY: self = .notempty
        case ENOTRECOVERABLE: self = .notrecoverable
        case ENOTSOCK: self = .notsock
        case ENOTSUP: self = .notsup  // == EOPNOTSUPP on Linux
        case ENOTTY: self = .notty
        case ENXIO: self = .nxio
        case EOVERFLOW: self = .overflow
        case EOWNERDEAD: self = .ownerdead
        case EPERM: self = .perm
        case EPIPE: self = .pipe
        case EPROTO: self = .proto
        case EPROTONOSUPPORT: self = .protonosupport
        case EPROTOTYPE: self = .prototype
        case ERANGE: self = .range
        case EROFS: self = .rofs
        case ESPIPE: self = .spipe
        case ESRCH: self = .srch
        case ESTALE: self = .stale
        case ETIMEDOUT: self = .timedout
        case ETXTBSY: self = .txtbsy
        case EXDEV: self = .xdev
        default: self = .io
        }
    }
}
