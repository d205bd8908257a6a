/// A forward-only cursor over UTF-8 bytes that keeps the line and column of the next byte.
///
/// The position is updated as bytes are consumed (never recomputed from the start of the
/// line), so locating every value of a megabyte-long line stays linear. Columns count
/// Unicode scalars: continuation bytes do not advance the column.
struct Cursor {
    let bytes: [UInt8]
    private(set) var offset: Int
    private(set) var position = TOMLPosition(line: 1, column: 1)

    init(_ bytes: [UInt8], from offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var atEnd: Bool { offset >= bytes.count }

    func peek(_ ahead: Int = 0) -> UInt8? {
        offset + ahead < bytes.count ? bytes[offset + ahead] : nil
    }

    mutating func advance() {
        let byte = bytes[offset]
        offset += 1
        if byte == ASCII.newline {
            position.line += 1
            position.column = 1
        } else if byte & 0xC0 != 0x80 {
            position.column += 1
        }
    }

    mutating func advance(_ count: Int) {
        for _ in 0..<count { advance() }
    }

    /// Consumes `byte` if it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        advance()
        return true
    }

    /// Spaces and tabs, the only whitespace TOML has besides newlines.
    mutating func skipWhitespace() {
        while let byte = peek(), byte == ASCII.space || byte == ASCII.tab { advance() }
    }

    /// A newline is LF or CRLF; a CR alone is not one (and is an error wherever it appears).
    var atNewline: Bool {
        peek() == ASCII.newline || (peek() == ASCII.carriageReturn && peek(1) == ASCII.newline)
    }

    /// Consumes one newline; the caller has checked `atNewline`.
    mutating func skipNewline() {
        if peek() == ASCII.carriageReturn { advance() }
        advance()
    }

    func error(_ message: String) -> TOMLError { TOMLError(message, at: position) }

    /// The next character, for messages: `'x'`, `end of file`, `newline`, or `U+0001` for an
    /// invisible one.
    var found: String {
        guard let byte = peek() else { return "end of file" }
        if atNewline { return "newline" }
        return Self.describe(Self.scalar(in: bytes, at: offset) ?? Unicode.Scalar(byte))
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.generalCategory == .format
            || scalar.properties.generalCategory == .control {
            var hex = String(scalar.value, radix: 16, uppercase: true)
            while hex.count < 4 { hex = "0" + hex }
            return "U+" + hex
        }
        return "'\(scalar)'"
    }

    /// Decodes the scalar starting at `offset` of (already validated) UTF-8.
    static func scalar(in bytes: [UInt8], at offset: Int) -> Unicode.Scalar? {
        var iterator = bytes[offset...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return scalar }
        return nil
    }
}

/// The bytes the grammar names.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let apostrophe: UInt8 = 0x27
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let colon: UInt8 = 0x3A
    static let equals: UInt8 = 0x3D
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D

    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }

    static func isBareKey(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || byte == underscore || byte == minus
    }

    /// Control characters TOML allows nowhere but as a tab (and as newlines, where newlines go).
    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != tab) || byte == 0x7F
    }
}
