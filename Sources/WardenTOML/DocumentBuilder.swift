/// The document as it is being built, and TOML's rules for what may be defined where.
///
/// Tables live in an arena addressed by index, so adding a key deep in the tree mutates one
/// node in place (a tree of value types would copy the path on every insertion). `finish`
/// turns the arena into `TOMLTable` values once parsing is done.
///
/// The rules (toml.io v1.0.0, "Table", "Inline Table", "Array of Tables"):
/// - a key is defined once per table;
/// - a `[table]` is defined once, either by its header or by dotted keys, and a table only
///   named on the way to another (`a` in `[a.b]`) may be defined later, once;
/// - dotted keys extend only the tables they created themselves, in the same section (the
///   lines under one header, or one inline table); `[a.b.c]` may still add a sub-table to a
///   table dotted keys defined;
/// - inline tables and static arrays are complete as written: no header, dotted key or
///   `[[...]]` may add to them;
/// - `[[name]]` appends to an array of tables, never to a static array or a table, and
///   `[name]` cannot redefine an array of tables; headers under it go into its last element.
struct DocumentBuilder {
    typealias NodeID = Int

    struct Child {
        var node: NodeID
        var keyPosition: TOMLPosition
    }

    struct Node {
        enum Kind {
            case table(TOMLTable.Definition)
            case array(ofTables: Bool)
            case scalar(TOMLValue.Content)
        }
        var kind: Kind
        var position: TOMLPosition
        var depth: Int
        /// Tables and arrays of tables: the dotted name, for messages.
        var name: String = ""
        var keys: [String] = []
        var children: [String: Child] = [:]
        var elements: [NodeID] = []
        /// Tables made by dotted keys: the section whose keys made them.
        var section = 0
    }

    private(set) var nodes: [Node]
    private var sections = 0
    let root: NodeID = 0

    init() {
        nodes = [Node(kind: .table(.root), position: TOMLPosition(line: 1, column: 1), depth: 0)]
    }

    func depth(of node: NodeID) -> Int { nodes[node].depth }

    /// A new section starts at each header and each inline table.
    mutating func newSection() -> Int {
        sections += 1
        return sections
    }

    // MARK: Values

    mutating func scalar(_ content: TOMLValue.Content, at position: TOMLPosition, depth: Int) -> NodeID {
        add(Node(kind: .scalar(content), position: position, depth: depth))
    }

    mutating func array(at position: TOMLPosition, depth: Int) throws(TOMLError) -> NodeID {
        try checkDepth(depth, at: position)
        return add(Node(kind: .array(ofTables: false), position: position, depth: depth))
    }

    mutating func append(_ element: NodeID, to array: NodeID) {
        nodes[array].elements.append(element)
    }

    mutating func inlineTable(at position: TOMLPosition, depth: Int) throws(TOMLError) -> NodeID {
        try checkDepth(depth, at: position)
        return add(Node(kind: .table(.inline), position: position, depth: depth))
    }

    // MARK: Key/value pairs

    /// `a.b.c = value` in `table` (a section's table or an inline table being read).
    mutating func insert(_ key: [KeyPart], value: NodeID, into table: NodeID, section: Int) throws(TOMLError) {
        var current = table
        for part in key.dropLast() {
            guard let child = nodes[current].children[part.name] else {
                let node = try addTable(.dottedKeys, named: part, in: current, at: part.position)
                nodes[node].section = section
                current = node
                continue
            }
            let existing = nodes[child.node]
            switch existing.kind {
            case .table(.dottedKeys) where existing.section == section:
                current = child.node
            case .table(.implicit):
                nodes[child.node].kind = .table(.dottedKeys)
                nodes[child.node].section = section
                current = child.node
            case .table(.inline):
                throw TOMLError("inline table '\(existing.name)' cannot be extended", at: part.position)
            case .table, .array(ofTables: true):
                throw TOMLError("table '\(existing.name)' is already defined; dotted keys cannot extend it", at: part.position)
            case .array(ofTables: false), .scalar:
                throw TOMLError("key '\(part.name)' is already defined as \(typeName(child.node))", at: part.position)
            }
        }
        let last = key[key.count - 1]
        guard nodes[current].children[last.name] == nil else {
            throw TOMLError("duplicate key '\(last.name)'", at: last.position)
        }
        if case .table = nodes[value].kind { nodes[value].name = Self.name(last.name, in: nodes[current].name) }
        link(value, as: last, in: current)
    }

    // MARK: Headers

    /// `[a.b.c]`: the table the following key/value pairs go into.
    mutating func openTable(_ key: [KeyPart], at position: TOMLPosition) throws(TOMLError) -> NodeID {
        let parent = try walkHeader(key.dropLast())
        let last = key[key.count - 1]
        guard let child = nodes[parent].children[last.name] else {
            return try addTable(.header, named: last, in: parent, at: position)
        }
        let existing = nodes[child.node]
        switch existing.kind {
        case .table(.implicit):
            // Named before by a longer header; this header defines it.
            nodes[child.node].kind = .table(.header)
            nodes[child.node].position = position
            nodes[parent].children[last.name]?.keyPosition = last.position
            return child.node
        case .table(.inline):
            throw TOMLError("inline table '\(existing.name)' cannot be extended", at: position)
        case .table:
            throw TOMLError("table '\(existing.name)' is already defined", at: position)
        case .array(ofTables: true):
            throw TOMLError("table '\(existing.name)' is already defined as an array of tables", at: position)
        case .array(ofTables: false), .scalar:
            throw TOMLError("key '\(last.name)' is already defined as \(typeName(child.node))", at: position)
        }
    }

    /// `[[a.b.c]]`: appends a table to the array `a.b.c` and returns it.
    mutating func openArrayTable(_ key: [KeyPart], at position: TOMLPosition) throws(TOMLError) -> NodeID {
        let parent = try walkHeader(key.dropLast())
        let last = key[key.count - 1]
        let array: NodeID
        if let child = nodes[parent].children[last.name] {
            let existing = nodes[child.node]
            switch existing.kind {
            case .array(ofTables: true):
                array = child.node
            case .array(ofTables: false):
                throw TOMLError("cannot append a table to static array '\(Self.name(last.name, in: nodes[parent].name))'", at: position)
            case .table:
                throw TOMLError("table '\(existing.name)' is already defined as a table, not an array of tables", at: position)
            case .scalar:
                throw TOMLError("key '\(last.name)' is already defined as \(typeName(child.node))", at: position)
            }
        } else {
            let depth = nodes[parent].depth + 1
            try checkDepth(depth, at: position)
            array = add(Node(kind: .array(ofTables: true), position: position, depth: depth,
                             name: Self.name(last.name, in: nodes[parent].name)))
            link(array, as: last, in: parent)
        }
        let depth = nodes[array].depth + 1
        try checkDepth(depth, at: position)
        let element = add(Node(kind: .table(.header), position: position, depth: depth, name: nodes[array].name))
        nodes[array].elements.append(element)
        return element
    }

    /// The table a header's name leads through, creating the missing ones as implicit
    /// tables; an array of tables leads into its last element.
    private mutating func walkHeader(_ key: ArraySlice<KeyPart>) throws(TOMLError) -> NodeID {
        var current = root
        for part in key {
            guard let child = nodes[current].children[part.name] else {
                current = try addTable(.implicit, named: part, in: current, at: part.position)
                continue
            }
            let existing = nodes[child.node]
            switch existing.kind {
            case .table(.inline):
                throw TOMLError("inline table '\(existing.name)' cannot be extended", at: part.position)
            case .table:
                current = child.node
            case .array(ofTables: true):
                current = existing.elements[existing.elements.count - 1]
            case .array(ofTables: false):
                throw TOMLError("static array '\(Self.name(part.name, in: nodes[current].name))' cannot be extended", at: part.position)
            case .scalar:
                throw TOMLError("key '\(part.name)' is already defined as \(typeName(child.node))", at: part.position)
            }
        }
        return current
    }

    // MARK: Arena

    private mutating func add(_ node: Node) -> NodeID {
        nodes.append(node)
        return nodes.count - 1
    }

    private mutating func addTable(_ definition: TOMLTable.Definition, named part: KeyPart, in parent: NodeID,
                                   at position: TOMLPosition) throws(TOMLError) -> NodeID {
        let depth = nodes[parent].depth + 1
        try checkDepth(depth, at: position)
        let node = add(Node(kind: .table(definition), position: position, depth: depth,
                            name: Self.name(part.name, in: nodes[parent].name)))
        link(node, as: part, in: parent)
        return node
    }

    private mutating func link(_ node: NodeID, as part: KeyPart, in parent: NodeID) {
        nodes[parent].keys.append(part.name)
        nodes[parent].children[part.name] = Child(node: node, keyPosition: part.position)
    }

    private func checkDepth(_ depth: Int, at position: TOMLPosition) throws(TOMLError) {
        if depth > TOMLDocument.maximumDepth {
            throw TOMLError("nesting is deeper than \(TOMLDocument.maximumDepth) levels", at: position)
        }
    }

    /// "an integer", "a string", "an array": what a key already holds, for messages.
    private func typeName(_ node: NodeID) -> String {
        switch nodes[node].kind {
        case .scalar(let content):
            let name = TOMLValue(content, at: nodes[node].position).typeName
            return ("aeiou".contains(name.first ?? "x") ? "an " : "a ") + name
        case .array: return "an array"
        case .table: return "a table"
        }
    }

    /// A table's dotted name as it would be written: `a."b c".d`.
    static func name(_ key: String, in parent: String) -> String {
        let quoted = !key.isEmpty && key.utf8.allSatisfy(ASCII.isBareKey) ? key : KeyPart.quoted(key)
        return parent.isEmpty ? quoted : parent + "." + quoted
    }
}
