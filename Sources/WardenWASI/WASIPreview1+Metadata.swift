// Glibc for types only: timespec, O_APPEND/O_DSYNC/O_SYNC/O_NONBLOCK flags
import Glibc
import WardenSystem

/// fdstat, filestat and prestat: what a descriptor is and what it may do.
extension WASIPreview1 {
    public func fdFdstatGet(_ memory: GuestMemory, fd: UInt32, result: UInt32) throws(WASIErrno) {
        let descriptor = try resolved(fd)
        var flags: FdFlags
        if let cached = descriptor.fdflags {
            flags = cached
        } else {
            let hostFlags: Int32
            do throws(Errno) { hostFlags = try descriptor.host.statusFlags() } catch { throw WASIErrno(error) }
            flags = []
            if hostFlags & O_APPEND != 0 { flags.insert(.append) }
            if hostFlags & O_NONBLOCK != 0 { flags.insert(.nonblock) }
            if hostFlags & O_SYNC == O_SYNC { flags.insert([.sync, .rsync]) } else if hostFlags & O_DSYNC != 0 { flags.insert(.dsync) }
        }
        _ = try memory.bytes(at: result, count: UInt32(Layout.fdstatSize)).initializeMemory(as: UInt8.self, repeating: 0)
        try memory.store(descriptor.fileType.rawValue, at: result)
        try memory.store(flags.rawValue, at: result &+ 2)
        try memory.store(descriptor.rights.rawValue, at: result &+ 8)
        try memory.store(descriptor.inheriting.rawValue, at: result &+ 16)
    }

    /// Only `append` and `nonblock` can change after open; the sync flags are fixed by Linux.
    public func fdFdstatSetFlags(fd: UInt32, flags raw: UInt16) throws(WASIErrno) {
        let descriptor = try self.descriptor(fd, .fdFdstatSetFlags, "fd_fdstat_set_flags")
        let flags = FdFlags(rawValue: raw)
        guard FdFlags([.append, .nonblock, .dsync, .rsync, .sync]).isSuperset(of: flags) else { throw .inval }
        if flags.contains(.append), !descriptor.rights.contains(.fdWrite) {
            throw deny("fd_fdstat_set_flags", fd: fd, descriptor: descriptor, path: nil,
                       descriptor.access == .read ? .readOnly : .rights)
        }
        do {
            let current = try descriptor.host.statusFlags()
            let syncBits = O_SYNC | O_DSYNC
            var wantedSync: Int32 = 0
            if flags.contains(.sync) || flags.contains(.rsync) { wantedSync = O_SYNC } else if flags.contains(.dsync) { wantedSync = O_DSYNC }
            guard current & syncBits == wantedSync else { throw WASIErrno.notsup }
            var updated = current & ~(O_APPEND | O_NONBLOCK)
            if flags.contains(.append) { updated |= O_APPEND }
            if flags.contains(.nonblock) { updated |= O_NONBLOCK }
            try descriptor.host.setStatusFlags(updated)
            if descriptor.fdflags != nil { try table.update(fd) { $0.fdflags = flags.normalized } }
        } catch let error as WASIErrno {
            throw error
        } catch let error as Errno {
            throw WASIErrno(error)
        } catch {
            throw .io
        }
    }

    /// Rights can only be dropped, never gained.
    public func fdFdstatSetRights(fd: UInt32, rights: UInt64, inheriting: UInt64) throws(WASIErrno) {
        let descriptor = try table.get(fd)
        let newRights = Rights(rawValue: rights), newInheriting = Rights(rawValue: inheriting)
        guard descriptor.rights.isSuperset(of: newRights), descriptor.inheriting.isSuperset(of: newInheriting) else {
            throw deny("fd_fdstat_set_rights", fd: fd, descriptor: descriptor, path: nil, .rights)
        }
        try table.update(fd) { $0.rights = newRights; $0.inheriting = newInheriting }
    }

    public func fdFilestatGet(_ memory: GuestMemory, fd: UInt32, result: UInt32) throws(WASIErrno) {
        let descriptor = try self.descriptor(fd, .fdFilestatGet, "fd_filestat_get")
        let status: FileStatus
        do throws(Errno) { status = try descriptor.host.status() } catch { throw WASIErrno(error) }
        try storeFilestat(memory, status, at: result, socketType: descriptor.fileType)
    }

    public func fdFilestatSetSize(fd: UInt32, size: UInt64) throws(WASIErrno) {
        let descriptor = try self.descriptor(fd, .fdFilestatSetSize, "fd_filestat_set_size")
        guard let length = Int64(exactly: size) else { throw .fbig }
        do throws(Errno) { try descriptor.host.truncate(size: length) } catch { throw WASIErrno(error) }
    }

    public func fdFilestatSetTimes(fd: UInt32, accessTime: UInt64, modificationTime: UInt64, flags: UInt16) throws(WASIErrno) {
        let descriptor = try self.descriptor(fd, .fdFilestatSetTimes, "fd_filestat_set_times")
        let (access, modification) = try Self.hostTimes(accessTime, modificationTime, flags)
        do {
            try descriptor.host.setTimes("", access: access, modification: modification, followSymlinks: true, emptyPath: true)
        } catch { throw WASIErrno(error) }
    }

    public func fdPrestatGet(_ memory: GuestMemory, fd: UInt32, result: UInt32) throws(WASIErrno) {
        guard let name = preopenName(of: try table.get(fd)) else { throw .badf }
        try memory.store(UInt32(0), at: result)  // tag: dir (and zeroed padding)
        try memory.store(UInt32(name.utf8.count), at: result &+ 4)
    }

    public func fdPrestatDirName(_ memory: GuestMemory, fd: UInt32, path: UInt32, length: UInt32) throws(WASIErrno) {
        guard let name = preopenName(of: try table.get(fd)) else { throw .badf }
        let bytes = Array(name.utf8)
        guard Int(length) >= bytes.count else { throw .nametoolong }
        try memory.copy(bytes, to: path)
    }

    // MARK: Shared encoders

    func storeFilestat(_ memory: GuestMemory, _ status: FileStatus, at result: UInt32, socketType: FileType? = nil) throws(WASIErrno) {
        _ = try memory.bytes(at: result, count: UInt32(Layout.filestatSize)).initializeMemory(as: UInt8.self, repeating: 0)
        var type = FileType(status: status)
        if type == .socketStream, let socketType, socketType == .socketDgram { type = .socketDgram }
        try memory.store(status.device, at: result)
        try memory.store(status.inode, at: result &+ 8)
        try memory.store(type.rawValue, at: result &+ 16)
        try memory.store(status.linkCount, at: result &+ 24)
        try memory.store(UInt64(bitPattern: status.size), at: result &+ 32)
        try memory.store(Self.nanoseconds(status.accessTime), at: result &+ 40)
        try memory.store(Self.nanoseconds(status.modificationTime), at: result &+ 48)
        try memory.store(Self.nanoseconds(status.changeTime), at: result &+ 56)
    }

    /// utimensat's special nanosecond values (the C macros do not import into Swift).
    static let utimeNow = (1 << 30) - 1
    static let utimeOmit = (1 << 30) - 2

    static func nanoseconds(_ time: timespec) -> UInt64 {
        UInt64(bitPattern: Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec))
    }

    /// fstflags → the two timespecs utimensat takes (UTIME_NOW / UTIME_OMIT where asked).
    static func hostTimes(_ accessTime: UInt64, _ modificationTime: UInt64, _ raw: UInt16) throws(WASIErrno) -> (timespec, timespec) {
        let flags = FstFlags(rawValue: raw)
        guard FstFlags([.accessTime, .accessTimeNow, .modificationTime, .modificationTimeNow]).isSuperset(of: flags),
              !flags.isSuperset(of: [.accessTime, .accessTimeNow]),
              !flags.isSuperset(of: [.modificationTime, .modificationTimeNow]) else { throw .inval }
        func time(_ value: UInt64, set: Bool, now: Bool) -> timespec {
            if now { return timespec(tv_sec: 0, tv_nsec: Self.utimeNow) }
            if !set { return timespec(tv_sec: 0, tv_nsec: Self.utimeOmit) }
            return timespec(tv_sec: Int(value / 1_000_000_000), tv_nsec: Int(value % 1_000_000_000))
        }
        return (time(accessTime, set: flags.contains(.accessTime), now: flags.contains(.accessTimeNow)),
                time(modificationTime, set: flags.contains(.modificationTime), now: flags.contains(.modificationTimeNow)))
    }
}
