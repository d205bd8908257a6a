/// Values: the dispatch on the first character, arrays and inline tables. Nesting is
/// recursive and bounded: `depth` is the value's depth in the document, checked against
/// `TOMLDocument.maximumDepth` before each array or inline table is entered.
extension Parser {
    mutating func parseValue(depth: Int) throws(TOMLError) -> DocumentBuilder.NodeID {
        let position = cursor.position
        guard let byte = cursor.peek() else { throw cursor.error("expected a value, found end of file") }
        switch byte {
        case ASCII.quote, ASCII.apostrophe:
            return builder.scalar(.string(try parseString()), at: position, depth: depth)
        case ASCII.openBracket:
            return try parseArray(depth: depth)
        case ASCII.openBrace:
            return try parseInlineTable(depth: depth)
        case _ where Self.isTokenByte(byte):
            return builder.scalar(try parseToken(), at: position, depth: depth)
        default:
            throw cursor.error("expected a value, found \(cursor.found)")
        }
    }

    /// `[ v, v, ]`: any types mixed, newlines and comments anywhere between the values, one
    /// trailing comma allowed.
    mutating func parseArray(depth: Int) throws(TOMLError) -> DocumentBuilder.NodeID {
        let array = try builder.array(at: cursor.position, depth: depth)
        cursor.advance()
        while true {
            try skipArrayTrivia()
            if cursor.take(ASCII.closeBracket) { return array }
            builder.append(try parseValue(depth: depth + 1), to: array)
            try skipArrayTrivia()
            if cursor.take(ASCII.closeBracket) { return array }
            guard cursor.take(ASCII.comma) else {
                throw cursor.error("expected ',' or ']' in array, found \(cursor.found)")
            }
        }
    }

    private mutating func skipArrayTrivia() throws(TOMLError) {
        while true {
            cursor.skipWhitespace()
            switch cursor.peek() {
            case ASCII.hash: try skipComment()
            case ASCII.newline, ASCII.carriageReturn: try skipNewline()
            default: return
            }
        }
    }

    /// `{ k = v, k.k = v }`: on one line, no trailing comma, complete once closed.
    mutating func parseInlineTable(depth: Int) throws(TOMLError) -> DocumentBuilder.NodeID {
        let table = try builder.inlineTable(at: cursor.position, depth: depth)
        let section = builder.newSection()
        cursor.advance()
        cursor.skipWhitespace()
        if cursor.take(ASCII.closeBrace) { return table }
        while true {
            cursor.skipWhitespace()
            try refuseNewlineInInlineTable()
            try parseKeyValue(into: table, section: section)
            cursor.skipWhitespace()
            if cursor.take(ASCII.closeBrace) { return table }
            try refuseNewlineInInlineTable()
            guard cursor.take(ASCII.comma) else {
                throw cursor.error("expected ',' or '}' in inline table, found \(cursor.found)")
            }
            cursor.skipWhitespace()
            if cursor.peek() == ASCII.closeBrace { throw cursor.error("trailing comma in inline table") }
        }
    }

    private func refuseNewlineInInlineTable() throws(TOMLError) {
        if cursor.atNewline || cursor.peek() == ASCII.hash {
            throw cursor.error("inline table must be on one line")
        }
    }

    // MARK: Numbers, booleans, dates

    /// What a bare value can be made of: digits, letters, signs, '_', '.', ':'.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        ASCII.isLetter(byte) || ASCII.isDigit(byte) || byte == ASCII.plus || byte == ASCII.minus
            || byte == ASCII.underscore || byte == ASCII.dot || byte == ASCII.colon
    }

    /// A bare value: boolean, number or date; a date and a time may be separated by a space.
    mutating func parseToken() throws(TOMLError) -> TOMLValue.Content {
        let position = cursor.position
        let start = cursor.offset
        while let byte = cursor.peek(), Self.isTokenByte(byte) { cursor.advance() }
        if DateTimeReader.isDate(cursor.bytes[start..<cursor.offset]), cursor.peek() == ASCII.space,
           let hour = cursor.peek(1), ASCII.isDigit(hour), let digit = cursor.peek(2), ASCII.isDigit(digit),
           cursor.peek(3) == ASCII.colon {
            cursor.advance()
            while let byte = cursor.peek(), Self.isTokenByte(byte) { cursor.advance() }
        }
        let token = cursor.bytes[start..<cursor.offset]
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        default: break
        }
        if DateTimeReader.looksLikeDateTime(token) {
            return .dateTime(try DateTimeReader.read(token, text: text, at: position))
        }
        if let first = token.first, ASCII.isLetter(first), !text.hasPrefix("inf"), !text.hasPrefix("nan") {
            throw TOMLError("invalid value '\(text)' (strings must be quoted)", at: position)
        }
        return try NumberReader.read(token, text: text, at: position)
    }
}
