/// The arena turned into `TOMLTable` values, once the whole document has been read.
extension DocumentBuilder {
    /// The finished document. Recursion is bounded by `maximumDepth`, checked as nodes were made.
    func finish() -> TOMLTable {
        value(of: root).table ?? TOMLTable(definition: .root)
    }

    private func value(of id: NodeID) -> TOMLValue {
        let node = nodes[id]
        switch node.kind {
        case .scalar(let content):
            return TOMLValue(content, at: node.position)
        case .array:
            return TOMLValue(.array(node.elements.map(value(of:))), at: node.position)
        case .table(let definition):
            var table = TOMLTable(definition: definition)
            for key in node.keys {
                let child = node.children[key]!
                table.append(TOMLTable.Entry(key: key, keyPosition: child.keyPosition, value: value(of: child.node)))
            }
            return TOMLValue(.table(table), at: node.position)
        }
    }
}
