/// Reads a fuzz input as a call sequence: one byte picks a call, the next bytes its arguments.
/// Arguments are mostly plausible (a pointer inside memory, a path from the dictionary, a
/// small descriptor number) and sometimes raw, so both the checks and what lies behind them run.
struct Input {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func u8() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }
    mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }
    mutating func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }
    mutating func u64() -> UInt64 { UInt64(u32()) | UInt64(u32()) << 32 }

    /// A guest pointer: usually inside the 64 KiB memory, 1 in 8 anything at all.
    mutating func pointer() -> UInt32 {
        let tag = u8()
        return tag & 7 == 0 ? u32() : UInt32(u16())
    }

    /// A length: usually small, sometimes anything.
    mutating func length() -> UInt32 {
        let tag = u8()
        return tag & 15 == 0 ? u32() : UInt32(tag >> 4) * UInt32(u8() | 1)
    }

    /// A descriptor: 0...15 mostly (stdio, the grants, what the guest opened), sometimes anything.
    mutating func fd() -> UInt32 {
        let raw = u8()
        return raw & 0xf0 == 0xf0 ? u32() : UInt32(raw & 15)
    }
}
