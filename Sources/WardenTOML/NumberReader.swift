/// Integers and floats from a bare token.
///
/// Integers: decimal with an optional sign and no leading zeros, or `0x`/`0o`/`0b` without
/// a sign; an underscore only between two digits; the value must fit Int64. Floats: a
/// decimal integer part, then a fraction, an exponent or both (the exponent's digits may
/// have leading zeros), or `inf`/`nan` with an optional sign; a finite value must stay
/// finite as a Double.
enum NumberReader {
    static func read(_ token: ArraySlice<UInt8>, text: String, at position: TOMLPosition) throws(TOMLError) -> TOMLValue.Content {
        let body = token.first == ASCII.plus || token.first == ASCII.minus ? token.dropFirst() : token
        if body.count >= 2, body.first == 0x30, let radix = radix(body[body.startIndex + 1]) {
            guard body.count == token.count else {
                throw TOMLError("invalid integer '\(text)': only decimal integers take a sign", at: position)
            }
            return .integer(try integer(body.dropFirst(2), radix: radix, negative: false, text: text, at: position))
        }
        let special = String(decoding: body, as: UTF8.self)
        if special == "inf" || special == "nan" {
            let negative = token.first == ASCII.minus
            return .float(special == "nan" ? (negative ? -Double.nan : .nan) : (negative ? -.infinity : .infinity))
        }
        if body.contains(where: { $0 == ASCII.dot || $0 == 0x65 || $0 == 0x45 }) {
            return .float(try float(token, body: body, text: text, at: position))
        }
        let second = body.dropFirst().first
        guard !(body.first == 0x30 && second.map { ASCII.isDigit($0) || $0 == ASCII.underscore } == true) else {
            throw TOMLError("invalid integer '\(text)': leading zeros are not allowed", at: position)
        }
        return .integer(try integer(body, radix: 10, negative: token.first == ASCII.minus, text: text, at: position))
    }

    static func radix(_ letter: UInt8) -> Int? {
        switch letter {
        case 0x78: 16  // x
        case 0x6F: 8  // o
        case 0x62: 2  // b
        default: nil
        }
    }

    static func digit(_ byte: UInt8, radix: Int) -> Int? {
        let value: Int
        switch byte {
        case 0x30...0x39: value = Int(byte - 0x30)
        case 0x61...0x66: value = Int(byte - 0x61 + 10)
        case 0x41...0x46: value = Int(byte - 0x41 + 10)
        default: return nil
        }
        return value < radix ? value : nil
    }

    /// Checks digits of `radix` with underscores only between two of them; returns the
    /// digits without underscores.
    static func digits(_ bytes: ArraySlice<UInt8>, radix: Int, kind: String, text: String,
                       at position: TOMLPosition) throws(TOMLError) -> [Int] {
        guard !bytes.isEmpty else { throw TOMLError("invalid \(kind) '\(text)': digits expected", at: position) }
        var result: [Int] = []
        result.reserveCapacity(bytes.count)
        var previousWasDigit = false
        for byte in bytes {
            if byte == ASCII.underscore {
                guard previousWasDigit else {
                    throw TOMLError("invalid \(kind) '\(text)': an underscore must be between two digits", at: position)
                }
                previousWasDigit = false
            } else if let value = digit(byte, radix: radix) {
                result.append(value)
                previousWasDigit = true
            } else {
                throw TOMLError("invalid \(kind) '\(text)'", at: position)
            }
        }
        guard previousWasDigit else {
            throw TOMLError("invalid \(kind) '\(text)': an underscore must be between two digits", at: position)
        }
        return result
    }

    private static func integer(_ bytes: ArraySlice<UInt8>, radix: Int, negative: Bool, text: String,
                                at position: TOMLPosition) throws(TOMLError) -> Int64 {
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        var magnitude: UInt64 = 0
        for value in try digits(bytes, radix: radix, kind: "integer", text: text, at: position) {
            let (shifted, overflow) = magnitude.multipliedReportingOverflow(by: UInt64(radix))
            magnitude = shifted &+ UInt64(value)
            guard !overflow, magnitude >= shifted, magnitude <= limit else {
                throw TOMLError("integer '\(text)' is out of range (a 64-bit signed integer)", at: position)
            }
        }
        return negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
    }

    private static func float(_ token: ArraySlice<UInt8>, body: ArraySlice<UInt8>, text: String,
                              at position: TOMLPosition) throws(TOMLError) -> Double {
        let exponentStart = body.firstIndex { $0 == 0x65 || $0 == 0x45 }
        let mantissa = body[..<(exponentStart ?? body.endIndex)]
        let dot = mantissa.firstIndex(of: ASCII.dot)
        let integerPart = mantissa[..<(dot ?? mantissa.endIndex)]
        let integerDigits = try digits(integerPart, radix: 10, kind: "float", text: text, at: position)
        guard integerDigits.count == 1 || integerDigits.first != 0 else {
            throw TOMLError("invalid float '\(text)': leading zeros are not allowed", at: position)
        }
        var cleaned = token.first == ASCII.minus ? "-" : ""
        cleaned += integerDigits.map(String.init).joined()
        if let dot {
            let fraction = try digits(mantissa[(dot + 1)...], radix: 10, kind: "float", text: text, at: position)
            cleaned += "." + fraction.map(String.init).joined()
        }
        if let exponentStart {
            var exponent = body[(exponentStart + 1)...]
            cleaned += "e"
            if let sign = exponent.first, sign == ASCII.plus || sign == ASCII.minus {
                cleaned += sign == ASCII.minus ? "-" : ""
                exponent = exponent.dropFirst()
            }
            cleaned += try digits(exponent, radix: 10, kind: "float", text: text, at: position).map(String.init).joined()
        }
        guard let value = Double(cleaned), value.isFinite else {
            throw TOMLError("float '\(text)' is out of range (a 64-bit float)", at: position)
        }
        return value
    }
}
