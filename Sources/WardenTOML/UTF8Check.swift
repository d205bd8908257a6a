/// UTF-8 validation for byte input, so that the error can name where the text stops being
/// UTF-8 (String's own validation only says whether it is).
enum UTF8Check {
    /// The offset of the first byte that does not start a well-formed scalar: overlong forms,
    /// surrogates, values past U+10FFFF and truncated sequences are all refused.
    static func firstInvalidOffset(_ bytes: [UInt8]) -> Int? {
        var offset = 0
        while offset < bytes.count {
            let lead = bytes[offset]
            if lead < 0x80 {
                offset += 1
                continue
            }
            let length: Int
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return offset
            }
            guard offset + length <= bytes.count else { return offset }
            var value = UInt32(lead & (0x7F >> length))
            for index in 1..<length {
                let byte = bytes[offset + index]
                guard byte & 0xC0 == 0x80 else { return offset }
                value = value << 6 | UInt32(byte & 0x3F)
            }
            let shortest: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
            guard value >= shortest, value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else { return offset }
            offset += length
        }
        return nil
    }
}
