import Glibc

/// The user and group database (getgrnam, getpwuid, getgrouplist): who may use wardend's
/// control socket. These calls read /etc/group and /etc/passwd (or NSS): supervisor only,
/// never in a hardened worker.
public enum Accounts {
    /// The gid of the group called `name`, or nil when there is none (or it cannot be read).
    public static func groupID(named name: String) -> gid_t? {
        getgrnam(name).map { $0.pointee.gr_gid }
    }

    /// Whether the user `uid` is in group `gid`, by primary or supplementary membership (the
    /// first 64 groups are looked at). False when the user is unknown.
    public static func isMember(uid: uid_t, ofGroup gid: gid_t) -> Bool {
        guard let account = getpwuid(uid), let name = account.pointee.pw_name else { return false }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: 64)
        guard getgrouplist(name, account.pointee.pw_gid, &groups, &count) >= 0 else { return false }
        return groups.prefix(Int(count)).contains(gid)
    }
}

extension Accounts {
    /// The uid and primary gid of the user called `name` in `passwd` (/etc/passwd), or nil
    /// when it has none. The file is read, not NSS: in the statically linked release warden,
    /// getpwnam of a name the file lacks went on to the next NSS module ("files systemd") and
    /// crashed (SIGSEGV, exit 139), as getpwuid/getgrgid did for the transient identity. A
    /// service account is a local account (systemd-sysusers and useradd write this file).
    public static func user(named name: String, passwd: String = "/etc/passwd") -> (uid: uid_t, gid: gid_t)? {
        let authority = AmbientAuthority(purpose: "the user database: the account a worker drops to")
        guard let bytes = try? authority.readFile(passwd, limit: 16 << 20) else { return nil }
        let wanted = Array(name.utf8)
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            // name:password:uid:gid:gecos:home:shell
            let fields = line.split(separator: UInt8(ascii: ":"), maxSplits: 4, omittingEmptySubsequences: false)
            guard fields.count >= 4, fields[0].elementsEqual(wanted),
                  let uid = UInt32(String(decoding: fields[2], as: UTF8.self)),
                  let gid = UInt32(String(decoding: fields[3], as: UTF8.self)) else { continue }
            return (uid, gid)
        }
        return nil
    }
}
