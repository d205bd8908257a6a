import WardenWASI

/// One host call decoded from the input. Every call may fail with a WASIErrno: that is an
/// answer, not a finding. Returns true when the guest ended (proc_exit, a fatal proc_raise).
enum Calls {
    static let count = 47

    static func one(_ input: inout Input, _ wasi: WASIPreview1, _ memory: GuestMemory, _ paths: [(UInt32, UInt32)]) -> Bool {
        func path() -> (UInt32, UInt32) {
            let pick = input.u8()
            if pick < 0xC0 { return paths[Int(pick) % paths.count] }
            return (input.pointer(), input.length())
        }
        func iovecs() -> (UInt32, UInt32) {
            let pick = input.u8()
            if pick < 0x80 { return (WASIHarness.iovecBase + UInt32(pick & 3) * 8, UInt32(pick >> 2 & 3)) }
            return (input.pointer(), input.length())
        }
        /// Rights: everything, read-only sets, nothing, or raw bits.
        func rights() -> UInt64 {
            switch input.u8() & 3 {
            case 0: return UInt64.max
            case 1: return 0x0000_0000_0420_0002 | 0x2000 | 0x4000  // fd_read, fd_readdir, path_open, ...
            case 2: return 0
            default: return input.u64()
            }
        }
        let selector = Int(input.u8()) % count
        do throws(WASIErrno) {
            switch selector {
            case 0:  // the guest writes its own memory: new paths, iovecs, subscriptions
                let offset = Int(input.u16())
                let length = Int(input.u8() & 63)
                for index in 0..<length where offset + index < WASIHarness.memorySize {
                    memory.base.storeBytes(of: input.u8(), toByteOffset: offset + index, as: UInt8.self)
                }
            case 1: try wasi.argsSizesGet(memory, count: input.pointer(), bufferSize: input.pointer())
            case 2: try wasi.argsGet(memory, pointers: input.pointer(), buffer: input.pointer())
            case 3: try wasi.environSizesGet(memory, count: input.pointer(), bufferSize: input.pointer())
            case 4: try wasi.environGet(memory, pointers: input.pointer(), buffer: input.pointer())
            case 5: try wasi.clockResGet(memory, id: UInt32(input.u8() & 7), result: input.pointer())
            case 6: try wasi.clockTimeGet(memory, id: UInt32(input.u8() & 7), precision: input.u64(), result: input.pointer())
            case 7: try wasi.randomGet(memory, buffer: input.pointer(), length: input.length())
            case 8: try wasi.schedYield()
            case 9:
                _ = wasi.procExit(code: input.u32())
                return true
            case 10:
                if try wasi.procRaise(signal: input.u8()) != nil { return true }
            case 11:
                let (iovs, count) = iovecs()
                try wasi.fdWrite(memory, fd: input.fd(), iovs: iovs, iovsCount: count, written: input.pointer())
            case 12:
                let (iovs, count) = iovecs()
                try wasi.fdRead(memory, fd: input.fd(), iovs: iovs, iovsCount: count, read: input.pointer())
            case 13:
                let (iovs, count) = iovecs()
                try wasi.fdPwrite(memory, fd: input.fd(), iovs: iovs, iovsCount: count, offset: input.u64() >> UInt64(input.u8() & 63), written: input.pointer())
            case 14:
                let (iovs, count) = iovecs()
                try wasi.fdPread(memory, fd: input.fd(), iovs: iovs, iovsCount: count, offset: input.u64() >> UInt64(input.u8() & 63), read: input.pointer())
            case 15: try wasi.fdSeek(memory, fd: input.fd(), offset: Int64(bitPattern: input.u64()) >> Int64(input.u8() & 63), whence: input.u8() & 3, result: input.pointer())
            case 16: try wasi.fdTell(memory, fd: input.fd(), result: input.pointer())
            case 17: try wasi.fdAdvise(fd: input.fd(), offset: input.u64(), length: input.u64(), advice: input.u8() & 7)
            case 18: try wasi.fdAllocate(fd: input.fd(), offset: input.u64() >> UInt64(input.u8() & 63), length: input.u64() >> UInt64(input.u8() & 63))
            case 19: try wasi.fdDatasync(fd: input.fd())
            case 20: try wasi.fdSync(fd: input.fd())
            case 21: try wasi.fdClose(fd: input.fd())
            case 22: try wasi.fdRenumber(fd: input.fd(), to: input.fd())
            case 23: try wasi.fdFdstatGet(memory, fd: input.fd(), result: input.pointer())
            case 24: try wasi.fdFdstatSetFlags(fd: input.fd(), flags: input.u16())
            case 25: try wasi.fdFdstatSetRights(fd: input.fd(), rights: rights(), inheriting: rights())
            case 26: try wasi.fdFilestatGet(memory, fd: input.fd(), result: input.pointer())
            case 27: try wasi.fdFilestatSetSize(fd: input.fd(), size: input.u64() >> UInt64(input.u8() & 63))
            case 28: try wasi.fdFilestatSetTimes(fd: input.fd(), accessTime: input.u64(), modificationTime: input.u64(), flags: input.u16() & 15)
            case 29: try wasi.fdPrestatGet(memory, fd: input.fd(), result: input.pointer())
            case 30: try wasi.fdPrestatDirName(memory, fd: input.fd(), path: input.pointer(), length: input.length())
            case 31:
                let fd = input.fd(), (p, n) = path()
                try wasi.pathOpen(memory, fd: fd, lookupFlags: UInt32(input.u8() & 1), path: p, pathLength: n,
                                  oflags: input.u16() & 0x1f, rightsBase: rights(), rightsInheriting: rights(),
                                  fdflags: input.u16() & 0x1f, result: input.pointer())
            case 32:
                let fd = input.fd(), (p, n) = path()
                try wasi.pathCreateDirectory(memory, fd: fd, path: p, pathLength: n)
            case 33:
                let fd = input.fd(), (p, n) = path()
                try wasi.pathRemoveDirectory(memory, fd: fd, path: p, pathLength: n)
            case 34:
                let fd = input.fd(), (p, n) = path()
                try wasi.pathUnlinkFile(memory, fd: fd, path: p, pathLength: n)
            case 35:
                let fd = input.fd(), (p, n) = path()
                try wasi.pathFilestatGet(memory, fd: fd, flags: UInt32(input.u8() & 1), path: p, pathLength: n, result: input.pointer())
            case 36:
                let fd = input.fd(), (p, n) = path()
                try wasi.pathFilestatSetTimes(memory, fd: fd, flags: UInt32(input.u8() & 1), path: p, pathLength: n,
                                              accessTime: input.u64(), modificationTime: input.u64(), fstFlags: input.u16() & 15)
            case 37:
                let fd = input.fd(), (p, n) = path()
                try wasi.pathReadlink(memory, fd: fd, path: p, pathLength: n, buffer: input.pointer(), bufferLength: input.length(), used: input.pointer())
            case 38:
                let (old, oldLength) = path(), fd = input.fd(), (p, n) = path()
                try wasi.pathSymlink(memory, oldPath: old, oldPathLength: oldLength, fd: fd, newPath: p, newPathLength: n)
            case 39:
                let oldFD = input.fd(), flags = UInt32(input.u8() & 1), (old, oldLength) = path(), newFD = input.fd(), (p, n) = path()
                try wasi.pathLink(memory, oldFD: oldFD, flags: flags, oldPath: old, oldPathLength: oldLength, newFD: newFD, newPath: p, newPathLength: n)
            case 40:
                let fd = input.fd(), (old, oldLength) = path(), newFD = input.fd(), (p, n) = path()
                try wasi.pathRename(memory, fd: fd, oldPath: old, oldPathLength: oldLength, newFD: newFD, newPath: p, newPathLength: n)
            case 41:
                let subscriptions = input.pointer(), count = input.length()
                boundClocks(memory, subscriptions, count)
                try wasi.pollOneoff(memory, input: subscriptions, output: input.pointer(), count: count, eventCount: input.pointer())
            case 42:
                try wasi.fdReaddir(memory, fd: input.fd(), buffer: input.pointer(), bufferLength: input.length(), cookie: UInt64(input.u8()), used: input.pointer())
            case 43: try wasi.sockAccept(memory, fd: input.fd(), flags: input.u16(), result: input.pointer())
            case 44:
                let (iovs, count) = iovecs()
                try wasi.sockRecv(memory, fd: input.fd(), iovs: iovs, iovsCount: count, flags: input.u16(), dataLength: input.pointer(), resultFlags: input.pointer())
            case 45:
                let (iovs, count) = iovecs()
                try wasi.sockSend(memory, fd: input.fd(), iovs: iovs, iovsCount: count, flags: input.u16(), dataLength: input.pointer())
            default: try wasi.sockShutdown(fd: input.fd(), how: input.u8())
            }
        } catch {
            // An errno for the guest.
        }
        return false
    }

    /// Clock subscriptions wait at most a millisecond, relative: the harness runs thousands of
    /// inputs a second, and a long sleep is the guest's right, not a bug.
    static func boundClocks(_ memory: GuestMemory, _ base: UInt32, _ count: UInt32) {
        for index in 0..<min(Int(count), 64) {
            let at = UInt64(base) + UInt64(index) * 48
            guard at + 48 <= UInt64(WASIHarness.memorySize) else { return }
            let offset = Int(at)
            guard memory.base.load(fromByteOffset: offset + 8, as: UInt8.self) == 0 else { continue }
            let timeout = memory.base.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)
            memory.base.storeBytes(of: min(timeout, 1_000_000), toByteOffset: offset + 24, as: UInt64.self)
            let flags = memory.base.loadUnaligned(fromByteOffset: offset + 40, as: UInt16.self)
            memory.base.storeBytes(of: flags & ~1, toByteOffset: offset + 40, as: UInt16.self)
        }
    }
}
