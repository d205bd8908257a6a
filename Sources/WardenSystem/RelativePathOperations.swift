import CWardenLinux
import Glibc

/// Operations relative to a directory descriptor. None of these take an absolute path from a
/// caller that lacks `AmbientAuthority`: the WASI layer resolves every guest path beneath a
/// preopen with `openBeneath`, then acts on one final component with the `*at` calls below.
public struct ResolveFlags: OptionSet, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static let beneath = ResolveFlags(rawValue: UInt64(WARDEN_RESOLVE_BENEATH))
    public static let noMagicLinks = ResolveFlags(rawValue: UInt64(WARDEN_RESOLVE_NO_MAGICLINKS))
    public static let noSymlinks = ResolveFlags(rawValue: UInt64(WARDEN_RESOLVE_NO_SYMLINKS))
    public static let noCrossDevice = ResolveFlags(rawValue: UInt64(WARDEN_RESOLVE_NO_XDEV))
}

extension FileDescriptor {
    /// openat2(2) relative to this directory. With `.beneath`, `..` past this directory, an
    /// absolute path or a symlink leading out fails with EXDEV; a magic link with ELOOP.
    public func open(
        _ path: UnsafePointer<CChar>, flags: Int32, mode: UInt32 = 0,
        resolve: ResolveFlags = [.beneath, .noMagicLinks]
    ) throws(Errno) -> FileDescriptor {
        let creates = (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE
        let fd = try retryingOnInterrupt {
            warden_openat2(rawValue, path, UInt64(UInt32(bitPattern: flags | O_CLOEXEC)),
                           creates ? UInt64(mode) : 0, resolve.rawValue)
        }
        return FileDescriptor(rawValue: fd)
    }

    public func makeDirectory(_ name: UnsafePointer<CChar>, mode: UInt32 = 0o777) throws(Errno) {
        _ = try retryingOnInterrupt { Glibc.mkdirat(rawValue, name, mode) }
    }

    public func unlink(_ name: UnsafePointer<CChar>, directory: Bool) throws(Errno) {
        _ = try retryingOnInterrupt { Glibc.unlinkat(rawValue, name, directory ? AT_REMOVEDIR : 0) }
    }

    public func rename(_ name: UnsafePointer<CChar>, to target: FileDescriptor, _ targetName: UnsafePointer<CChar>) throws(Errno) {
        _ = try retryingOnInterrupt { Glibc.renameat(rawValue, name, target.rawValue, targetName) }
    }

    /// A hard link; never follows a symlink at `name`.
    public func link(_ name: UnsafePointer<CChar>, to target: FileDescriptor, _ targetName: UnsafePointer<CChar>) throws(Errno) {
        _ = try retryingOnInterrupt { Glibc.linkat(rawValue, name, target.rawValue, targetName, 0) }
    }

    public func makeSymlink(_ name: UnsafePointer<CChar>, pointingTo target: UnsafePointer<CChar>) throws(Errno) {
        _ = try retryingOnInterrupt { Glibc.symlinkat(target, rawValue, name) }
    }

    /// readlinkat into `buffer`; returns the byte count (not NUL-terminated).
    public func readLink(_ name: UnsafePointer<CChar>, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retryingOnInterrupt {
            Glibc.readlinkat(rawValue, name, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count)
        }
    }

    /// `utimensat`. `name == ""` with `emptyPath` acts on this descriptor itself, which also
    /// works for O_PATH descriptors (futimens does not).
    public func setTimes(_ name: UnsafePointer<CChar>, access: timespec, modification: timespec,
                         followSymlinks: Bool, emptyPath: Bool = false) throws(Errno) {
        var times = (access, modification)
        let flags = (followSymlinks ? 0 : AT_SYMLINK_NOFOLLOW) | (emptyPath ? AT_EMPTY_PATH : 0)
        _ = try withUnsafePointer(to: &times) { (pointer) throws(Errno) in
            try pointer.withMemoryRebound(to: timespec.self, capacity: 2) { (times) throws(Errno) in
                try retryingOnInterrupt { Glibc.utimensat(rawValue, name, times, flags) }
            }
        }
    }
}
