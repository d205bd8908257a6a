import Glibc

/// Operations on host paths by name: ambient authority, so each takes it. (Beneath a
/// directory descriptor, use the `*at` calls in RelativePathOperations instead.)
extension AmbientAuthority {
    public enum Access: Sendable {
        case exists, read, write

        var mode: Int32 {
            switch self {
            case .exists: F_OK
            case .read: R_OK
            case .write: W_OK
            }
        }
    }

    /// access(2) with the real ids: whether `path` exists, or may be read or written.
    public func canAccess(_ path: String, _ access: Access) -> Bool {
        Glibc.access(path, access.mode) == 0
    }

    public func makeDirectory(_ path: String, mode: UInt32) throws(Errno) {
        _ = try retryingOnInterrupt { mkdir(path, mode) }
    }

    /// chown(path, -1, gid): changes the group only.
    public func changeGroup(_ path: String, to gid: gid_t) throws(Errno) {
        _ = try retryingOnInterrupt { chown(path, uid_t.max, gid) }
    }

    /// unlink(2): removes a file, a socket or a symlink (not a directory).
    public func removeFile(_ path: String) throws(Errno) {
        _ = try retryingOnInterrupt { unlink(path) }
    }
}
