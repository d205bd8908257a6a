// Glibc for types only: POSIX_FADV_* advice values
import Glibc
import WardenSystem

/// fd_* calls that move bytes or positions.
extension WASIPreview1 {
    @inline(__always)
    public func fdWrite(_ memory: GuestMemory, fd: UInt32, iovs: UInt32, iovsCount: UInt32, written: UInt32) throws(WASIErrno) {
        let descriptor = try self.descriptor(fd, .fdWrite, "fd_write")
        _ = try memory.bytes(at: written, count: 4)  // before the write: a bad pointer must not lose data
        let count = try IOVectors.with(memory, at: iovs, count: iovsCount) { (vectors) throws(WASIErrno) in
            do throws(Errno) { return try descriptor.host.writev(UnsafeBufferPointer(vectors)) } catch { throw WASIErrno(error) }
        }
        try memory.store(UInt32(truncatingIfNeeded: count), at: written)
    }

    @inline(__always)
    public func fdRead(_ memory: GuestMemory, fd: UInt32, iovs: UInt32, iovsCount: UInt32, read: UInt32) throws(WASIErrno) {
        let descriptor = try self.descriptor(fd, .fdRead, "fd_read")
        guard descriptor.kind != .directory else { throw .isdir }
        _ = try memory.bytes(at: read, count: 4)
        let count = try IOVectors.with(memory, at: iovs, count: iovsCount) { (vectors) throws(WASIErrno) in
            do throws(Errno) { return try descriptor.host.readv(UnsafeBufferPointer(vectors)) } catch { throw WASIErrno(error) }
        }
        try memory.store(UInt32(truncatingIfNeeded: count), at: read)
    }

    public func fdPwrite(_ memory: GuestMemory, fd: UInt32, iovs: UInt32, iovsCount: UInt32, offset: UInt64, written: UInt32) throws(WASIErrno) {
        try refuseSeekingStream(fd)
        let descriptor = try self.descriptor(fd, [.fdWrite, .fdSeek], "fd_pwrite")
        _ = try memory.bytes(at: written, count: 4)
        guard let position = Int64(exactly: offset) else { throw .inval }
        let count = try IOVectors.with(memory, at: iovs, count: iovsCount) { (vectors) throws(WASIErrno) in
            do throws(Errno) { return try descriptor.host.pwritev(UnsafeBufferPointer(vectors), offset: position) } catch { throw WASIErrno(error) }
        }
        try memory.store(UInt32(truncatingIfNeeded: count), at: written)
    }

    public func fdPread(_ memory: GuestMemory, fd: UInt32, iovs: UInt32, iovsCount: UInt32, offset: UInt64, read: UInt32) throws(WASIErrno) {
        try refuseSeekingStream(fd)
        let descriptor = try self.descriptor(fd, [.fdRead, .fdSeek], "fd_pread")
        _ = try memory.bytes(at: read, count: 4)
        guard descriptor.kind != .directory else { throw .isdir }
        guard let position = Int64(exactly: offset) else { throw .inval }
        let count = try IOVectors.with(memory, at: iovs, count: iovsCount) { (vectors) throws(WASIErrno) in
            do throws(Errno) { return try descriptor.host.preadv(UnsafeBufferPointer(vectors), offset: position) } catch { throw WASIErrno(error) }
        }
        try memory.store(UInt32(truncatingIfNeeded: count), at: read)
    }

    public func fdSeek(_ memory: GuestMemory, fd: UInt32, offset: Int64, whence: UInt8, result: UInt32) throws(WASIErrno) {
        try refuseSeekingStream(fd)
        let needed: Rights = (offset == 0 && whence == 1) ? .fdTell : .fdSeek
        _ = try resolved(fd)
        let descriptor = try self.descriptor(fd, needed, "fd_seek")
        // A directory's position belongs to fd_readdir's cookies; seeking it would desync them.
        guard descriptor.kind != .directory else { throw .badf }
        _ = try memory.bytes(at: result, count: 8)
        let origin: FileDescriptor.SeekOrigin
        switch whence {
        case 0: origin = .start
        case 1: origin = .current
        case 2: origin = .end
        default: throw .inval
        }
        let position: Int64
        do throws(Errno) { position = try descriptor.host.seek(offset: offset, from: origin) } catch { throw WASIErrno(error) }
        try memory.store(UInt64(position), at: result)
    }

    public func fdTell(_ memory: GuestMemory, fd: UInt32, result: UInt32) throws(WASIErrno) {
        try refuseSeekingStream(fd)
        _ = try resolved(fd)
        let descriptor = try self.descriptor(fd, .fdTell, "fd_tell")
        guard descriptor.kind != .directory else { throw .badf }
        _ = try memory.bytes(at: result, count: 8)
        let position: Int64
        do throws(Errno) { position = try descriptor.host.seek(offset: 0, from: .current) } catch { throw WASIErrno(error) }
        try memory.store(UInt64(position), at: result)
    }

    /// Standard streams are streams to the guest (as in wasmtime): positions are `.spipe`, and
    /// the launcher's shared file offset (an audit log on stderr, say) is never moved.
    private func refuseSeekingStream(_ fd: UInt32) throws(WASIErrno) {
        if try table.get(fd).kind == .stream { throw .spipe }
    }

    public func fdAdvise(fd: UInt32, offset: UInt64, length: UInt64, advice: UInt8) throws(WASIErrno) {
        let descriptor = try self.descriptor(fd, .fdAdvise, "fd_advise")
        guard advice <= 5 else { throw .inval }
        guard let start = Int64(exactly: offset), let size = Int64(exactly: length) else { throw .inval }
        // witx advice order (normal, sequential, random, willneed, dontneed, noreuse) → POSIX_FADV_*.
        let host: [Int32] = [POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                             POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE]
        do throws(Errno) { try descriptor.host.advise(offset: start, length: size, advice: host[Int(advice)]) } catch { throw WASIErrno(error) }
    }

    public func fdAllocate(fd: UInt32, offset: UInt64, length: UInt64) throws(WASIErrno) {
        let descriptor = try self.descriptor(fd, .fdAllocate, "fd_allocate")
        guard let start = Int64(exactly: offset), let size = Int64(exactly: length),
              !start.addingReportingOverflow(size).overflow else { throw .inval }
        do throws(Errno) { try descriptor.host.allocate(offset: start, length: size) } catch { throw WASIErrno(error) }
    }

    public func fdDatasync(fd: UInt32) throws(WASIErrno) {
        let descriptor = try self.descriptor(fd, .fdDatasync, "fd_datasync")
        do throws(Errno) { try descriptor.host.dataSync() } catch { throw WASIErrno(error) }
    }

    public func fdSync(fd: UInt32) throws(WASIErrno) {
        let descriptor = try self.descriptor(fd, .fdSync, "fd_sync")
        do throws(Errno) { try descriptor.host.sync() } catch { throw WASIErrno(error) }
    }

    public func fdClose(fd: UInt32) throws(WASIErrno) {
        let descriptor = try table.remove(fd)
        if descriptor.ownsHost { try? descriptor.host.close() }
        if observer != nil { observedPaths[fd] = nil }
    }

    /// Moves `from` onto `to`, closing what `to` held. Both must be open (as in wasmtime);
    /// renumbering a descriptor onto itself is a no-op.
    public func fdRenumber(fd from: UInt32, to: UInt32) throws(WASIErrno) {
        let moving = try table.get(from)
        guard table.contains(to) else { throw .badf }
        if from == to { return }
        let replaced = try table.remove(to)
        if replaced.ownsHost { try? replaced.host.close() }
        _ = try table.remove(from)
        table.place(moving, at: to)
        if observer != nil { observedPaths[to] = observedPaths.removeValue(forKey: from) }
    }
}
