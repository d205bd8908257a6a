// Glibc for types only: O_* open flags
import Glibc
import WardenSystem

extension WASIPreview1 {
    /// `path_open`: the one way a guest gains a new descriptor from a path.
    public func pathOpen(_ memory: GuestMemory, fd: UInt32, lookupFlags: UInt32, path: UInt32, pathLength: UInt32,
                         oflags rawOFlags: UInt16, rightsBase: UInt64, rightsInheriting: UInt64,
                         fdflags rawFdFlags: UInt16, result: UInt32) throws(WASIErrno) {
        let oflags = OFlags(rawValue: rawOFlags), fdflags = FdFlags(rawValue: rawFdFlags)
        guard OFlags([.create, .directory, .exclusive, .truncate]).isSuperset(of: oflags),
              FdFlags([.append, .dsync, .nonblock, .rsync, .sync]).isSuperset(of: fdflags) else { throw .inval }
        let requested = Rights(rawValue: rightsBase).intersection(.all)
        let requestedInheriting = Rights(rawValue: rightsInheriting).intersection(.all)
        // The result slot is checked before anything is opened, so a bad pointer never leaks an fd.
        _ = try memory.bytes(at: result, count: 4)

        try memory.withPath(at: path, length: pathLength) { (guestPath) throws(WASIErrno) in
            var needed: Rights = .pathOpen
            if oflags.contains(.create) { needed.insert(.pathCreateFile) }
            if oflags.contains(.truncate) { needed.insert(.pathFilestatSetSize) }
            let directory = try self.directory(fd, needed, "path_open", path: guestPath)

            // Write intent is judged from what the guest asked for, before any narrowing: a
            // read-only grant refuses it at open, as a read-only mount does, so no descriptor
            // that was meant to write ever exists beneath it. (Creating and truncating were
            // already refused above: the grant's directories hold no right to either.) Read-only
            // preopens advertise write rights among their inheriting rights precisely so that
            // this intent reaches here: wasi-libc masks what it asks for with them.
            // fd_datasync is not among them: it is a reading right too, and counting it would
            // open every file under a read-only grant for writing on the host.
            let writeRights: Rights = [.fdWrite, .fdAllocate, .fdFilestatSetSize]
            let asksWrite = !requested.isDisjoint(with: writeRights) || fdflags.contains(.append)
            if directory.access == .read && asksWrite {
                throw deny("path_open", fd: fd, descriptor: directory, path: guestPath.text, .readOnly)
            }
            // Rights flow down and narrow: a new descriptor holds what was asked for *and* its
            // directory passes on, never more; asking for more is not an error (callers pass
            // all-ones inheriting rights), as in wasmtime.
            let granted = requested.intersection(directory.inheriting)
            let grantedInheriting = requestedInheriting.intersection(directory.inheriting)
            if fdflags.contains(.append) || fdflags.contains(.sync) || fdflags.contains(.dsync) {
                guard granted.contains(.fdWrite) else {
                    throw deny("path_open", fd: fd, descriptor: directory, path: guestPath.text,
                               directory.access == .read ? .readOnly : .rights)
                }
            }

            let wantsRead = !granted.isDisjoint(with: [.fdRead, .fdReaddir])
            let wantsWrite = !granted.isDisjoint(with: writeRights) || fdflags.contains(.append)
            // A directory asked for with write rights is opened for writing too, so the kernel
            // answers EISDIR as it would for open(2) (and ENOTDIR for a file).
            let access = wantsWrite ? (wantsRead ? O_RDWR : O_WRONLY) : O_RDONLY
            var flags: Int32 = oflags.contains(.directory) ? access | O_DIRECTORY : access
            if oflags.contains(.create) { flags |= O_CREAT }
            if oflags.contains(.exclusive) { flags |= O_EXCL }
            if oflags.contains(.truncate) { flags |= O_TRUNC }
            if fdflags.contains(.append) { flags |= O_APPEND }
            if fdflags.contains(.nonblock) { flags |= O_NONBLOCK }
            if fdflags.contains(.sync) || fdflags.contains(.rsync) { flags |= O_SYNC } else if fdflags.contains(.dsync) { flags |= O_DSYNC }
            if !LookupFlags(rawValue: lookupFlags).contains(.symlinkFollow) { flags |= O_NOFOLLOW }

            let host = try openBeneath(directory, fd: fd, guestPath, flags: flags, mode: 0o666, operation: "path_open")
            // With O_DIRECTORY the kernel guaranteed a directory; otherwise the kind is settled
            // on first need, so the common open+read+close costs no fstat.
            let isDirectory = oflags.contains(.directory)
            var rights = granted.intersection(
                Self.rightsLimit(directory: true, access: directory.access)
                    .union(isDirectory ? [] : Self.rightsLimit(directory: false, access: directory.access)))
            // A descriptor the kernel opened read-only cannot write, whatever was asked.
            if flags & O_ACCMODE == O_RDONLY { rights.subtract([.fdWrite, .fdAllocate, .fdFilestatSetSize]) }
            if flags & O_ACCMODE == O_WRONLY { rights.subtract([.fdRead, .fdReaddir]) }
            let descriptor = Descriptor(host: host, kind: isDirectory ? .directory : .pending,
                                        fileType: isDirectory ? .directory : .unknown,
                                        rights: rights, inheriting: grantedInheriting,
                                        access: directory.access, preopen: directory.preopen,
                                        fdflags: fdflags.normalized)
            let newFD: UInt32
            do throws(WASIErrno) { newFD = try table.insert(descriptor) } catch {
                try? host.close()
                throw deny("path_open", fd: fd, descriptor: directory, path: guestPath.text, .resourceLimit, error)
            }
            try memory.store(newFD, at: result)
            if observer != nil {
                // What the open allows is what a policy must grant, used or not.
                observedPaths[newFD] = observedPath(fd, guestPath)
                peakOpenDescriptors = max(peakOpenDescriptors, table.openCount)
                if oflags.contains(.create) { observe(fd, directory, guestPath, .created) }
                if wantsWrite || oflags.contains(.truncate) { observe(fd, directory, guestPath, .written) }
                if wantsRead && !oflags.contains(.directory) { observe(fd, directory, guestPath, .read) }
            }
        }
    }
}
