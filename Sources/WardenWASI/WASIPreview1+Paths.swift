// Glibc for types only: O_PATH, O_DIRECTORY open flags
import Glibc
import WardenSystem

/// path_* calls other than path_open. Each resolves its parent beneath the directory
/// descriptor and acts on one final component that the kernel will not follow.
extension WASIPreview1 {
    public func pathCreateDirectory(_ memory: GuestMemory, fd: UInt32, path: UInt32, pathLength: UInt32) throws(WASIErrno) {
        try memory.withPath(at: path, length: pathLength) { (guestPath) throws(WASIErrno) in
            let directory = try self.directory(fd, .pathCreateDirectory, "path_create_directory", path: guestPath)
            let target = try resolveParent(directory, fd: fd, guestPath, operation: "path_create_directory")
            do throws(Errno) { try target.parent.makeDirectory(target.name, mode: 0o777) } catch {
                throw hostFailure(error, "path_create_directory", fd: fd, directory: directory, path: guestPath, writes: true)
            }
            observe(fd, directory, guestPath, .created)
        }
    }

    public func pathRemoveDirectory(_ memory: GuestMemory, fd: UInt32, path: UInt32, pathLength: UInt32) throws(WASIErrno) {
        try memory.withPath(at: path, length: pathLength) { (guestPath) throws(WASIErrno) in
            let directory = try self.directory(fd, .pathRemoveDirectory, "path_remove_directory", path: guestPath)
            let target = try resolveParent(directory, fd: fd, guestPath, operation: "path_remove_directory")
            do throws(Errno) { try target.parent.unlink(target.name, directory: true) } catch {
                throw hostFailure(error, "path_remove_directory", fd: fd, directory: directory, path: guestPath, writes: true)
            }
            observe(fd, directory, guestPath, .deleted)
        }
    }

    public func pathUnlinkFile(_ memory: GuestMemory, fd: UInt32, path: UInt32, pathLength: UInt32) throws(WASIErrno) {
        try memory.withPath(at: path, length: pathLength) { (guestPath) throws(WASIErrno) in
            let directory = try self.directory(fd, .pathUnlinkFile, "path_unlink_file", path: guestPath)
            let target = try resolveParent(directory, fd: fd, guestPath, operation: "path_unlink_file")
            if target.trailingSlash {
                // "name/" names a directory: EISDIR if it is one, ENOTDIR otherwise (as Linux).
                let status: FileStatus
                do throws(Errno) { status = try target.parent.status(of: target.name, followSymlinks: false) } catch { throw WASIErrno(error) }
                throw status.isDirectory ? .isdir : .notdir
            }
            do throws(Errno) { try target.parent.unlink(target.name, directory: false) } catch {
                throw hostFailure(error, "path_unlink_file", fd: fd, directory: directory, path: guestPath, writes: true)
            }
            observe(fd, directory, guestPath, .deleted)
        }
    }

    public func pathFilestatGet(_ memory: GuestMemory, fd: UInt32, flags: UInt32, path: UInt32, pathLength: UInt32,
                                result: UInt32) throws(WASIErrno) {
        _ = try memory.bytes(at: result, count: UInt32(Layout.filestatSize))
        let status = try memory.withPath(at: path, length: pathLength) { (guestPath) throws(WASIErrno) -> FileStatus in
            let directory = try self.directory(fd, .pathFilestatGet, "path_filestat_get", path: guestPath)
            let status = try withFinalObject(directory, fd: fd, guestPath, follow: LookupFlags(rawValue: flags).contains(.symlinkFollow),
                                             operation: "path_filestat_get") { (handle, name, emptyPath) throws(Errno) in
                emptyPath ? try handle.status() : try handle.status(of: name, followSymlinks: false)
            }
            // Only what succeeded: a refused escape must never read as a use of the grant.
            observe(fd, directory, guestPath, .stated)
            return status
        }
        try storeFilestat(memory, status, at: result)
    }

    public func pathFilestatSetTimes(_ memory: GuestMemory, fd: UInt32, flags: UInt32, path: UInt32, pathLength: UInt32,
                                     accessTime: UInt64, modificationTime: UInt64, fstFlags: UInt16) throws(WASIErrno) {
        let (access, modification) = try Self.hostTimes(accessTime, modificationTime, fstFlags)
        try memory.withPath(at: path, length: pathLength) { (guestPath) throws(WASIErrno) in
            let directory = try self.directory(fd, .pathFilestatSetTimes, "path_filestat_set_times", path: guestPath)
            try withFinalObject(directory, fd: fd, guestPath, follow: LookupFlags(rawValue: flags).contains(.symlinkFollow),
                                operation: "path_filestat_set_times") { (handle, name, emptyPath) throws(Errno) in
                try handle.setTimes(emptyPath ? Self.emptyString : name, access: access, modification: modification,
                                    followSymlinks: false, emptyPath: emptyPath)
            }
            observe(fd, directory, guestPath, .written)
        }
    }

    /// Calls `body` on the object a path names: either (parent, final name) without following
    /// a final symlink, or, when following (or with a trailing slash, which POSIX follows),
    /// an O_PATH descriptor opened beneath with `emptyPath == true`.
    private func withFinalObject<R>(_ directory: Descriptor, fd: UInt32, _ path: GuestPath, follow: Bool,
                                    operation: StaticString,
                                    _ body: (FileDescriptor, UnsafePointer<CChar>, Bool) throws(Errno) -> R) throws(WASIErrno) -> R {
        let trailingSlash = path.bytes.last == UInt8(ascii: "/")
        if follow || trailingSlash {
            let handle = try openBeneath(directory, fd: fd, path, flags: O_PATH | (trailingSlash ? O_DIRECTORY : 0),
                                         operation: operation)
            defer { try? handle.close() }
            do throws(Errno) { return try body(handle, "", true) } catch { throw WASIErrno(error) }
        }
        let target = try resolveParent(directory, fd: fd, path, operation: operation)
        do throws(Errno) { return try body(target.parent, target.name, false) } catch { throw WASIErrno(error) }
    }

    public func pathReadlink(_ memory: GuestMemory, fd: UInt32, path: UInt32, pathLength: UInt32,
                             buffer: UInt32, bufferLength: UInt32, used: UInt32) throws(WASIErrno) {
        let output = try memory.bytes(at: buffer, count: bufferLength)
        _ = try memory.bytes(at: used, count: 4)
        let count = try memory.withPath(at: path, length: pathLength) { (guestPath) throws(WASIErrno) -> Int in
            let directory = try self.directory(fd, .pathReadlink, "path_readlink", path: guestPath)
            let target = try resolveParent(directory, fd: fd, guestPath, operation: "path_readlink")
            if target.trailingSlash { throw .inval }
            // Read into host scratch first: a short guest buffer still gets a truncated copy.
            let length: Int
            do throws(Errno) { length = try target.parent.readLink(target.name, into: scratch) } catch { throw WASIErrno(error) }
            // An absolute target names a host path: reading it would leak host layout, and it
            // could never be followed beneath the grant anyway (wasmtime refuses it too).
            if length > 0, scratch[0] == UInt8(ascii: "/") {
                throw deny("path_readlink", fd: fd, descriptor: directory, path: guestPath.text, .absoluteSymlink)
            }
            observe(fd, directory, guestPath, .read)
            let copied = min(length, output.count)
            if copied > 0 { output.baseAddress!.copyMemory(from: scratch.baseAddress!, byteCount: copied) }
            return copied
        }
        try memory.store(UInt32(count), at: used)
    }

    /// A symlink with an absolute target is refused: it could only ever point out of the sandbox.
    public func pathSymlink(_ memory: GuestMemory, oldPath: UInt32, oldPathLength: UInt32, fd: UInt32,
                            newPath: UInt32, newPathLength: UInt32) throws(WASIErrno) {
        try memory.withPath(at: oldPath, length: oldPathLength) { (target) throws(WASIErrno) in
            try memory.withPath(at: newPath, length: newPathLength) { (guestPath) throws(WASIErrno) in
                let directory = try self.directory(fd, .pathSymlink, "path_symlink", path: guestPath)
                if target.isAbsolute {
                    throw deny("path_symlink", fd: fd, descriptor: directory, path: "\(guestPath.text) -> \(target.text)",
                               .absoluteSymlink)
                }
                guard !target.bytes.isEmpty else { throw .noent }
                let link = try resolveParent(directory, fd: fd, guestPath, operation: "path_symlink")
                if link.trailingSlash {
                    let exists = (try? link.parent.status(of: link.name, followSymlinks: false)) != nil
                    throw exists ? .exist : .noent
                }
                do throws(Errno) { try link.parent.makeSymlink(link.name, pointingTo: target.cString) } catch { throw WASIErrno(error) }
                observe(fd, directory, guestPath, .created)
            }
        }
    }

    /// Hard links never follow a symlink at the source (`symlink_follow` is `.inval`, as in wasmtime).
    public func pathLink(_ memory: GuestMemory, oldFD: UInt32, flags: UInt32, oldPath: UInt32, oldPathLength: UInt32,
                         newFD: UInt32, newPath: UInt32, newPathLength: UInt32) throws(WASIErrno) {
        try memory.withPath(at: oldPath, length: oldPathLength) { (source) throws(WASIErrno) in
            try memory.withPath(at: newPath, length: newPathLength) { (destination) throws(WASIErrno) in
                let from = try self.directory(oldFD, .pathLinkSource, "path_link", path: source)
                let to = try self.directory(newFD, .pathLinkTarget, "path_link", path: destination)
                guard !LookupFlags(rawValue: flags).contains(.symlinkFollow) else { throw .inval }
                let old = try resolveParent(from, fd: oldFD, source, operation: "path_link")
                let new = try resolveParent(to, fd: newFD, destination, operation: "path_link")
                // Trailing slashes answer as Linux's linkat does, without handing the kernel a
                // slash (which would follow a final symlink): on the source, a directory is
                // `perm` (no hard links to directories) and anything else `notdir`; on the
                // destination alone, the source is looked up and then the slash names a directory
                // link cannot create: `exist` if the name is taken, `noent` if not.
                if old.trailingSlash {
                    let status = try? old.parent.status(of: old.name, followSymlinks: false)
                    guard let status else { throw .noent }
                    throw status.isDirectory ? .perm : .notdir
                }
                if new.trailingSlash {
                    // The source is looked up first (a missing one is `noent` either way).
                    do throws(Errno) { _ = try old.parent.status(of: old.name, followSymlinks: false) } catch { throw WASIErrno(error) }
                    throw (try? new.parent.status(of: new.name, followSymlinks: false)) == nil ? .noent : .exist
                }
                do throws(Errno) { try old.parent.link(old.name, to: new.parent, new.name) } catch { throw WASIErrno(error) }
                observe(oldFD, from, source, .read)
                observe(newFD, to, destination, .created)
            }
        }
    }

    public func pathRename(_ memory: GuestMemory, fd: UInt32, oldPath: UInt32, oldPathLength: UInt32,
                           newFD: UInt32, newPath: UInt32, newPathLength: UInt32) throws(WASIErrno) {
        try memory.withPath(at: oldPath, length: oldPathLength) { (source) throws(WASIErrno) in
            try memory.withPath(at: newPath, length: newPathLength) { (destination) throws(WASIErrno) in
                let from = try self.directory(fd, .pathRenameSource, "path_rename", path: source)
                let to = try self.directory(newFD, .pathRenameTarget, "path_rename", path: destination)
                let old = try resolveParent(from, fd: fd, source, operation: "path_rename")
                let new = try resolveParent(to, fd: newFD, destination, operation: "path_rename")
                if old.trailingSlash || new.trailingSlash {
                    // A trailing slash on either side requires the source to be a directory.
                    let status: FileStatus
                    do throws(Errno) { status = try old.parent.status(of: old.name, followSymlinks: false) } catch { throw WASIErrno(error) }
                    guard status.isDirectory else { throw .notdir }
                }
                do throws(Errno) { try old.parent.rename(old.name, to: new.parent, new.name) } catch { throw WASIErrno(error) }
                observe(fd, from, source, .deleted)
                observe(newFD, to, destination, .created)
            }
        }
    }
}
