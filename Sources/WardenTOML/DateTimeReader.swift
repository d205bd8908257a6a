/// RFC 3339 dates and times as TOML 1.0 allows them: offset date-time, local date-time,
/// local date, local time. `T`, `t` or one space separates date and time; seconds are
/// required; a fraction has at least one digit; the offset is `Z`, `z` or `±HH:MM`.
enum DateTimeReader {
    /// `YYYY-MM-DD` exactly (the start of every date form).
    static func isDate(_ token: ArraySlice<UInt8>) -> Bool {
        token.count == 10 && hasDatePrefix(token)
    }

    /// Whether a token is meant as a date or time (and should be read, or refused, as one).
    static func looksLikeDateTime(_ token: ArraySlice<UInt8>) -> Bool {
        token.contains(ASCII.colon) || hasDatePrefix(token)
    }

    private static func hasDatePrefix(_ token: ArraySlice<UInt8>) -> Bool {
        token.count >= 5 && token.prefix(4).allSatisfy(ASCII.isDigit) && token[token.startIndex + 4] == ASCII.minus
    }

    static func read(_ token: ArraySlice<UInt8>, text: String, at position: TOMLPosition) throws(TOMLError) -> TOMLDateTime {
        var reader = FieldReader(bytes: token, text: text, position: position)
        if !hasDatePrefix(token) {
            try reader.time()
            try reader.end()
            return TOMLDateTime(kind: .localTime, text: text)
        }
        try reader.date()
        guard let separator = reader.peek() else { return TOMLDateTime(kind: .localDate, text: text) }
        guard separator == 0x54 || separator == 0x74 || separator == ASCII.space else { throw reader.invalid() }
        reader.index += 1
        try reader.time()
        guard let offset = reader.peek() else { return TOMLDateTime(kind: .localDateTime, text: text) }
        if offset == 0x5A || offset == 0x7A {
            reader.index += 1
        } else {
            guard offset == ASCII.plus || offset == ASCII.minus else { throw reader.invalid() }
            reader.index += 1
            try reader.field(2, max: 23, "offset hour")
            try reader.expect(ASCII.colon)
            try reader.field(2, max: 59, "offset minute")
        }
        try reader.end()
        return TOMLDateTime(kind: .offsetDateTime, text: text)
    }

    private struct FieldReader {
        let bytes: ArraySlice<UInt8>
        let text: String
        let position: TOMLPosition
        var index: Int

        init(bytes: ArraySlice<UInt8>, text: String, position: TOMLPosition) {
            self.bytes = bytes
            self.text = text
            self.position = position
            index = bytes.startIndex
        }

        func peek() -> UInt8? { index < bytes.endIndex ? bytes[index] : nil }

        func invalid(_ reason: String? = nil) -> TOMLError {
            TOMLError("invalid date-time '\(text)'" + (reason.map { ": " + $0 } ?? ""), at: position)
        }

        mutating func expect(_ byte: UInt8) throws(TOMLError) {
            guard peek() == byte else { throw invalid() }
            index += 1
        }

        mutating func end() throws(TOMLError) {
            guard peek() == nil else { throw invalid() }
        }

        /// Exactly `count` digits, at least `min` and at most `max`.
        @discardableResult
        mutating func field(_ count: Int, min: Int = 0, max: Int, _ name: String) throws(TOMLError) -> Int {
            var value = 0
            for _ in 0..<count {
                guard let byte = peek(), ASCII.isDigit(byte) else { throw invalid() }
                value = value * 10 + Int(byte - 0x30)
                index += 1
            }
            guard (min...max).contains(value) else { throw invalid("\(name) \(value) is out of range") }
            return value
        }

        mutating func date() throws(TOMLError) {
            let year = try field(4, max: 9999, "year")
            try expect(ASCII.minus)
            let month = try field(2, min: 1, max: 12, "month")
            try expect(ASCII.minus)
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            try field(2, min: 1, max: days, "day")
        }

        /// `HH:MM:SS` with an optional fraction; second 60 is a leap second (RFC 3339).
        mutating func time() throws(TOMLError) {
            try field(2, max: 23, "hour")
            try expect(ASCII.colon)
            try field(2, max: 59, "minute")
            try expect(ASCII.colon)
            try field(2, max: 60, "second")
            guard peek() == ASCII.dot else { return }
            index += 1
            guard let digit = peek(), ASCII.isDigit(digit) else { throw invalid("a fraction needs digits") }
            while let digit = peek(), ASCII.isDigit(digit) { index += 1 }
        }
    }
}
