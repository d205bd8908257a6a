/// The four string forms: basic `"..."`, literal `'...'`, and their multi-line `"""`/`'''`
/// forms. Only basic strings have escapes. Control characters other than tab are refused
/// (multi-line strings also hold newlines, which come out as LF).
extension Parser {
    /// Reads the string that starts at the cursor (at its first quote).
    mutating func parseString() throws(TOMLError) -> String {
        let start = cursor.position
        guard let quote = cursor.peek() else { throw cursor.error("unterminated string") }
        let isBasic = quote == ASCII.quote
        let isMultiline = cursor.peek(1) == quote && cursor.peek(2) == quote
        cursor.advance(isMultiline ? 3 : 1)
        // A newline right after the opening delimiter is not part of the string.
        if isMultiline && cursor.atNewline { cursor.skipNewline() }
        var bytes: [UInt8] = []
        while true {
            guard let byte = cursor.peek() else { throw TOMLError("unterminated string", at: start) }
            if byte == quote {
                guard isMultiline else {
                    cursor.advance()
                    break
                }
                // One or two quotes are content, also right before the closing three.
                var run = 1
                while run < 5 && cursor.peek(run) == quote { run += 1 }
                cursor.advance(run)
                if run < 3 {
                    bytes.append(contentsOf: repeatElement(quote, count: run))
                    continue
                }
                bytes.append(contentsOf: repeatElement(quote, count: run - 3))
                break
            }
            if isBasic && byte == ASCII.backslash {
                try parseEscape(into: &bytes, multiline: isMultiline)
            } else if cursor.atNewline {
                guard isMultiline else { throw TOMLError("unterminated string", at: start) }
                cursor.skipNewline()
                bytes.append(ASCII.newline)
            } else if ASCII.isControl(byte) {
                throw cursor.error("control character \(cursor.found) is not allowed in a string")
            } else {
                bytes.append(byte)
                cursor.advance()
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One escape of a basic string; the cursor is at the backslash.
    private mutating func parseEscape(into bytes: inout [UInt8], multiline: Bool) throws(TOMLError) {
        let start = cursor.position
        cursor.advance()
        guard let byte = cursor.peek() else { return }  // the caller reports the unterminated string
        if let replacement = Self.simpleEscape(byte) {
            cursor.advance()
            bytes.append(replacement)
            return
        }
        if byte == 0x75 || byte == 0x55 {  // \uXXXX, \UXXXXXXXX
            try parseUnicodeEscape(into: &bytes, digits: byte == 0x75 ? 4 : 8, at: start)
            return
        }
        if multiline && (byte == ASCII.space || byte == ASCII.tab || cursor.atNewline) {
            // A line-ending backslash: the newline and all whitespace after it go.
            cursor.skipWhitespace()
            guard cursor.atNewline else {
                throw TOMLError("invalid escape: only whitespace may follow a line-ending backslash", at: start)
            }
            while cursor.atNewline || cursor.peek() == ASCII.space || cursor.peek() == ASCII.tab { cursor.advance() }
            return
        }
        let shown = cursor.atNewline ? "newline" : cursor.found
        throw TOMLError(shown.hasPrefix("'") ? "invalid escape '\\\(shown.dropFirst())" : "invalid escape '\\' followed by \(shown)",
                        at: start)
    }

    /// `\b \t \n \f \r \" \\`: the byte each stands for.
    private static func simpleEscape(_ letter: UInt8) -> UInt8? {
        switch letter {
        case 0x62: 0x08  // b
        case 0x74: 0x09  // t
        case 0x6E: 0x0A  // n
        case 0x66: 0x0C  // f
        case 0x72: 0x0D  // r
        case ASCII.quote, ASCII.backslash: letter
        default: nil
        }
    }

    private mutating func parseUnicodeEscape(into bytes: inout [UInt8], digits: Int, at start: TOMLPosition) throws(TOMLError) {
        let letter = cursor.peek() == 0x75 ? "u" : "U"
        cursor.advance()
        var value: UInt32 = 0
        var written = ""
        for _ in 0..<digits {
            guard let byte = cursor.peek(), let digit = NumberReader.digit(byte, radix: 16) else {
                throw TOMLError("invalid escape '\\\(letter)\(written)': \\\(letter) takes \(digits) hexadecimal digits", at: start)
            }
            value = value << 4 | UInt32(digit)
            written.unicodeScalars.append(Unicode.Scalar(byte))
            cursor.advance()
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw TOMLError("invalid escape '\\\(letter)\(written)': not a Unicode scalar value", at: start)
        }
        bytes.append(contentsOf: String(scalar).utf8)
    }
}
