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

    public func makeDirectory(_ path: String, mode: UInt32 = 0o700) throws(Errno) {
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

extension AmbientAuthority {
    /// Whether `path` names a directory (following symlinks); false when it cannot be read.
    public func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` is a file this process may execute (access(2) X_OK).
    public func canExecute(_ path: String) -> Bool {
        Glibc.access(path, X_OK) == 0
    }

    /// `path` made absolute against the current directory (no symlinks resolved); `path`
    /// itself when it already is, or when the current directory cannot be read.
    public func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        return String(cString: buffer) + "/" + path
    }

    /// realpath(3): `path` absolute with every symlink resolved, or nil when it cannot be.
    public func resolved(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

extension AmbientAuthority {
    /// stat(2) of a host path by name, following symlinks.
    public func status(_ path: String) throws(Errno) -> FileStatus {
        var raw = stat()
        _ = try retryingOnInterrupt { stat(path, &raw) }
        return FileStatus(raw)
    }
}

extension AmbientAuthority {
    /// rmdir(2): removes an empty directory (one with anything inside stays, ENOTEMPTY).
    public func removeDirectory(_ path: String) throws(Errno) {
        _ = try retryingOnInterrupt { rmdir(path) }
    }
}
