/// Where something sits in TOML text: 1-based line, and 1-based column counted in Unicode
/// scalars (not bytes, not grapheme clusters), so that an editor's cursor lands on it.
public struct TOMLPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: TOMLPosition, b: TOMLPosition) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// Why a text is not TOML, and where: the first problem found; parsing stops there.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var position: TOMLPosition
    public var message: String

    public init(_ message: String, at position: TOMLPosition) {
        self.message = message
        self.position = position
    }

    public var line: Int { position.line }
    public var column: Int { position.column }

    /// `line:column: message`.
    public var description: String { "\(position): \(message)" }
}
