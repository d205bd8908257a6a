// Glibc for types only: PATH_MAX
import Glibc

/// A bounds-checked view of the guest's linear memory for the duration of one host call.
///
/// Every guest pointer is untrusted: each access checks `offset + length <= count` in 64-bit
/// arithmetic and throws `.fault` instead of touching host memory outside the view. The
/// engine glue builds one per call (memory cannot grow during a WASI call: nothing calls
/// back into the guest), so a view never outlives the buffer it borrows.
public struct GuestMemory {
    public let base: UnsafeMutableRawPointer
    public let count: Int

    @inlinable
    public init(base: UnsafeMutableRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable @inline(__always)
    func checked(_ offset: UInt32, _ length: Int) throws(WASIErrno) -> UnsafeMutableRawPointer {
        guard length >= 0, Int(offset) &+ length <= count else { throw .fault }
        return base + Int(offset)
    }

    @inlinable @inline(__always)
    public func load<T: FixedWidthInteger>(_: T.Type, at offset: UInt32) throws(WASIErrno) -> T {
        T(littleEndian: try checked(offset, MemoryLayout<T>.size).loadUnaligned(as: T.self))
    }

    @inlinable @inline(__always)
    public func store<T: FixedWidthInteger>(_ value: T, at offset: UInt32) throws(WASIErrno) {
        try checked(offset, MemoryLayout<T>.size).storeBytes(of: value.littleEndian, as: T.self)
    }

    /// `length` guest bytes at `offset`, writable in place.
    @inlinable
    public func bytes(at offset: UInt32, count length: UInt32) throws(WASIErrno) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: try checked(offset, Int(length)), count: Int(length))
    }

    public func copy(_ source: UnsafeRawBufferPointer, to offset: UInt32) throws(WASIErrno) {
        let target = try checked(offset, source.count)
        if let from = source.baseAddress { target.copyMemory(from: from, byteCount: source.count) }
    }

    public func copy(_ bytes: [UInt8], to offset: UInt32) throws(WASIErrno) {
        let target = try checked(offset, bytes.count)
        bytes.withUnsafeBytes { source in
            if let from = source.baseAddress { target.copyMemory(from: from, byteCount: source.count) }
        }
    }

    /// Copies guest bytes into a fresh NUL-terminated host buffer and passes it to `body`.
    /// A path with a NUL byte inside is `.inval`; one longer than PATH_MAX is `.nametoolong`.
    public func withPath<R>(at offset: UInt32, length: UInt32, _ body: (GuestPath) throws(WASIErrno) -> R) throws(WASIErrno) -> R {
        let source = try bytes(at: offset, count: length)
        guard length < UInt32(PATH_MAX) else { throw .nametoolong }
        if source.contains(0) { throw .inval }
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(length) + 1) { (buffer) throws(WASIErrno) -> R in
            if let from = source.baseAddress { buffer.baseAddress!.initialize(from: from.assumingMemoryBound(to: UInt8.self), count: Int(length)) }
            buffer[Int(length)] = 0
            return try body(GuestPath(bytes: UnsafeMutableBufferPointer(rebasing: buffer[0..<Int(length)])))
        }
    }
}

/// A guest path copied into host memory, NUL-terminated one byte past `bytes`.
public struct GuestPath {
    public let bytes: UnsafeMutableBufferPointer<UInt8>
    public var cString: UnsafePointer<CChar> { UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self) }
    public var isAbsolute: Bool { bytes.first == UInt8(ascii: "/") }
    /// For audit events: the guest's bytes as text (invalid UTF-8 repaired, never host paths).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
