/// Where each key, value and table header sits in a policy's text.
///
/// TOMLKit parses the document (and locates syntax errors); it keeps no positions for what it
/// parsed. This scanner walks the same text, already known to be valid TOML, and records
/// line:column for headers, keys, values and array elements, so that semantic errors point at
/// the exact spot. Paths are table names and keys; array-of-tables entries and array elements
/// are addressed by index ("preopen", "0", "host").
public struct SourceLocator: Sendable {
    public struct Position: Sendable, Equatable { public var line: Int; public var column: Int }

    private(set) var keys: [[String]: Position] = [:]
    private(set) var values: [[String]: Position] = [:]
    private(set) var headers: [[String]: Position] = [:]
    /// A `[` or `[[` header with no name: toml++ asserts on these instead of reporting them,
    /// so the parser reports them itself before handing the text over.
    public private(set) var namelessHeader: Position?

    public func key(_ path: [String]) -> Position? { keys[path] }
    public func value(_ path: [String]) -> Position? { values[path] ?? keys[path] }
    public func header(_ path: [String]) -> Position? { headers[path] }

    public init(text: String) {
        var scanner = Scanner(Array(text.unicodeScalars))
        var table: [String] = []
        var arrayCounts: [[String]: Int] = [:]
        while true {
            scanner.skipTrivia(newlines: true)
            guard let scalar = scanner.peek() else { break }
            if scalar == "[" {
                let start = scanner.position
                let isArray = scanner.peek(1) == "["
                scanner.advance(isArray ? 2 : 1)
                scanner.skipTrivia(newlines: false)
                let name = scanner.readKey()
                if name.isEmpty && namelessHeader == nil { namelessHeader = start }
                if isArray {
                    let index = arrayCounts[name, default: 0]
                    arrayCounts[name] = index + 1
                    table = name + [String(index)]
                } else {
                    table = name
                }
                // Diagnostics about a table point at its header's opening bracket.
                headers[table] = start
                headers[name] = headers[name] ?? start
                scanner.skipLine()
            } else {
                readKeyValue(&scanner, in: table)
            }
        }
    }

    private mutating func readKeyValue(_ scanner: inout Scanner, in table: [String]) {
        let keyPosition = scanner.position
        let key = scanner.readKey()
        guard !key.isEmpty else {
            scanner.skipLine()
            return
        }
        let path = table + key
        keys[path] = keyPosition
        scanner.skipTrivia(newlines: false)
        if scanner.peek() == "=" { scanner.advance(1) }
        scanner.skipTrivia(newlines: false)
        readValue(&scanner, at: path)
    }

    /// Values nested deeper than this are skipped without positions: the policy schema has no
    /// deep values, and recursion must stay bounded on hostile input.
    static let maximumDepth = 64

    private mutating func readValue(_ scanner: inout Scanner, at path: [String], depth: Int = 0) {
        if depth > Self.maximumDepth {
            scanner.skipNested()
            return
        }
        values[path] = scanner.position
        switch scanner.peek() {
        case "{":
            scanner.advance(1)
            while true {
                scanner.skipTrivia(newlines: true)
                guard let next = scanner.peek() else { return }
                if next == "}" { scanner.advance(1); return }
                if next == "," { scanner.advance(1); continue }
                let keyPosition = scanner.position
                let key = scanner.readKey()
                if key.isEmpty { scanner.advance(1); continue }
                keys[path + key] = keyPosition
                scanner.skipTrivia(newlines: false)
                if scanner.peek() == "=" { scanner.advance(1) }
                scanner.skipTrivia(newlines: false)
                readValue(&scanner, at: path + key, depth: depth + 1)
            }
        case "[":
            scanner.advance(1)
            var index = 0
            while true {
                scanner.skipTrivia(newlines: true)
                guard let next = scanner.peek() else { return }
                if next == "]" { scanner.advance(1); return }
                if next == "," { scanner.advance(1); continue }
                let before = scanner.index
                readValue(&scanner, at: path + [String(index)], depth: depth + 1)
                if scanner.index == before { scanner.advance(1) }  // malformed: always make progress
                index += 1
            }
        case "\"", "'":
            _ = scanner.readString()
        default:
            scanner.skipScalarValue()
        }
    }

    /// A cursor over the text's Unicode scalars with 1-based line and column.
    struct Scanner {
        let text: [Unicode.Scalar]
        var index = 0
        var position = Position(line: 1, column: 1)

        init(_ text: [Unicode.Scalar]) { self.text = text }

        func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < text.count ? text[index + offset] : nil
        }

        mutating func advance(_ count: Int) {
            for _ in 0..<count where index < text.count {
                if text[index] == "\n" {
                    position.line += 1
                    position.column = 1
                } else {
                    position.column += 1
                }
                index += 1
            }
        }

        mutating func skipTrivia(newlines: Bool) {
            while let scalar = peek() {
                if scalar == " " || scalar == "\t" || scalar == "\r" || (newlines && scalar == "\n") {
                    advance(1)
                } else if scalar == "#" {
                    while let next = peek(), next != "\n" { advance(1) }
                } else {
                    return
                }
            }
        }

        mutating func skipLine() {
            while let scalar = peek(), scalar != "\n" {
                if scalar == "\"" || scalar == "'" { _ = readString() } else { advance(1) }
            }
        }

        /// A dotted key: bare or quoted parts separated by dots.
        mutating func readKey() -> [String] {
            var parts: [String] = []
            while true {
                skipTrivia(newlines: false)
                guard let scalar = peek() else { return parts }
                if scalar == "\"" || scalar == "'" {
                    parts.append(readString())
                } else {
                    var part = ""
                    while let next = peek(), next.properties.isAlphabetic || ("0"..."9").contains(next) || next == "_" || next == "-" {
                        part.unicodeScalars.append(next)
                        advance(1)
                    }
                    if part.isEmpty { return parts }
                    parts.append(part)
                }
                skipTrivia(newlines: false)
                if peek() == "." { advance(1) } else { return parts }
            }
        }

        /// Any of TOML's four string forms; returns the raw contents (escapes left as written,
        /// which is enough for keys, the only place the text is used).
        mutating func readString() -> String {
            guard let quote = peek() else { return "" }
            let multiline = peek(1) == quote && peek(2) == quote
            advance(multiline ? 3 : 1)
            var contents = ""
            while let scalar = peek() {
                if quote == "\"" && scalar == "\\" {
                    contents.unicodeScalars.append(scalar)
                    advance(1)
                    if let escaped = peek() { contents.unicodeScalars.append(escaped); advance(1) }
                    continue
                }
                if scalar == quote {
                    if !multiline { advance(1); return contents }
                    if peek(1) == quote && peek(2) == quote {
                        // Up to two extra quotes may close a multi-line string ("""a"""").
                        var extra = 0
                        while peek(3 + extra) == quote && extra < 2 { extra += 1 }
                        advance(3 + extra)
                        return contents
                    }
                }
                if !multiline && scalar == "\n" { return contents }
                contents.unicodeScalars.append(scalar)
                advance(1)
            }
            return contents
        }

        /// Skips one bracketed or braced value iteratively (strings inside respected).
        mutating func skipNested() {
            var depth = 0
            while let scalar = peek() {
                switch scalar {
                case "[", "{": depth += 1; advance(1)
                case "]", "}":
                    if depth == 0 { return }
                    depth -= 1
                    advance(1)
                    if depth == 0 { return }
                case "\"", "'": _ = readString()
                case "#": while let next = peek(), next != "\n" { advance(1) }
                default:
                    if depth == 0 && (scalar == "," || scalar == "\n") { return }
                    advance(1)
                }
            }
        }

        /// Numbers, booleans and dates: up to the next delimiter.
        mutating func skipScalarValue() {
            while let scalar = peek(), !(scalar == "," || scalar == "]" || scalar == "}" || scalar == "\n" || scalar == "#") {
                advance(1)
            }
        }
    }
}
