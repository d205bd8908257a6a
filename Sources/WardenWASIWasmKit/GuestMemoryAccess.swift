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

/// Owns the instance's hold on its memory through the host functions. The store keeps its
/// host functions, their closures keep the box, and the box's `Memory` keeps the store's
/// allocator: a reference cycle, so without this every instantiated store (its memory, code
/// and tables) stayed allocated for the life of the process (found by the module fuzzer's
/// LeakSanitizer). Ending the binding empties the box and breaks the cycle; host functions
/// called after that trap with a host error instead of touching a freed memory. A class
/// with a deinit rather than a weak capture, so the per-call path loads no weak reference.
public final class MemoryBinding {
    let box: MemoryBox
    init(_ box: MemoryBox) { self.box = box }
    deinit { box.memory = nil }
}

/// A host-side failure that must trap the guest (never a WASI errno).
public struct WASIHostError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
