import WardenWASI
import WasmKit

/// Holds the instance's exported memory once instantiation has produced it. Host functions
/// are created before the instance exists, so they capture this box; looking the export up
/// by name on every call would cost a dictionary probe per `fd_write`.
final class MemoryBox {
    var memory: Memory?

    /// Runs `body` with a bounds-checked view of the whole linear memory.
    @inline(__always)
    func withView<R>(_ body: (WardenWASI.GuestMemory) throws -> R) throws -> R {
        guard let memory else { throw WASIHostError("the module exports no memory named \"memory\"") }
        let count = memory.byteCount
        if count == 0 {
            var empty: UInt8 = 0
            return try withUnsafeMutablePointer(to: &empty) { try body(WardenWASI.GuestMemory(base: $0, count: 0)) }
        }
        return try memory.withUnsafeMutableBufferPointer(offset: 0, count: count) { buffer in
            try body(WardenWASI.GuestMemory(base: buffer.baseAddress!, count: buffer.count))
        }
    }
}

/// A host-side failure that must trap the guest (never a WASI errno).
public struct WASIHostError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
