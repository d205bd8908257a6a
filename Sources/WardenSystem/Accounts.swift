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
    /// The uid and primary gid of the user called `name`, or nil when there is none.
    public static func user(named name: String) -> (uid: uid_t, gid: gid_t)? {
        getpwnam(name).map { ($0.pointee.pw_uid, $0.pointee.pw_gid) }
    }
}
