/// JSON string literals, written by hand so the rooms that emit JSON Lines need no Foundation.
public enum JSONText {
    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension JSONText {
    /// Appends `text` as a JSON string literal to `bytes`: the same escaping as `quoted`,
    /// byte by byte (UTF-8 passes through), for writers that build a line per event.
    public static func append(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5c, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5c, 0x5c])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0..<0x20, 0x7f:
                let digits: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5c, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
