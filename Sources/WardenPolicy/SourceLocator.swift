import WardenTOML

/// Where each key, value and table header sits in a policy's text, read from the parse tree
/// (WardenTOML locates everything it parses).
///
/// Paths are table names and keys; array-of-tables entries and array elements are addressed
/// by index ("preopen", "0", "host").
public struct SourceLocator: Sendable {
    public struct Position: Sendable, Equatable { public var line: Int; public var column: Int }

    let root: TOMLTable?

    /// Parses `text`; a text that is not TOML locates nothing.
    public init(text: String) {
        root = try? TOMLDocument.parse(text)
    }

    init(root: TOMLTable) {
        self.root = root
    }

    /// The key that names `path`'s last part (nil for array elements).
    public func key(_ path: [String]) -> Position? {
        guard let last = path.last, let parent = node(path.dropLast())?.table else { return nil }
        return parent.entry(last).map { Self.position($0.keyPosition) }
    }

    /// Where the value starts; for a table, its header or the key that created it.
    public func value(_ path: [String]) -> Position? {
        node(path[...]).map { Self.position($0.position) }
    }

    /// A table's `[header]` (or the key that created it), an array of tables' first `[[header]]`;
    /// nil for inline tables and for values that are not tables.
    public func header(_ path: [String]) -> Position? {
        guard let value = node(path[...]) else { return nil }
        if let table = value.table {
            return table.definition == .inline ? nil : Self.position(value.position)
        }
        if let first = value.array?.first?.table, first.definition == .header { return Self.position(value.position) }
        return nil
    }

    private func node(_ path: ArraySlice<String>) -> TOMLValue? {
        guard let root else { return nil }
        var current = TOMLValue(.table(root), at: TOMLPosition(line: 1, column: 1))
        for part in path {
            if let table = current.table, let next = table[part] {
                current = next
            } else if let array = current.array, let index = Int(part), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    static func position(_ position: TOMLPosition) -> Position {
        Position(line: position.line, column: position.column)
    }
}
