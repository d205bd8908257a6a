// Glibc for types only: iovec
import Glibc

/// Guest iovec arrays turned into host `iovec`s that point into guest memory, so reads and
/// writes go straight between the kernel and the guest with no copy.
enum IOVectors {
    /// POSIX IOV_MAX: more vectors than this are clamped (a short transfer is allowed).
    static let maximum = 1024

    @inline(__always)
    static func with<R>(_ memory: GuestMemory, at address: UInt32, count: UInt32,
                        _ body: (UnsafeMutableBufferPointer<iovec>) throws(WASIErrno) -> R) throws(WASIErrno) -> R {
        let used = min(Int(count), maximum)
        // Check the whole guest array first: a bad pointer faults before any I/O happens.
        guard Int(address) + Int(count) * Layout.iovecSize <= memory.count else { throw .fault }
        if used == 1 {
            var vector = try hostVector(memory, address)
            return try withUnsafeMutablePointer(to: &vector) { (pointer) throws(WASIErrno) -> R in
                try body(UnsafeMutableBufferPointer(start: pointer, count: 1))
            }
        }
        return try withUnsafeTemporaryAllocation(of: iovec.self, capacity: max(used, 1)) { (vectors) throws(WASIErrno) -> R in
            for index in 0..<used {
                vectors[index] = try hostVector(memory, address &+ UInt32(index * Layout.iovecSize))
            }
            return try body(UnsafeMutableBufferPointer(rebasing: vectors[0..<used]))
        }
    }

    @inline(__always)
    private static func hostVector(_ memory: GuestMemory, _ address: UInt32) throws(WASIErrno) -> iovec {
        let buffer = try memory.load(UInt32.self, at: address)
        let length = try memory.load(UInt32.self, at: address &+ 4)
        let bytes = try memory.bytes(at: buffer, count: length)
        return iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
    }
}
