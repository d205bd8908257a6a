/// TOML's line structure: comments, blank lines, `[table]` and `[[array]]` headers, and
/// `key = value` lines; values are read in Parser+Values, strings, numbers and dates in
/// their own files. The document builder applies the redefinition rules.
struct Parser {
    var cursor: Cursor
    var builder = DocumentBuilder()

    init(_ cursor: Cursor) {
        self.cursor = cursor
    }

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        var table = builder.root
        var section = builder.newSection()
        while true {
            cursor.skipWhitespace()
            guard let byte = cursor.peek() else { break }
            switch byte {
            case ASCII.hash:
                try skipComment()
            case ASCII.newline, ASCII.carriageReturn:
                try skipNewline()
            case ASCII.openBracket:
                table = try parseHeader()
                section = builder.newSection()
                try endLine(after: "the table header")
            default:
                try parseKeyValue(into: table, section: section)
                try endLine(after: "the value")
            }
        }
        return builder.finish()
    }

    // MARK: Lines

    /// `# ...` up to the end of the line; control characters other than tab are refused.
    mutating func skipComment() throws(TOMLError) {
        cursor.advance()
        while let byte = cursor.peek(), !cursor.atNewline {
            if ASCII.isControl(byte) {
                throw cursor.error("control character \(cursor.found) is not allowed in a comment")
            }
            cursor.advance()
        }
    }

    mutating func skipNewline() throws(TOMLError) {
        guard cursor.atNewline else { throw cursor.error("carriage return without a line feed") }
        cursor.skipNewline()
    }

    /// After a header or a key/value pair: whitespace, an optional comment, then the end of
    /// the line or of the file.
    mutating func endLine(after what: String) throws(TOMLError) {
        cursor.skipWhitespace()
        if cursor.peek() == ASCII.hash { try skipComment() }
        if cursor.atEnd { return }
        guard cursor.atNewline else { throw cursor.error("expected a newline after \(what), found \(cursor.found)") }
        cursor.skipNewline()
    }

    // MARK: Headers and keys

    /// `[a.b]` or `[[a.b]]`; returns the table the following pairs go into.
    mutating func parseHeader() throws(TOMLError) -> DocumentBuilder.NodeID {
        let position = cursor.position
        cursor.advance()
        let isArray = cursor.take(ASCII.openBracket)
        cursor.skipWhitespace()
        if cursor.peek() == ASCII.closeBracket || cursor.atNewline || cursor.atEnd {
            throw TOMLError("table header without a name", at: position)
        }
        let key = try parseKey()
        guard cursor.take(ASCII.closeBracket), !isArray || cursor.take(ASCII.closeBracket) else {
            throw cursor.error("expected '\(isArray ? "]]" : "]")' to close the table header, found \(cursor.found)")
        }
        return isArray ? try builder.openArrayTable(key, at: position) : try builder.openTable(key, at: position)
    }

    /// `key = value`, in `table` (a section's table, or an inline table being read).
    mutating func parseKeyValue(into table: DocumentBuilder.NodeID, section: Int) throws(TOMLError) {
        let key = try parseKey()
        guard cursor.take(ASCII.equals) else { throw cursor.error("expected '=' after key") }
        cursor.skipWhitespace()
        let value = try parseValue(depth: builder.depth(of: table) + key.count)
        try builder.insert(key, value: value, into: table, section: section)
    }

    /// A dotted key: bare, basic or literal parts separated by dots, whitespace allowed
    /// around the dots. Leaves the cursor after the whitespace that follows the key.
    mutating func parseKey() throws(TOMLError) -> [KeyPart] {
        var parts: [KeyPart] = []
        while true {
            cursor.skipWhitespace()
            let position = cursor.position
            guard let byte = cursor.peek() else { throw cursor.error("expected a key, found end of file") }
            if byte == ASCII.quote || byte == ASCII.apostrophe {
                if cursor.peek(1) == byte && cursor.peek(2) == byte {
                    throw cursor.error("a key cannot be a multi-line string")
                }
                parts.append(KeyPart(name: try parseString(), position: position))
            } else if ASCII.isBareKey(byte) {
                let start = cursor.offset
                while let next = cursor.peek(), ASCII.isBareKey(next) { cursor.advance() }
                parts.append(KeyPart(name: String(decoding: cursor.bytes[start..<cursor.offset], as: UTF8.self), position: position))
            } else {
                throw cursor.error("expected a key, found \(cursor.found)")
            }
            cursor.skipWhitespace()
            guard cursor.take(ASCII.dot) else { return parts }
        }
    }
}
