/// Reads TOML 1.0.0 (https://toml.io/en/v1.0.0) into located values.
///
/// The whole document is checked, including every redefinition rule; the first problem is
/// thrown with its position. Input is untrusted: nesting is bounded by `maximumDepth`
/// (arrays, inline tables and the tables dotted keys and headers create all count), numbers
/// that do not fit are errors, and the work is linear in the length of the text.
public enum TOMLDocument {
    /// How many tables and arrays deep a value may sit.
    public static let maximumDepth = 128

    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        try parse(validUTF8: Array(text.utf8))
    }

    /// Bytes that may not be UTF-8; the first ill-formed sequence is an error at its position.
    public static func parse(utf8 bytes: [UInt8]) throws(TOMLError) -> TOMLTable {
        if let bad = UTF8Check.firstInvalidOffset(bytes) {
            var cursor = Cursor(bytes)
            while cursor.offset < bad { cursor.advance() }
            throw cursor.error("invalid UTF-8")
        }
        return try parse(validUTF8: bytes)
    }

    private static func parse(validUTF8 bytes: [UInt8]) throws(TOMLError) -> TOMLTable {
        // A byte order mark is allowed before the first character and takes no column.
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var parser = Parser(Cursor(bytes, from: start))
        return try parser.parseDocument()
    }
}
