/// A small binary encoding for supervisor ↔ worker messages: little-endian integers,
/// length-prefixed byte strings. The reader checks every length against what is left, so a
/// malformed or hostile frame is an error, never an out-of-bounds read.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public init() {}

    public mutating func u8(_ value: UInt8) { bytes.append(value) }
    public mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }
    public mutating func bool(_ value: Bool) { u8(value ? 1 : 0) }
    public mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }
    public mutating func strings(_ values: [String]) {
        u32(UInt32(values.count))
        for value in values { string(value) }
    }
    public mutating func blob(_ value: [UInt8]) {
        u32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }
    public mutating func optional<T>(_ value: T?, _ write: (inout WireWriter, T) -> Void) {
        bool(value != nil)
        if let value { write(&self, value) }
    }
}

public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated
    case invalid(String)
    public var description: String {
        switch self {
        case .truncated: "truncated message"
        case .invalid(let what): "invalid message: \(what)"
        }
    }
}

public struct WireReader {
    let bytes: [UInt8]
    var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var isAtEnd: Bool { offset == bytes.count }

    mutating func take(_ count: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else { throw .truncated }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    public mutating func u8() throws(WireError) -> UInt8 { try take(1).first! }
    public mutating func u32() throws(WireError) -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
    public mutating func u64() throws(WireError) -> UInt64 {
        try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
    public mutating func i32() throws(WireError) -> Int32 { Int32(bitPattern: try u32()) }
    public mutating func bool() throws(WireError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        default: throw .invalid("boolean")
        }
    }
    public mutating func string() throws(WireError) -> String {
        let count = Int(try u32())
        let slice = try take(count)
        guard let text = String(validating: slice, as: UTF8.self) else { throw .invalid("UTF-8 string") }
        return text
    }
    public mutating func blob(limit: Int) throws(WireError) -> [UInt8] {
        let count = Int(try u32())
        guard count <= limit else { throw .invalid("byte string length") }
        return Array(try take(count))
    }
    public mutating func strings(limit: Int = 1 << 20) throws(WireError) -> [String] {
        let count = Int(try u32())
        guard count <= limit, count <= bytes.count - offset else { throw .invalid("string count") }
        var result: [String] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try string()) }
        return result
    }
}
