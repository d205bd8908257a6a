import Glibc

/// The parts of `struct stat` the sandbox reports.
public struct FileStatus: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var mode: UInt32
    public var linkCount: UInt64
    public var size: Int64
    public var accessTime: timespec
    public var modificationTime: timespec
    public var changeTime: timespec
    public var owner: UInt32
    public var group: UInt32

    public var isDirectory: Bool { (mode & S_IFMT) == S_IFDIR }
    public var isRegularFile: Bool { (mode & S_IFMT) == S_IFREG }
    public var isSymlink: Bool { (mode & S_IFMT) == S_IFLNK }
    public var isSocket: Bool { (mode & S_IFMT) == S_IFSOCK }

    init(_ raw: stat) {
        device = UInt64(raw.st_dev)
        inode = UInt64(raw.st_ino)
        mode = raw.st_mode
        linkCount = UInt64(raw.st_nlink)
        size = Int64(raw.st_size)
        accessTime = raw.st_atim
        modificationTime = raw.st_mtim
        changeTime = raw.st_ctim
        owner = raw.st_uid
        group = raw.st_gid
    }

    /// Whether the file's mode bits let this process (effective ids, no capabilities, no
    /// supplementary groups: a hardened worker) read and/or write it. ACLs are not consulted.
    public func modePermits(read: Bool, write: Bool, execute: Bool = false) -> Bool {
        let bits: UInt32 = owner == geteuid() ? (mode >> 6) & 7 : (group == getegid() ? (mode >> 3) & 7 : mode & 7)
        let needed: UInt32 = (read ? 4 : 0) | (write ? 2 : 0) | (execute ? 1 : 0)
        return bits & needed == needed
    }
}

extension timespec: @retroactive Equatable {
    public static func == (a: timespec, b: timespec) -> Bool { a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec }
}

extension FileDescriptor {
    public func status() throws(Errno) -> FileStatus {
        var raw = stat()
        _ = try retryingOnInterrupt { Glibc.fstat(rawValue, &raw) }
        return FileStatus(raw)
    }

    public func status(of name: UnsafePointer<CChar>, followSymlinks: Bool) throws(Errno) -> FileStatus {
        var raw = stat()
        _ = try retryingOnInterrupt { Glibc.fstatat(rawValue, name, &raw, followSymlinks ? 0 : AT_SYMLINK_NOFOLLOW) }
        return FileStatus(raw)
    }
}

extension FileDescriptor {
    /// Sets this file's access time to now and leaves its modification time:
    /// `futimens(fd, {UTIME_NOW, UTIME_OMIT})`, one system call on an open descriptor (the
    /// artifact cache's "last used" mark, set explicitly so noatime/relatime mounts do not
    /// matter). Needs the file's owner, write access or CAP_FOWNER.
    public func markAccessed() throws(Errno) {
        // UTIME_NOW and UTIME_OMIT (<sys/stat.h>: (1 << 30) - 1 and - 2) are not imported into Swift.
        var times = (timespec(tv_sec: 0, tv_nsec: (1 << 30) - 1), timespec(tv_sec: 0, tv_nsec: (1 << 30) - 2))
        _ = try withUnsafePointer(to: &times) { (pointer) throws(Errno) in
            try pointer.withMemoryRebound(to: timespec.self, capacity: 2) { (times) throws(Errno) in
                try retryingOnInterrupt { Glibc.futimens(rawValue, times) }
            }
        }
    }
}
