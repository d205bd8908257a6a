/// One parsed value and where it starts. Tables and arrays hold located values all the way
/// down, so a consumer can point at any key or value it rejects.
public struct TOMLValue: Sendable {
    public enum Content: Sendable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        case dateTime(TOMLDateTime)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    public var content: Content
    /// The value's first character. For a table: its `[header]` (the `[[` of an array-of-tables
    /// element), its `{`, or the key that created it implicitly. For an array of tables: its
    /// first `[[` header.
    public var position: TOMLPosition

    public init(_ content: Content, at position: TOMLPosition) {
        self.content = content
        self.position = position
    }

    public var string: String? { if case .string(let value) = content { value } else { nil } }
    public var integer: Int64? { if case .integer(let value) = content { value } else { nil } }
    public var float: Double? { if case .float(let value) = content { value } else { nil } }
    public var boolean: Bool? { if case .boolean(let value) = content { value } else { nil } }
    public var dateTime: TOMLDateTime? { if case .dateTime(let value) = content { value } else { nil } }
    public var array: [TOMLValue]? { if case .array(let value) = content { value } else { nil } }
    public var table: TOMLTable? { if case .table(let value) = content { value } else { nil } }

    /// The type's name as TOML's specification calls it ("string", "integer", "offset date-time", ...).
    public var typeName: String {
        switch content {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .dateTime(let value): value.kind.rawValue
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A table's keys in the order they were defined, each with the position of its key and its
/// value.
public struct TOMLTable: Sendable {
    /// How the table came to exist; the redefinition rules depend on it, and a consumer may
    /// want to point at a header rather than at a key.
    public enum Definition: Sendable, Equatable {
        /// The document itself.
        case root
        /// A `[name]` header, or one `[[name]]` element.
        case header
        /// Only named on the way to another table (`a` in `[a.b]`), never defined itself.
        case implicit
        /// A dotted key (`a` in `a.b = 1`).
        case dottedKeys
        /// `{ ... }`: complete as written.
        case inline
    }

    public struct Entry: Sendable {
        public var key: String
        public var keyPosition: TOMLPosition
        public var value: TOMLValue
    }

    public var definition: Definition
    public private(set) var entries: [Entry] = []
    private var indices: [String: Int] = [:]

    public init(definition: Definition) {
        self.definition = definition
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    public subscript(key: String) -> TOMLValue? { entry(key)?.value }

    public func entry(_ key: String) -> Entry? {
        indices[key].map { entries[$0] }
    }

    /// Adds a key; the document builder has already refused duplicates.
    mutating func append(_ entry: Entry) {
        indices[entry.key] = entries.count
        entries.append(entry)
    }
}
