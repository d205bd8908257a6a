/// WASI preview1 `errno`, spelled as in the witx. Host calls throw it (typed); anything
/// else a host call throws is a trap.
public enum WASIErrno: UInt16, Error, Sendable, CaseIterable, CustomStringConvertible {
    case success = 0, toobig, acces, addrinuse, addrnotavail, afnosupport, again, already, badf,
         badmsg, busy, canceled, child, connaborted, connrefused, connreset, deadlk, destaddrreq,
         dom, dquot, exist, fault, fbig, hostunreach, idrm, ilseq, inprogress, intr, inval, io,
         isconn, isdir, loop, mfile, mlink, msgsize, multihop, nametoolong, netdown, netreset,
         netunreach, nfile, nobufs, nodev, noent, noexec, nolck, nolink, nomem, nomsg, noprotoopt,
         nospc, nosys, notconn, notdir, notempty, notrecoverable, notsock, notsup, notty, nxio,
         overflow, ownerdead, perm, pipe, proto, protonosupport, prototype, range, rofs, spipe,
         srch, stale, timedout, txtbsy, xdev, notcapable

    /// The witx name (`2big` for `toobig`, whose witx name is not a Swift identifier).
    public var description: String { Self.names[Int(rawValue)] }

    private static let names: [String] = [
        "success", "2big", "acces", "addrinuse", "addrnotavail", "afnosupport", "again", "already", "badf",
        "badmsg", "busy", "canceled", "child", "connaborted", "connrefused", "connreset", "deadlk", "destaddrreq",
        "dom", "dquot", "exist", "fault", "fbig", "hostunreach", "idrm", "ilseq", "inprogress", "intr", "inval", "io",
        "isconn", "isdir", "loop", "mfile", "mlink", "msgsize", "multihop", "nametoolong", "netdown", "netreset",
        "netunreach", "nfile", "nobufs", "nodev", "noent", "noexec", "nolck", "nolink", "nomem", "nomsg", "noprotoopt",
        "nospc", "nosys", "notconn", "notdir", "notempty", "notrecoverable", "notsock", "notsup", "notty", "nxio",
        "overflow", "ownerdead", "perm", "pipe", "proto", "protonosupport", "prototype", "range", "rofs", "spipe",
        "srch", "stale", "timedout", "txtbsy", "xdev", "notcapable",
    ]
}
