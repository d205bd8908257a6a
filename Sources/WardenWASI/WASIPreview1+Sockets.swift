// Glibc for types only: MSG_PEEK, MSG_WAITALL
import Glibc
import WardenSystem

/// sock_* on sockets the launcher handed in (listeners) and the connections they accept.
extension WASIPreview1 {
    public func sockAccept(_ memory: GuestMemory, fd: UInt32, flags: UInt16, result: UInt32) throws(WASIErrno) {
        let listener = try socket(fd, .sockAccept, "sock_accept")
        guard FdFlags(rawValue: flags).isSubset(of: .nonblock) else { throw .inval }
        _ = try memory.bytes(at: result, count: 4)
        let connection: FileDescriptor
        do throws(Errno) { connection = try listener.host.accept(nonBlocking: FdFlags(rawValue: flags).contains(.nonblock)) } catch { throw WASIErrno(error) }
        let descriptor = Descriptor(host: connection, kind: .socket(listening: false), fileType: .socketStream,
                                    rights: .socket, inheriting: [], access: .readWrite, preopen: -1)
        let newFD: UInt32
        do throws(WASIErrno) { newFD = try table.insert(descriptor) } catch {
            try? connection.close()
            throw deny("sock_accept", fd: fd, descriptor: listener, path: nil, .resourceLimit, error)
        }
        try memory.store(newFD, at: result)
    }

    public func sockRecv(_ memory: GuestMemory, fd: UInt32, iovs: UInt32, iovsCount: UInt32, flags: UInt16,
                         dataLength: UInt32, resultFlags: UInt32) throws(WASIErrno) {
        let descriptor = try socket(fd, .fdRead, "sock_recv")
        guard flags & ~3 == 0 else { throw .inval }
        var hostFlags: Int32 = 0
        if flags & 1 != 0 { hostFlags |= Int32(MSG_PEEK) }
        if flags & 2 != 0 { hostFlags |= Int32(MSG_WAITALL) }
        _ = try memory.bytes(at: dataLength, count: 4)
        _ = try memory.bytes(at: resultFlags, count: 2)
        let (count, truncated) = try IOVectors.with(memory, at: iovs, count: iovsCount) { (vectors) throws(WASIErrno) in
            do throws(Errno) { return try descriptor.host.receive(vectors, flags: hostFlags) } catch { throw WASIErrno(error) }
        }
        try memory.store(UInt32(count), at: dataLength)
        try memory.store(UInt16(truncated ? 1 : 0), at: resultFlags)
    }

    public func sockSend(_ memory: GuestMemory, fd: UInt32, iovs: UInt32, iovsCount: UInt32, flags: UInt16,
                         dataLength: UInt32) throws(WASIErrno) {
        let descriptor = try socket(fd, .fdWrite, "sock_send")
        guard flags == 0 else { throw .inval }
        _ = try memory.bytes(at: dataLength, count: 4)
        let count = try IOVectors.with(memory, at: iovs, count: iovsCount) { (vectors) throws(WASIErrno) in
            do throws(Errno) { return try descriptor.host.send(vectors) } catch { throw WASIErrno(error) }
        }
        try memory.store(UInt32(count), at: dataLength)
    }

    /// The socket at `fd` holding `needed`. What is not a socket is `notsock` before any
    /// right is looked at (POSIX's answer, and the suite's): stdout has no `sock_shutdown`
    /// right, but asking it to shut down is a category error, not a missing capability.
    private func socket(_ fd: UInt32, _ needed: Rights, _ operation: StaticString) throws(WASIErrno) -> Descriptor {
        guard case .socket = try table.get(fd).kind else { throw .notsock }
        return try descriptor(fd, needed, operation)
    }

    public func sockShutdown(fd: UInt32, how: UInt8) throws(WASIErrno) {
        let descriptor = try socket(fd, .sockShutdown, "sock_shutdown")
        guard how != 0, how & ~3 == 0 else { throw .inval }
        do throws(Errno) { try descriptor.host.shutdown(reading: how & 1 != 0, writing: how & 2 != 0) } catch { throw WASIErrno(error) }
    }
}
