// Glibc for types only: DT_* entry types
import Glibc
import WardenSystem

extension WASIPreview1 {
    /// `fd_readdir`. Cookies are entry indices, as in wasmtime: "." is entry 0, ".." entry 1,
    /// then the kernel's entries in getdents64 order (its own "." and ".." skipped). The
    /// descriptor remembers where the next cookie starts, so sequential reads never rescan;
    /// any other cookie rewinds and skips.
    public func fdReaddir(_ memory: GuestMemory, fd: UInt32, buffer: UInt32, bufferLength: UInt32, cookie: UInt64,
                          used: UInt32) throws(WASIErrno) {
        _ = try resolved(fd)
        let descriptor = try self.descriptor(fd, .fdReaddir, "fd_readdir")
        guard descriptor.kind == .directory else { throw .notdir }
        if cookie == 0 { observe(fd, descriptor, nil, .listed) }
        let output = try memory.bytes(at: buffer, count: bufferLength)
        _ = try memory.bytes(at: used, count: 4)
        var writer = DirentWriter(output: output)

        var index: UInt64 = 0
        let ownStatus: FileStatus
        do throws(Errno) { ownStatus = try descriptor.host.status() } catch { throw WASIErrno(error) }
        for dot in [".", ".."] {
            if index >= cookie {
                guard writer.append(next: index + 1, inode: ownStatus.inode, type: .directory, name: dot) else {
                    return try memory.store(writer.used, at: used)
                }
            }
            index += 1
        }

        var kernelOffset: Int64 = 0
        if cookie > 2, cookie == descriptor.readdirCookie {
            index = cookie
            kernelOffset = descriptor.readdirKernelOffset
        }
        do throws(Errno) { _ = try descriptor.host.seek(offset: kernelOffset, from: .start) } catch { throw WASIErrno(error) }

        var finished = false
        while !finished {
            let count: Int
            do throws(Errno) { count = try descriptor.host.readDirectoryEntries(into: scratch) } catch { throw WASIErrno(error) }
            if count == 0 { break }
            forEachDirectoryEntry(in: UnsafeRawBufferPointer(rebasing: scratch[0..<count])) { entry in
                let entryStart = kernelOffset
                kernelOffset = entry.nextOffset
                if Self.isDotOrDotDot(entry.name) { return true }
                defer { index += 1 }
                if index < cookie { return true }
                var type = Self.fileType(direntType: entry.type)
                if type == .unknown, entry.type == DT_UNKNOWN {
                    type = (try? withName(entry.name) { (name) throws(Errno) in try descriptor.host.status(of: name, followSymlinks: false) })
                        .map { FileType(status: $0) } ?? .unknown
                }
                if !writer.append(next: index + 1, inode: entry.inode, type: type, name: entry.name) {
                    // Remember where this entry starts so the guest's retry resumes without a rescan.
                    try? table.update(fd) { $0.readdirCookie = index; $0.readdirKernelOffset = entryStart }
                    finished = true
                    return false
                }
                return true
            }
        }
        try memory.store(writer.used, at: used)
    }

    private static func isDotOrDotDot(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        (name.count == 1 && name[0] == UInt8(ascii: ".")) || (name.count == 2 && name[0] == UInt8(ascii: ".") && name[1] == UInt8(ascii: "."))
    }

    static func fileType(direntType: UInt8) -> FileType {
        switch Int32(direntType) {
        case Int32(DT_BLK): .blockDevice
        case Int32(DT_CHR): .characterDevice
        case Int32(DT_DIR): .directory
        case Int32(DT_REG): .regularFile
        case Int32(DT_LNK): .symbolicLink
        case Int32(DT_SOCK): .socketStream
        default: .unknown
        }
    }

    private func withName<R>(_ name: UnsafeBufferPointer<UInt8>, _ body: (UnsafePointer<CChar>) throws(Errno) -> R) throws(Errno) -> R {
        // getdents64 names are NUL-terminated in place.
        try body(UnsafeRawPointer(name.baseAddress!).assumingMemoryBound(to: CChar.self))
    }
}

/// Packs WASI dirents into the guest's buffer; the last one may be cut short, which tells
/// wasi-libc to retry with a larger buffer from that entry's cookie.
struct DirentWriter {
    let output: UnsafeMutableRawBufferPointer
    var used: UInt32 = 0

    /// Returns false once the buffer is full (after writing as much of this entry as fits).
    mutating func append(next: UInt64, inode: UInt64, type: FileType, name: UnsafeBufferPointer<UInt8>) -> Bool {
        // On the stack: readdir writes one header per entry, and a heap array each was measurable.
        let fits = withUnsafeTemporaryAllocation(byteCount: Layout.direntHeaderSize, alignment: 8) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.storeBytes(of: next.littleEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: inode.littleEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: UInt32(name.count).littleEndian, toByteOffset: 16, as: UInt32.self)
            raw.storeBytes(of: type.rawValue, toByteOffset: 20, as: UInt8.self)
            return put(UnsafeRawBufferPointer(raw))
        }
        if !fits { return false }
        return put(UnsafeRawBufferPointer(name))
    }

    mutating func append(next: UInt64, inode: UInt64, type: FileType, name: String) -> Bool {
        var name = name
        return name.withUTF8 { append(next: next, inode: inode, type: type, name: $0) }
    }

    private mutating func put(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let room = output.count - Int(used)
        let count = min(room, bytes.count)
        if count > 0, let source = bytes.baseAddress {
            (output.baseAddress! + Int(used)).copyMemory(from: source, byteCount: count)
        }
        used += UInt32(count)
        return count == bytes.count && Int(used) < output.count
    }
}
