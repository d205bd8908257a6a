import Glibc

/// Byte I/O. Scatter/gather calls take iovecs that point straight into guest memory, so a
/// guest's read or write costs one syscall and no copy.
extension FileDescriptor {
    @inlinable
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retryingOnInterrupt { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    @inlinable
    public func write(_ buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try retryingOnInterrupt { Glibc.write(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Everything left to read; EFBIG past `limit` bytes.
    public func readToEnd(limit: Int) throws(Errno) -> [UInt8] {
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = try read(into: chunk)
            if count == 0 { return bytes }
            if bytes.count + count > limit { throw Errno(rawValue: EFBIG) }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes all of `buffer`, looping over short writes.
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws(Errno) {
        var done = 0
        while done < buffer.count {
            done += try write(UnsafeRawBufferPointer(rebasing: buffer[done...]))
        }
    }

    public func writeAll(_ text: String) throws(Errno) {
        let bytes = Array(text.utf8)
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { raw.deallocate() }
        raw.copyBytes(from: bytes)
        try writeAll(UnsafeRawBufferPointer(raw))
    }

    @inlinable
    public func readv(_ vectors: UnsafeBufferPointer<iovec>) throws(Errno) -> Int {
        try retryingOnInterrupt { Glibc.readv(rawValue, vectors.baseAddress, Int32(vectors.count)) }
    }

    @inlinable
    public func writev(_ vectors: UnsafeBufferPointer<iovec>) throws(Errno) -> Int {
        try retryingOnInterrupt { Glibc.writev(rawValue, vectors.baseAddress, Int32(vectors.count)) }
    }

    @inlinable
    public func preadv(_ vectors: UnsafeBufferPointer<iovec>, offset: Int64) throws(Errno) -> Int {
        try retryingOnInterrupt { Glibc.preadv(rawValue, vectors.baseAddress, Int32(vectors.count), off_t(offset)) }
    }

    @inlinable
    public func pwritev(_ vectors: UnsafeBufferPointer<iovec>, offset: Int64) throws(Errno) -> Int {
        try retryingOnInterrupt { Glibc.pwritev(rawValue, vectors.baseAddress, Int32(vectors.count), off_t(offset)) }
    }

    public enum SeekOrigin: Int32, Sendable {
        case start = 0, current = 1, end = 2
    }

    public func seek(offset: Int64, from origin: SeekOrigin) throws(Errno) -> Int64 {
        Int64(try retryingOnInterrupt { Glibc.lseek(rawValue, off_t(offset), origin.rawValue) })
    }

    public func truncate(size: Int64) throws(Errno) {
        _ = try retryingOnInterrupt { Glibc.ftruncate(rawValue, off_t(size)) }
    }

    public func sync() throws(Errno) { _ = try retryingOnInterrupt { Glibc.fsync(rawValue) } }
    public func dataSync() throws(Errno) { _ = try retryingOnInterrupt { Glibc.fdatasync(rawValue) } }

    /// posix_fallocate returns the error instead of setting errno.
    public func allocate(offset: Int64, length: Int64) throws(Errno) {
        let result = Glibc.posix_fallocate(rawValue, off_t(offset), off_t(length))
        if result != 0 { throw Errno(rawValue: result) }
    }

    public func advise(offset: Int64, length: Int64, advice: Int32) throws(Errno) {
        let result = Glibc.posix_fadvise(rawValue, off_t(offset), off_t(length), advice)
        if result != 0 { throw Errno(rawValue: result) }
    }
}
