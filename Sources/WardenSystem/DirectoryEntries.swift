import CWardenLinux

/// One entry from getdents64, borrowed from the buffer it was read into.
public struct RawDirectoryEntry {
    public let inode: UInt64
    /// The kernel's cookie for the position after this entry (feed it to `seek` to resume).
    public let nextOffset: Int64
    public let type: UInt8
    public let name: UnsafeBufferPointer<UInt8>
}

extension FileDescriptor {
    /// Fills `buffer` with getdents64 records; returns the byte count (0 at the end).
    public func readDirectoryEntries(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retryingOnInterrupt { warden_getdents64(rawValue, buffer.baseAddress, buffer.count) }
    }
}

extension FileDescriptor {
    /// Every entry name in this directory, in the kernel's order ("." and ".." included), read
    /// from the current position to the end.
    public func entryNames() throws(Errno) -> [String] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 << 10, alignment: 8)
        defer { buffer.deallocate() }
        var names: [String] = []
        while true {
            let count = try readDirectoryEntries(into: buffer)
            if count == 0 { return names }
            forEachDirectoryEntry(in: UnsafeRawBufferPointer(rebasing: buffer[0..<count])) { entry in
                names.append(String(decoding: entry.name, as: UTF8.self))
                return true
            }
        }
    }
}

/// Walks the records getdents64 wrote, refusing malformed lengths rather than trusting them.
public func forEachDirectoryEntry(in buffer: UnsafeRawBufferPointer, _ body: (RawDirectoryEntry) -> Bool) {
    var offset = 0
    var parsed = warden_dirent()
    while offset < buffer.count, warden_dirent_at(buffer.baseAddress, buffer.count, offset, &parsed) == 0 {
        let nameLength = strnlen(parsed.name, Int(parsed.reclen))
        let name = UnsafeBufferPointer(start: UnsafeRawPointer(parsed.name).assumingMemoryBound(to: UInt8.self), count: nameLength)
        let entry = RawDirectoryEntry(inode: parsed.ino, nextOffset: parsed.off, type: parsed.type, name: name)
        if !body(entry) { return }
        offset += Int(parsed.reclen)
    }
}

import Glibc
