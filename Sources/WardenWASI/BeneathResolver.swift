// Glibc for types only: O_PATH, O_DIRECTORY, O_NOCTTY open flags
import Glibc
import WardenSystem

/// Resolution of guest paths beneath a directory descriptor.
///
/// Whole paths go to `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`, which refuses `..`
/// past the directory, absolute paths and symlinks leading out (EXDEV) and magic links
/// (ELOOP), race-free. Calls without resolve flags (`mkdirat`, `unlinkat`, ...) get a parent
/// resolved that way plus one final component that is never empty, `.`/`..` handled by the
/// kernel on an already-resolved directory, and never carries a trailing slash (a trailing
/// slash makes the kernel follow a final symlink, which would bypass the beneath check).
struct ParentAndName: ~Copyable {
    /// The resolved parent; closed on deinit unless it is the caller's own directory.
    let parent: FileDescriptor
    let ownsParent: Bool
    /// NUL-terminated final component (points into the caller's `GuestPath` or a constant).
    let name: UnsafePointer<CChar>
    /// The guest wrote a trailing slash: the final component must be a directory.
    let trailingSlash: Bool

    deinit { if ownsParent { try? parent.close() } }
}

extension WASIPreview1 {
    /// openat2 beneath `directory`; EXDEV becomes a reported escape attempt.
    func openBeneath(_ directory: Descriptor, fd: UInt32, _ path: GuestPath, flags: Int32, mode: UInt32 = 0,
                     operation: StaticString, auditPath: String? = nil) throws(WASIErrno) -> FileDescriptor {
        if path.isAbsolute { throw deny(operation, fd: fd, descriptor: directory, path: auditPath ?? path.text, .escapeAttempt) }
        do {
            // openat2 rejects O_PATH combined with anything but O_DIRECTORY/O_NOFOLLOW/O_CLOEXEC.
            let extra = flags & O_PATH != 0 ? 0 : O_NOCTTY
            return try directory.host.open(path.cString, flags: flags | extra, mode: mode)
        } catch {
            if error == .crossDevice {
                throw deny(operation, fd: fd, descriptor: directory, path: auditPath ?? path.text, .escapeAttempt)
            }
            if error == .tooManySymlinks, isMagicLinkEscape(directory, path) {
                throw deny(operation, fd: fd, descriptor: directory, path: auditPath ?? path.text, .escapeAttempt)
            }
            let writes = flags & O_ACCMODE != O_RDONLY || flags & (O_CREAT | O_TRUNC) != 0
            throw hostFailure(error, operation, fd: fd, directory: directory, path: path, writes: writes)
        }
    }

    /// ELOOP is either a real loop, a final symlink under O_NOFOLLOW, or a magic link
    /// (/proc/self/root, /proc/self/fd/N) refused by RESOLVE_NO_MAGICLINKS. Resolving once
    /// more with RESOLVE_BENEATH alone tells them apart: the kernel answers EXDEV for a magic
    /// link it may not follow beneath. The probe descriptor is O_PATH and closed at once.
    private func isMagicLinkEscape(_ directory: Descriptor, _ path: GuestPath) -> Bool {
        func probe(_ resolve: ResolveFlags) -> Errno? {
            do throws(Errno) {
                try directory.host.open(path.cString, flags: O_PATH, resolve: resolve).close()
                return nil
            } catch {
                return error
            }
        }
        // Following with the same flags: a final symlink opened with O_NOFOLLOW resolves now
        // (or leaves beneath, EXDEV) — that ELOOP stays `loop`. A real loop or a magic link
        // still fails with ELOOP; only the magic link turns into EXDEV under BENEATH alone.
        guard probe([.beneath, .noMagicLinks]) == .tooManySymlinks else { return false }
        return probe([.beneath]) == .crossDevice
    }

    /// Splits `path` into a parent resolved beneath `directory` and a final component.
    func resolveParent(_ directory: Descriptor, fd: UInt32, _ path: GuestPath, operation: StaticString) throws(WASIErrno) -> ParentAndName {
        if path.isAbsolute { throw deny(operation, fd: fd, descriptor: directory, path: path.text, .escapeAttempt) }
        let bytes = path.bytes
        guard !bytes.isEmpty else { throw .noent }
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
        let trailingSlash = end < bytes.count
        let original = path.text
        // Cut the trailing slashes off in place: the final component is then NUL-terminated.
        // (The path is the call's own host copy; the NUL byte past `bytes` makes index `end` valid.)
        if end < bytes.count { bytes[end] = 0 }
        var start = end
        while start > 0, bytes[start - 1] != UInt8(ascii: "/") { start -= 1 }
        let name = UnsafeRawPointer(bytes.baseAddress! + start).assumingMemoryBound(to: CChar.self)
        let isDotOrDotDot = (end - start == 1 && bytes[start] == UInt8(ascii: "."))
            || (end - start == 2 && bytes[start] == UInt8(ascii: ".") && bytes[start + 1] == UInt8(ascii: "."))
        if isDotOrDotDot {
            // Resolve the whole path to a directory beneath, and act on "." inside it: the
            // kernel then gives the errno POSIX gives for "." (EEXIST, EINVAL, EISDIR, ...).
            let resolved = try openBeneath(directory, fd: fd, path, flags: O_PATH | O_DIRECTORY, operation: operation, auditPath: original)
            return ParentAndName(parent: resolved, ownsParent: true, name: Self.dot, trailingSlash: trailingSlash)
        }
        if start == 0 {
            return ParentAndName(parent: directory.host, ownsParent: false, name: name, trailingSlash: trailingSlash)
        }
        // Parent prefix (keeps its trailing slash, which openat2 treats as "must be a directory").
        let saved = bytes[start]
        bytes[start] = 0
        defer { bytes[start] = saved }
        let parentPath = GuestPath(bytes: UnsafeMutableBufferPointer(rebasing: bytes[0..<start]))
        let parent = try openBeneath(directory, fd: fd, parentPath, flags: O_PATH | O_DIRECTORY, operation: operation, auditPath: original)
        return ParentAndName(parent: parent, ownsParent: true, name: name, trailingSlash: trailingSlash)
    }

    nonisolated(unsafe) static let emptyString: UnsafePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        pointer[0] = 0
        return UnsafePointer(pointer)
    }()

    nonisolated(unsafe) static let dot: UnsafePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 2)
        pointer[0] = CChar(UInt8(ascii: "."))
        pointer[1] = 0
        return UnsafePointer(pointer)
    }()
}
