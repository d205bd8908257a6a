// Glibc for types only: O_* open flags, EPERM/EACCES
import Glibc
import WardenSystem

extension WASIPreview1 {
    /// The WASI errno for a host failure of an operation this layer allowed. EACCES or EPERM
    /// where the mode bits allow the access means a kernel layer below (Landlock) refused it:
    /// that is reported (`recordKernelRefusal`), because it shows a gap in this layer. A
    /// refusal the mode bits explain is ordinary file permissions and is not reported.
    func hostFailure(_ error: Errno, _ operation: StaticString, fd: UInt32, directory: Descriptor, path: GuestPath,
                     modeAllows: () -> Bool) -> WASIErrno {
        if let auditor, error.rawValue == EACCES || error.rawValue == EPERM, modeAllows() {
            auditor.recordKernelRefusal(KernelRefusal(operation: "\(operation)", fd: fd, preopen: preopenPath(of: directory),
                                                      path: path.text, errno: error.rawValue))
        }
        return WASIErrno(error)
    }

    /// Whether mode bits allow opening `path` beneath `directory` with `flags`: the file's own
    /// bits when it exists, else (creating) write and search on its parent.
    func modeAllowsOpen(_ directory: Descriptor, _ path: GuestPath, flags: Int32) -> Bool {
        let access = flags & O_ACCMODE
        let write = access != O_RDONLY || flags & O_TRUNC != 0
        let read = access != O_WRONLY
        do throws(Errno) {
            let handle = try directory.host.open(path.cString, flags: O_PATH | O_NOFOLLOW)
            defer { try? handle.close() }
            return try handle.status().modePermits(read: read, write: write)
        } catch {
            guard error == .noSuchFile else { return false }
            return modeAllowsChange(in: directory, path)
        }
    }

    /// Whether mode bits allow creating or removing an entry of `path`'s parent directory.
    func modeAllowsChange(in directory: Descriptor, _ path: GuestPath) -> Bool {
        let text = path.text
        let parent = text.lastIndex(of: "/").map { String(text[..<$0]) } ?? "."
        do throws(Errno) {
            let handle = try directory.host.open(parent.isEmpty ? "." : parent, flags: O_PATH | O_DIRECTORY)
            defer { try? handle.close() }
            return try handle.status().modePermits(read: false, write: true, execute: true)
        } catch {
            return false
        }
    }
}
