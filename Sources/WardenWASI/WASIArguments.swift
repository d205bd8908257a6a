/// How one engine hands a host call its arguments: WasmKit as an array of `Value`, wasmtime
/// as an untyped array of raw slots. `WASIImportTable` reads every argument through this, so
/// the table is written once for both engines.
///
/// Hot path: the bodies take the engine's argument array as a plain address (a concrete closure
/// type, the same for every engine), and the table is `@inlinable` and generic over the
/// reader, so each engine's module specializes it: every read inlines to one load, with no
/// witness call, existential box, reabstraction thunk or allocation per call.
public protocol WASIArguments {
    /// Argument `index` of the array at `arguments`, an i32, as the unsigned value WASIPreview1
    /// takes (guest pointers, fds, lengths, flags).
    static func u32(_ arguments: UnsafeRawPointer?, _ index: Int) -> UInt32
    /// Argument `index`, an i64, unsigned (offsets, rights, timestamps).
    static func u64(_ arguments: UnsafeRawPointer?, _ index: Int) -> UInt64
}

extension WASIArguments {
    /// Narrow witx integers (whence, advice, signals) arrive as i32: a value outside the type's
    /// range is refused rather than truncated into a different, valid value.
    @inlinable @inline(__always)
    public static func u8(_ arguments: UnsafeRawPointer?, _ index: Int) throws(WASIErrno) -> UInt8 {
        guard let narrow = UInt8(exactly: u32(arguments, index)) else { throw .inval }
        return narrow
    }

    /// As `u8`, for the 16-bit flag sets (fdflags, oflags, fstflags, riflags).
    @inlinable @inline(__always)
    public static func u16(_ arguments: UnsafeRawPointer?, _ index: Int) throws(WASIErrno) -> UInt16 {
        guard let narrow = UInt16(exactly: u32(arguments, index)) else { throw .inval }
        return narrow
    }
}

/// A WASI import's parameter types, for the engine to declare the function's signature.
public enum WASIValueType: Sendable, Equatable {
    case i32, i64
}
